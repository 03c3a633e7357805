import { type ResultsDoc, resultLines } from "../../report/results.js";
import type { RestoreView } from "../backends/records.js";
import { type DescribeSection, renderDescribe } from "../output/describe.js";
import { failureField, formatTimestamp, joinOr, orNone } from "./text.js";

export const restoreColumns = [
  "NAME",
  "BACKUP",
  "STATUS",
  "STARTED",
  "COMPLETED",
  "ERRORS",
  "WARNINGS",
  "CREATED",
  "SELECTOR",
];

export function restoreRow(record: RestoreView): string[] {
  const { status, spec } = record;
  return [
    record.metadata.name,
    spec.backupName,
    status.phase,
    formatTimestamp(status.startTimestamp),
    formatTimestamp(status.completionTimestamp),
    String(status.errors),
    String(status.warnings),
    formatTimestamp(record.metadata.creationTimestamp),
    spec.orLabelSelectors?.length ? spec.orLabelSelectors.join(" or ") : (spec.labelSelector ?? "<none>"),
  ];
}

/** `restore describe`: the options, the outcome, and every failed item with its reason. */
export function describeRestore(record: RestoreView, results: ResultsDoc | undefined): string {
  const { spec, status } = record;
  const mapping = Object.entries(spec.namespaceMapping).map(([from, to]) => `${from}:${to}`);
  const skipped = Object.entries(status.skipped)
    .filter(([, count]) => (count ?? 0) > 0)
    .map(([reason, count]) => `${reason}: ${count}`);
  const sections: DescribeSection[] = [
    {
      fields: [
        ["Name", record.metadata.name],
        ["Phase", status.phase],
        ...failureField(record),
        ["Total items restored", restoredText(record)],
        ["Started", formatTimestamp(status.startTimestamp)],
        ["Completed", formatTimestamp(status.completionTimestamp)],
        ["Backup", spec.backupName],
      ],
    },
    {
      title: "Namespaces",
      fields: [
        ["Included", joinOr(spec.includedNamespaces, "*")],
        ["Excluded", joinOr(spec.excludedNamespaces, "<none>")],
        ["Mappings", joinOr(mapping, "<none>")],
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
        ["Label selector", spec.orLabelSelectors?.join(" or ") ?? spec.labelSelector ?? "<none>"],
        ["Existing resource policy", spec.existingResourcePolicy],
        ["Preserve node ports", String(spec.preserveNodePorts)],
        ["Restore volume data", String(spec.restorePVs !== false)],
        ["Skipped", joinOr(skipped, "<none>")],
      ],
    },
    {
      title: `Errors (${status.errors})`,
      fields: [],
      list: orNone(results ? resultLines(results.errors) : []),
    },
    {
      title: `Warnings (${status.warnings})`,
      fields: [],
      list: orNone(results ? resultLines(results.warnings) : []),
    },
  ];
  return renderDescribe(sections);
}

/** "37 of 38 (1 already existed)": an item that was already there is not a failure. */
function restoredText(record: RestoreView): string {
  const { itemsRestored, totalItems } = record.status.progress;
  const existed = record.status.skipped["already-exists"] ?? 0;
  return `${itemsRestored} of ${totalItems}${existed > 0 ? ` (${existed} already existed)` : ""}`;
}
