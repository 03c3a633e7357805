import { deepEqual, isRecord, type JsonObject } from "./json.js";

/**
 * JSON merge patches (RFC 7386), the `application/merge-patch+json` the API server
 * accepts for any kind, custom resources included (strategic merge patch works only for
 * built-in kinds). Objects merge key by key, `null` deletes a key, and anything else —
 * arrays included — replaces the old value whole.
 */

/**
 * The patch that turns `from` into `to`: changed keys carry their new value, keys missing
 * from `to` become null. `{}` means the two are equal. A `null` inside `to` cannot be
 * expressed in a merge patch (it would mean "delete"); such keys are treated as absent.
 */
export function createMergePatch(from: JsonObject, to: JsonObject): JsonObject {
  const patch: JsonObject = {};
  for (const key of Object.keys(from)) {
    if (from[key] !== undefined && (to[key] === undefined || to[key] === null)) patch[key] = null;
  }
  for (const [key, value] of Object.entries(to)) {
    if (value === undefined || value === null) continue;
    const old = from[key];
    if (isRecord(old) && isRecord(value)) {
      const nested = createMergePatch(old, value);
      if (Object.keys(nested).length > 0) patch[key] = nested;
    } else if (!deepEqual(old, value)) {
      patch[key] = structuredClone(value);
    }
  }
  return patch;
}

/** Applies a merge patch to a copy of `target`, as the API server would. */
export function applyMergePatch(target: JsonObject, patch: JsonObject): JsonObject {
  const result = structuredClone(target);
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else if (isRecord(value)) {
      const current = result[key];
      result[key] = applyMergePatch(isRecord(current) ? current : {}, value);
    } else result[key] = structuredClone(value);
  }
  return result;
}

export function isEmptyPatch(patch: JsonObject): boolean {
  return Object.keys(patch).length === 0;
}
