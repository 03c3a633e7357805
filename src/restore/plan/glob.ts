import { KubesnapError } from "../../core/errors.js";

/**
 * Namespace globs, as Velero users type them: `*` matches any run of characters,
 * `?` one character, `[abc]` / `[a-z]` / `[!a-z]` one character of (not of) a set.
 * Everything else matches itself. Patterns are compiled once and cached.
 */
const compiled = new Map<string, RegExp>();

export function globMatch(pattern: string, text: string): boolean {
  return compileGlob(pattern).test(text);
}

/** Throws InvalidInput for a pattern that cannot be compiled (an unclosed '['). */
export function validateGlob(pattern: string): void {
  compileGlob(pattern);
}

function compileGlob(pattern: string): RegExp {
  const cached = compiled.get(pattern);
  if (cached !== undefined) return cached;
  let source = "^";
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i] as string;
    if (char === "*") source += ".*";
    else if (char === "?") source += ".";
    else if (char === "[") {
      const close = pattern.indexOf("]", i + 2);
      if (close === -1) {
        throw new KubesnapError(
          "InvalidInput",
          `Invalid pattern "${pattern}": '[' at position ${i + 1} is never closed`,
          {
            hint: "close the character set with ']', e.g. \"team-[ab]\"",
          },
        );
      }
      let set = pattern.slice(i + 1, close);
      const negated = set.startsWith("!");
      if (negated) set = set.slice(1);
      source += `[${negated ? "^" : ""}${set.replace(/[\\\]^]/g, "\\$&")}]`;
      i = close;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
  }
  const regex = new RegExp(`${source}$`);
  compiled.set(pattern, regex);
  return regex;
}
