/**
 * The table `kubesnap … get` prints, laid out as kubectl (and so Velero) lays it out:
 * upper-case headers, left-aligned columns, no borders. kubectl uses Go's tabwriter with
 * padding 3 and minimum width 6, so each column is as wide as its longest cell plus three
 * spaces, and never narrower than six; the last column is not padded.
 */
import { KubesnapError } from "../../core/errors.js";

const PADDING = 3;
const MIN_COLUMN_WIDTH = 6;

/**
 * Renders `rows` under `columns` (headers are upper-cased here, so callers may pass
 * "Storage Location"). Every line, the header included, ends with "\n"; with no rows only the
 * header is printed, and the caller decides whether to say "No backups found" instead.
 * Widths count code points, which is right for the ASCII names and values Kubernetes allows.
 */
export function renderTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  for (const [index, row] of rows.entries()) {
    if (row.length !== columns.length) {
      throw new KubesnapError(
        "Internal",
        `Table row ${index} has ${row.length} cells but the table has ${columns.length} columns (${columns.join(", ")})`,
      );
    }
  }
  // A newline inside a cell would break the row in two and misalign every column after it.
  const lines = [columns.map((c) => c.toUpperCase()), ...rows.map((row) => row.map(oneLine))];
  const widths = columns.map((_, col) =>
    Math.max(MIN_COLUMN_WIDTH, ...lines.map((line) => width(line[col] ?? "") + PADDING)),
  );
  return lines
    .map((line) =>
      line
        .map((cell, col) => (col === line.length - 1 ? cell : pad(cell, widths[col] ?? 0)))
        .join("")
        .trimEnd(),
    )
    .map((line) => `${line}\n`)
    .join("");
}

function oneLine(cell: string): string {
  return cell.replace(/\s*[\r\n]+\s*/g, " ");
}

function width(text: string): number {
  return [...text].length;
}

function pad(text: string, to: number): string {
  return text + " ".repeat(Math.max(0, to - width(text)));
}
