/**
 * Small helpers for reading and editing the untyped parts of Kubernetes objects.
 * Objects arrive as JSON from the API server (or from a backup), so every field below
 * metadata is `unknown` until checked; these helpers keep that checking in one place.
 */
export type JsonObject = Record<string, unknown>;

export function isRecord(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The object at `path` below `root`, or undefined when any step is missing or not an object. */
export function getRecord(root: unknown, ...path: string[]): JsonObject | undefined {
  let current: unknown = root;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return isRecord(current) ? current : undefined;
}

/** The array at `path` below `root`, or undefined. */
export function getArray(root: unknown, ...path: string[]): unknown[] | undefined {
  const parent = path.length > 1 ? getRecord(root, ...path.slice(0, -1)) : isRecord(root) ? root : undefined;
  const last = path[path.length - 1];
  if (parent === undefined || last === undefined) return undefined;
  const value = parent[last];
  return Array.isArray(value) ? value : undefined;
}

/** The string at `path` below `root`, or undefined. */
export function getString(root: unknown, ...path: string[]): string | undefined {
  const parent = path.length > 1 ? getRecord(root, ...path.slice(0, -1)) : isRecord(root) ? root : undefined;
  const last = path[path.length - 1];
  if (parent === undefined || last === undefined) return undefined;
  const value = parent[last];
  return typeof value === "string" ? value : undefined;
}

/** A string-to-string map (labels, annotations, matchLabels); non-string values are ignored. */
export function getStringMap(root: unknown, ...path: string[]): Record<string, string> | undefined {
  const record = getRecord(root, ...path);
  if (record === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(record)) {
    if (typeof value === "string") result[key] = value;
  }
  return result;
}

/** Deletes `key` from `record` and deletes `record` from `parent[parentKey]` when that leaves it empty. */
export function deleteKeyAndPruneEmpty(parent: JsonObject, parentKey: string, key: string): void {
  const record = parent[parentKey];
  if (!isRecord(record)) return;
  delete record[key];
  if (Object.keys(record).length === 0) delete parent[parentKey];
}

/** Structural equality of JSON values; key order does not matter, array order does. */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    return a.every((item, index) => deepEqual(item, b[index]));
  }
  if (isRecord(a)) {
    if (!isRecord(b)) return false;
    const aKeys = Object.keys(a).filter((key) => a[key] !== undefined);
    const bKeys = Object.keys(b).filter((key) => b[key] !== undefined);
    if (aKeys.length !== bKeys.length) return false;
    return aKeys.every((key) => Object.hasOwn(b, key) && deepEqual(a[key], b[key]));
  }
  return false;
}
