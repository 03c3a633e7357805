/**
 * `-o table|json|yaml` for the `get` and `create` commands. Tables go through renderTable;
 * json and yaml print the objects themselves, one object as itself and any other number as a
 * kubectl-style List, which is what scripts written against kubectl and Velero expect.
 */
import { stringify } from "yaml";
import { KubesnapError } from "../../core/errors.js";
import { renderTable } from "./table.js";

export const OUTPUT_FORMATS = ["table", "json", "yaml"] as const;
export type OutputFormat = (typeof OUTPUT_FORMATS)[number];

/** Validates an `-o` value; case does not matter ("JSON" is "json"). */
export function parseOutputFormat(value: string): OutputFormat {
  const format = value.trim().toLowerCase();
  const known = OUTPUT_FORMATS.find((f) => f === format);
  if (known !== undefined) return known;
  throw new KubesnapError("InvalidInput", `Unsupported output format "${value}"`, {
    hint: `use one of ${OUTPUT_FORMATS.join(", ")}`,
  });
}

/** How one kind of object looks as a table row. */
export interface TableView<T> {
  readonly columns: readonly string[];
  readonly toRow: (object: T) => string[];
}

/**
 * Renders objects in the chosen format, ending with a newline. Like Velero, a single object is
 * printed as itself even when it came from a list, so `get NAME -o json` pipes straight into jq;
 * zero or several are wrapped as `{apiVersion: v1, kind: List, items}` as kubectl does.
 */
export function renderObjects<T>(objects: readonly T[], format: OutputFormat, table: TableView<T>): string {
  if (format === "table") return renderTable(table.columns, objects.map(table.toRow));
  const document = objects.length === 1 ? objects[0] : { apiVersion: "v1", kind: "List", items: objects };
  // Through JSON first so both formats agree: Dates become RFC 3339 strings, undefined fields vanish.
  const json = JSON.stringify(document, null, 2);
  if (format === "json") return `${json}\n`;
  // kubectl's YAML: sequences not indented under their key, and long strings never folded.
  return stringify(JSON.parse(json), { indentSeq: false, lineWidth: 0 });
}
