/**
 * Sort keys of a file-system snapshot's id lists, and where entry batches end. Pure.
 *
 * Id lists need strictly increasing keys, and their node boundaries follow the keys, so
 * keys come from paths (stable from one backup to the next), not from positions (which
 * shift when a file is added). A path's key is the path with "/" replaced by NUL: NUL
 * sorts below every byte a name can hold, so comparing keys orders a directory's whole
 * subtree right after the directory and before its next sibling, which is exactly the
 * depth-first order the walker visits, as long as siblings are sorted by plain string
 * comparison (sortNames).
 */

export function pathKey(path: string): string {
  return path.replaceAll("/", "\0");
}

/**
 * The key of chunk `index` of the file at path. The NUL after the path keeps a file's
 * chunks together and before the next sibling; the index is fixed-width hex so it sorts
 * as a number. A file and a directory cannot share a path, so no chunk key falls among
 * the keys of a directory's children.
 */
export function chunkKey(path: string, index: number): string {
  return `${pathKey(path)}\0${index.toString(16).padStart(12, "0")}`;
}

/** Siblings in the order the keys need (plain UTF-16 code unit comparison, as `<` does). */
export function sortNames(names: string[]): string[] {
  return names.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A batch holds at least this many entries unless the walk ends… */
export const MIN_BATCH = 16;
/** …and at most this many. */
export const MAX_BATCH = 256;

/**
 * Whether the batch ends after the entry with this key, holding `count` entries. Like an
 * id list's nodes, batches end where a hash of the key says so (one key in 32), so a
 * change to one entry rewrites its batch and leaves the others as they were; the minimum
 * keeps batches from being tiny (a batch of ~48 entries is ~8 KiB of JSON).
 */
export function endsBatch(key: string, count: number): boolean {
  if (count >= MAX_BATCH) return true;
  return count >= MIN_BATCH && keyHash(key) >>> 27 === 0;
}

/**
 * FNV-1a over the key's UTF-16 code units, then MurmurHash3's finaliser: a cheap, fixed
 * hash. Without the finaliser the high bits barely change between keys that differ only
 * in their last characters ("file-1", "file-2"), which most neighbouring keys do.
 */
function keyHash(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
