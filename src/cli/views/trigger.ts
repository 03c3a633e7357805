import type { Backup, Trigger } from "../../api/index.js";
import { backupCause, describeCause } from "../../trigger/index.js";
import { type DescribeSection, renderDescribe } from "../output/describe.js";
import { formatTimestamp, joinOr } from "./text.js";

export const triggerColumns = [
  "NAME",
  "STATUS",
  "CREATED",
  "ON",
  "EVENTS",
  "DEBOUNCE",
  "LAST BACKUP",
  "PENDING",
  "PAUSED",
];

export function triggerRow(trigger: Trigger): string[] {
  const { spec, status } = trigger;
  return [
    trigger.metadata.name,
    status?.phase ?? "New",
    formatTimestamp(trigger.metadata.creationTimestamp),
    spec.on.join(","),
    `${spec.events.join(",")}${spec.specChangesOnly ? " (spec)" : ""}`,
    spec.debounce,
    status?.lastBackup ? formatTimestamp(status.lastBackup) : "n/a",
    status?.pending ? `${status.pending.changes} change(s)` : "none",
    String(spec.paused),
  ];
}

/** `trigger describe`: what it watches, how it waits, what is pending, and why each backup was taken. */
export function describeTrigger(trigger: Trigger, backups: readonly Backup[]): string {
  const { spec, status } = trigger;
  const keep = Object.entries(spec.keep ?? {}).filter(([, n]) => (n ?? 0) > 0);
  const sections: DescribeSection[] = [
    {
      fields: [
        ["Name", trigger.metadata.name],
        ["Phase", status?.phase ?? "New"],
        ["Paused", String(spec.paused)],
        ["On", spec.on.join(", ")],
        ["Namespaces", joinOr(spec.namespaces, "*")],
        ["Label selector", spec.labelSelector ?? "<none>"],
        ["Events", `${spec.events.join(", ")}${spec.specChangesOnly ? " (spec changes only)" : ""}`],
        ["Debounce", spec.debounce],
        ["Min interval", spec.minInterval === "0s" ? "none" : spec.minInterval],
        [
          "Last backup",
          status?.lastBackup ? `${status.lastBackupName} at ${formatTimestamp(status.lastBackup)}` : "n/a",
        ],
      ],
    },
    {
      title: "Backup template",
      fields: [
        [
          "Namespaces",
          spec.backupNamespaces === "Changed"
            ? "those of the changed objects"
            : joinOr(spec.template.includedNamespaces, "*"),
        ],
        ["Resources", joinOr(spec.template.includedResources, "*")],
        ["Label selector", spec.template.labelSelector ?? "<none>"],
        ["TTL", spec.template.ttl],
        ["Storage location", spec.template.storageLocation ?? "<default>"],
        [
          "Keep rules",
          keep.length ? keep.map(([rule, n]) => `${rule} ${n}`).join(", ") : "none: the TTL decides",
        ],
      ],
    },
  ];
  if (status?.validationErrors?.length)
    sections.push({ title: "Validation errors", list: status.validationErrors });
  if (status?.message) sections.push({ title: "Last window", list: [status.message] });
  if (status?.pending) {
    const { pending } = status;
    sections.push({
      title: `Pending (${pending.changes} change(s) since ${formatTimestamp(pending.since)}, last at ${formatTimestamp(pending.lastChange)})`,
      list: pending.causes.map(describeCause),
    });
  }
  const sorted = [...backups].sort((a, b) => b.metadata.name.localeCompare(a.metadata.name));
  sections.push({
    title: "Backups",
    list: sorted.length
      ? sorted.map((b) => {
          const cause = backupCause(b);
          const first = cause?.causes[0];
          const why = first
            ? `${describeCause(first)}${cause.changes > 1 ? ` and ${cause.changes - 1} more` : ""}`
            : "cause unknown";
          return `${b.metadata.name} (${b.status?.phase ?? "New"}): ${why}`;
        })
      : ["<none>"],
  });
  return renderDescribe(sections);
}
