import { type Io, println } from "./io.js";
import { type OutputFormat, parseOutputFormat, renderObjects } from "./output/format.js";
import { createProgress } from "./output/progress.js";

/** A list as a table (the default) or as json/yaml objects. */
export function printList<T>(
  io: Io,
  output: string | undefined,
  objects: readonly T[],
  view: {
    columns: readonly string[];
    row: (object: T) => string[];
    empty: string;
    /** What json/yaml print of an entry, when that is not the entry itself. */
    object?: (entry: T) => unknown;
  },
): void {
  const format: OutputFormat = output ? parseOutputFormat(output) : "table";
  if (format === "table" && objects.length === 0) {
    println(io.stdout, view.empty);
    return;
  }
  if (format !== "table" && view.object) {
    println(io.stdout, renderObjects(objects.map(view.object), format, { columns: [], toRow: () => [] }));
    return;
  }
  println(io.stdout, renderObjects(objects, format, { columns: view.columns, toRow: view.row }));
}

/** One object as json or yaml (a table makes no sense for a single object's full form). */
export function printObject(io: Io, output: string, object: unknown): void {
  const format = parseOutputFormat(output);
  io.stdout.write(
    renderObjects([object], format === "table" ? "yaml" : format, { columns: [], toRow: () => [] }),
  );
}

/** Progress of long work on stderr: a redrawn line on a terminal, log lines otherwise. */
export function progressFor(io: Io, label: string) {
  return createProgress({ stream: io.stderr, label });
}
