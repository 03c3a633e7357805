import type { Backup, Schedule } from "../../api/index.js";
import { scheduleRetention } from "../../server/retention.js";
import { type DescribeSection, renderDescribe } from "../output/describe.js";
import { formatTimestamp } from "./text.js";

export const scheduleColumns = [
  "NAME",
  "STATUS",
  "CREATED",
  "SCHEDULE",
  "BACKUP TTL",
  "LAST BACKUP",
  "SELECTOR",
  "PAUSED",
];

export function scheduleRow(schedule: Schedule): string[] {
  const zone = schedule.spec.timeZone ? ` (${schedule.spec.timeZone})` : "";
  return [
    schedule.metadata.name,
    schedule.status?.phase ?? "New",
    formatTimestamp(schedule.metadata.creationTimestamp),
    `${schedule.spec.schedule}${zone}`,
    schedule.spec.template.ttl,
    schedule.status?.lastBackup ? formatTimestamp(schedule.status.lastBackup) : "n/a",
    schedule.spec.template.labelSelector ?? "<none>",
    String(schedule.spec.paused),
  ];
}

/** `schedule describe`: the spec, the state, and which backups each keep rule keeps. */
export function describeSchedule(schedule: Schedule, backups: readonly Backup[]): string {
  const { spec, status } = schedule;
  const keep = spec.keep ?? {};
  const rules = Object.entries(keep).filter(([, n]) => (n ?? 0) > 0);
  const sections: DescribeSection[] = [
    {
      fields: [
        ["Name", schedule.metadata.name],
        ["Phase", status?.phase ?? "New"],
        ["Schedule", spec.schedule],
        ["Time zone", spec.timeZone ?? "UTC"],
        ["Paused", String(spec.paused)],
        ["Last backup", status?.lastBackup ? formatTimestamp(status.lastBackup) : "n/a"],
        ["Next run", status?.nextRun ? formatTimestamp(status.nextRun) : "n/a"],
        ["Backup TTL", spec.template.ttl],
        ["Storage location", spec.template.storageLocation ?? "<default>"],
        ["Namespaces", spec.template.includedNamespaces.join(", ")],
        ["Label selector", spec.template.labelSelector ?? "<none>"],
      ],
    },
  ];
  if (status?.validationErrors?.length)
    sections.push({ title: "Validation errors", list: status.validationErrors });
  if (status?.message) sections.push({ title: "Last run", list: [status.message] });
  if (rules.length === 0) {
    sections.push({ title: "Keep rules", list: ["none: each backup is kept for its TTL"] });
  } else {
    const decision = scheduleRetention(schedule, backups) ?? {
      keep: new Map<string, string[]>(),
      remove: [],
    };
    sections.push({
      title: `Keep rules (${rules.map(([rule, n]) => `${rule} ${n}`).join(", ")})`,
      list: [
        ...[...decision.keep].map(([name, why]) => `${name}: kept (${why.join(", ")})`),
        ...decision.remove.map((name) => `${name}: to be deleted`),
      ],
    });
  }
  return renderDescribe(sections);
}
