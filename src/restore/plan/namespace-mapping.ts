import { KubesnapError } from "../../core/errors.js";
import { dns1123LabelProblem } from "./k8s-names.js";

/**
 * Namespace mapping: restore the items of namespace `src` into `dst`. Two sources
 * may not share a target: their items would collide by name and the second create
 * would fail (or, worse with the update policy, overwrite the first).
 */
export type NamespaceMapping = Readonly<Record<string, string>>;

const HINT = "write pairs like \"prod:staging,web:web-copy\"; names are lower-case letters, digits and '-'";

/** Parses "src:dst,src2:dst2". Empty input is the empty mapping; blank entries are ignored. */
export function parseNamespaceMapping(text: string): NamespaceMapping {
  const mapping: Record<string, string> = {};
  for (const rawEntry of text.split(",")) {
    const entry = rawEntry.trim();
    if (entry === "") continue;
    const parts = entry.split(":");
    if (parts.length !== 2) {
      throw new KubesnapError(
        "InvalidInput",
        `Invalid namespace mapping "${text}": entry "${entry}" must be exactly one source and one target separated by ':'`,
        { hint: HINT },
      );
    }
    const source = (parts[0] as string).trim();
    const target = (parts[1] as string).trim();
    if (Object.hasOwn(mapping, source)) {
      throw new KubesnapError(
        "InvalidInput",
        `Invalid namespace mapping "${text}": source namespace "${source}" is mapped twice`,
        { hint: "map each source namespace once" },
      );
    }
    mapping[source] = target;
  }
  validateNamespaceMapping(mapping, `namespace mapping "${text}"`);
  return mapping;
}

/** Checks names and that no two sources share a target; `description` names the input in messages. */
export function validateNamespaceMapping(mapping: NamespaceMapping, description = "namespace mapping"): void {
  const sourceByTarget = new Map<string, string>();
  for (const [source, target] of Object.entries(mapping)) {
    for (const [role, name] of [
      ["source", source],
      ["target", target],
    ] as const) {
      const problem = dns1123LabelProblem(name);
      if (problem !== undefined) {
        throw new KubesnapError(
          "InvalidInput",
          `Invalid ${description}: ${role} namespace "${name}" ${problem}`,
          {
            hint: HINT,
          },
        );
      }
    }
    const other = sourceByTarget.get(target);
    if (other !== undefined) {
      throw new KubesnapError(
        "InvalidInput",
        `Invalid ${description}: namespaces "${other}" and "${source}" are both mapped to "${target}"`,
        { hint: "give each source namespace its own target; items with the same name would collide" },
      );
    }
    sourceByTarget.set(target, source);
  }
}

/** The namespace an item from `source` lands in. */
export function mapNamespace(mapping: NamespaceMapping, source: string): string {
  return Object.hasOwn(mapping, source) ? (mapping[source] as string) : source;
}
