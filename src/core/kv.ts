/**
 * The comma-separated flag values Velero users type: `--labels app=web,tier=db`,
 * `--config region=eu-west-1,s3ForcePathStyle=true`, `--namespace-mappings src:dst` and
 * `--include-namespaces a,b,c`. Like Velero's flags, values cannot contain commas.
 */
import { KubesnapError } from "./errors.js";

/**
 * Parses "key=value,key2=value2" into a record. Spaces around entries, keys and values are
 * trimmed and empty entries (a trailing comma) ignored; a value may contain the separator
 * ("url=http://h?a=b" keeps "http://h?a=b"). A key given twice is an error rather than a silent
 * overwrite, because one of the two values is then surely not what was meant.
 * `what` names the flag in errors ("--labels"); `separator` is ":" for mappings.
 */
export function parseKeyValues(
  value: string,
  options: { what: string; separator?: "=" | ":" },
): Record<string, string> {
  const separator = options.separator ?? "=";
  const example = separator === "=" ? "app=nginx,tier=web" : "prod:staging,team-a:team-b";
  const fail = (problem: string): KubesnapError =>
    new KubesnapError("InvalidInput", `Invalid ${options.what} "${value}": ${problem}`, {
      hint: `write key${separator}value pairs separated by commas, e.g. ${example}`,
    });

  const entries = new Map<string, string>();
  for (const entry of parseList(value)) {
    const at = entry.indexOf(separator);
    if (at < 0) throw fail(`"${entry}" has no "${separator}"`);
    const key = entry.slice(0, at).trim();
    const val = entry.slice(at + 1).trim();
    if (key === "") throw fail(`"${entry}" has no key before "${separator}"`);
    const earlier = entries.get(key);
    if (earlier !== undefined) {
      throw fail(`"${key}" is given twice ("${earlier}" and "${val}")`);
    }
    entries.set(key, val);
  }
  // fromEntries defines own properties, so a key like "__proto__" stays plain data.
  return Object.fromEntries(entries);
}

/** Splits "a,b, c" into ["a", "b", "c"]: trims each item and drops empty ones. */
export function parseList(value: string): string[] {
  return value
    .split(",")
    .map((item) => item.trim())
    .filter((item) => item !== "");
}
