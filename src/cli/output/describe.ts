/**
 * The `describe` layout Velero users read: blank-line separated sections of "Label:  value"
 * lines, values aligned within each section (Velero's tabwriter has padding 2 and restarts its
 * columns at every blank line), titled sections indented by two spaces.
 *
 *   Name:         nightly-20261126070000
 *   Labels:       kubesnap.io/schedule-name=nightly
 *                 kubesnap.io/storage-location=default
 *
 *   Namespaces:
 *     Included:  *
 *     Excluded:  <none>
 */

/** A list of values prints one per line, aligned; an empty list prints "<none>". */
export type DescribeValue = string | readonly string[];

export interface DescribeSection {
  /** Printed as "Title:" with the section's content indented beneath it. */
  readonly title?: string;
  readonly fields?: readonly (readonly [label: string, value: DescribeValue])[];
  /** Lines printed after the fields, two spaces in; an item's own indentation is kept. */
  readonly list?: readonly string[];
}

const INDENT = "  ";
/** Spaces between the longest "Label:" and its value, as in Velero's output. */
const GAP = 2;

/** Renders the sections; the text ends with a newline. Sections with nothing in them are left out. */
export function renderDescribe(sections: readonly DescribeSection[]): string {
  return sections
    .map(renderSection)
    .filter((lines) => lines.length > 0)
    .map((lines) => lines.map((line) => `${line.trimEnd()}\n`).join(""))
    .join("\n");
}

function renderSection(section: DescribeSection): string[] {
  const fields = section.fields ?? [];
  const list = section.list ?? [];
  const lines: string[] = [];
  if (section.title !== undefined) lines.push(`${section.title}:`);
  const indent = section.title === undefined ? "" : INDENT;

  const labelWidth = Math.max(0, ...fields.map(([label]) => label.length + 1));
  const valueColumn = " ".repeat(indent.length + labelWidth + GAP);
  for (const [label, value] of fields) {
    const [first = "", ...rest] = valueLines(value);
    lines.push(`${indent}${`${label}:`.padEnd(labelWidth + GAP)}${first}`);
    for (const line of rest) lines.push(`${valueColumn}${line}`);
  }
  for (const item of list) lines.push(`${INDENT}${item}`);
  return lines;
}

function valueLines(value: DescribeValue): string[] {
  if (typeof value === "string") return value.split("\n");
  return value.length === 0 ? ["<none>"] : [...value];
}
