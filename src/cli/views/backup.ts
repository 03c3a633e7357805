import { formatExpires, formatGoDuration } from "../../core/duration.js";
import { groupResource } from "../../core/kube-types.js";
import { type ResultsDoc, resultLines } from "../../report/results.js";
import type { BackupView, PodVolumeProgress } from "../backends/records.js";
import { type DescribeSection, renderDescribe } from "../output/describe.js";
import { failureField, formatTimestamp, joinOr, orNone } from "./text.js";
import { verificationSummary } from "./verify.js";

export const backupColumns = [
  "NAME",
  "STATUS",
  "ERRORS",
  "WARNINGS",
  "CREATED",
  "EXPIRES",
  "STORAGE LOCATION",
  "SELECTOR",
];

export function backupRow(record: BackupView, now: Date): string[] {
  const { status, spec } = record;
  return [
    record.metadata.name,
    status.phase,
    String(status.errors),
    String(status.warnings),
    formatTimestamp(record.metadata.creationTimestamp),
    formatExpires(status.expiration ? new Date(status.expiration) : undefined, now),
    spec.storageLocation,
    selectorText(record),
  ];
}

export function selectorText(record: BackupView): string {
  if (record.spec.orLabelSelectors?.length) return record.spec.orLabelSelectors.join(" or ");
  return record.spec.labelSelector ?? "<none>";
}

/** `backup describe`: Velero's sections, plus the cluster it came from and, with --details, every group. */
export function describeBackup(
  record: BackupView,
  opts: { now: Date; details: boolean; results: ResultsDoc | undefined },
): string {
  const { spec, status } = record;
  const labels = Object.entries(record.metadata.labels).map(([k, v]) => `${k}=${v}`);
  const sections: DescribeSection[] = [
    {
      fields: [
        ["Name", record.metadata.name],
        ["Labels", joinOr(labels, "<none>")],
        ["Phase", status.phase],
        ...failureField(record),
        ["Errors", String(status.errors)],
        ["Warnings", String(status.warnings)],
      ],
    },
    {
      title: "Namespaces",
      fields: [
        ["Included", joinOr(spec.includedNamespaces, "*")],
        ["Excluded", joinOr(spec.excludedNamespaces, "<none>")],
      ],
    },
    {
      title: "Resources",
      fields: [
        ["Included", joinOr(spec.includedResources, "*")],
        ["Excluded", joinOr(spec.excludedResources, "<none>")],
        ["Cluster-scoped", spec.includeClusterResources],
      ],
    },
    {
      fields: [
        ["Label selector", selectorText(record)],
        ["Storage Location", spec.storageLocation || "<default>"],
        ["TTL", formatGoDuration(spec.ttlMs)],
        ["Started", formatTimestamp(status.startTimestamp)],
        ["Completed", formatTimestamp(status.completionTimestamp)],
        [
          "Expiration",
          `${formatTimestamp(status.expiration)} (${formatExpires(status.expiration ? new Date(status.expiration) : undefined, opts.now)})`,
        ],
        ["Total items backed up", String(status.progress.itemsBackedUp)],
        ["Last verification", status.verification ? verificationSummary(status.verification) : "never"],
        [
          "Cluster",
          status.cluster ? `${status.cluster.version} (kube-system UID ${status.cluster.uid})` : "<unknown>",
        ],
        [
          "kubesnap version",
          status.kubesnapVersion
            ? `${status.kubesnapVersion} (backup format ${status.formatVersion ?? "?"})`
            : "<not run yet>",
        ],
      ],
    },
  ];
  if (opts.details && record.groups) {
    const counts = new Map<string, string[]>();
    for (const group of record.groups) {
      const name = groupResource(group.type);
      const entries = counts.get(name) ?? [];
      entries.push(
        group.namespace ? `${group.namespace}: ${group.count}` : `${group.count} (cluster-scoped)`,
      );
      counts.set(name, entries);
    }
    sections.push({
      title: "Resource List",
      fields: [...counts.keys()]
        .sort()
        .map((name): [string, string] => [name, (counts.get(name) ?? []).join(", ")]),
    });
  }
  const podVolumes = opts.details ? podVolumeLines(record) : [];
  if (podVolumes.length > 0) sections.push({ title: "Pod Volume Backups", fields: [], list: podVolumes });
  if (opts.details && opts.results) {
    sections.push({ title: "Errors", fields: [], list: orNone(resultLines(opts.results.errors)) });
    sections.push({ title: "Warnings", fields: [], list: orNone(resultLines(opts.results.warnings)) });
  }
  return renderDescribe(sections);
}

/**
 * "shop/web data  Completed  1048576 of 1048576 bytes": each pod volume's file-system backup,
 * live from its PodVolumeBackup (server mode) or as the backup recorded it.
 */
function podVolumeLines(record: BackupView): string[] {
  const recorded = (record.volumes ?? []).flatMap((v): PodVolumeProgress[] =>
    v.kind === "fs-backup"
      ? [{ ...v, bytesDone: v.bytes, totalBytes: v.bytes, ...(v.message ? { message: v.message } : {}) }]
      : [],
  );
  const rows = record.podVolumes ?? recorded;
  const width = Math.max(0, ...rows.map((r) => `${r.namespace}/${r.pod} ${r.volume}`.length));
  return rows.map((r) => {
    const what = `${r.namespace}/${r.pod} ${r.volume}`.padEnd(width);
    const line = `${what}  ${r.phase.padEnd(15)}  ${r.bytesDone} of ${r.totalBytes} bytes`;
    return r.message ? `${line} (${r.message})` : line;
  });
}
