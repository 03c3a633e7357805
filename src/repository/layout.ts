/**
 * Every storage key the repository reads or writes, in one pure module (like Velero's
 * object_store_layout.go). Nothing else in src/repository builds a key by hand.
 *
 *   config.json                          format version and repository id
 *   data/<first 2 hex of pack>/<packId>  pack files (packId = SHA-256 of the pack bytes)
 *   index/<indexId>                      index files (indexId = SHA-256 of the file bytes)
 *   locks/<lockId>.json                  one per running snapshot writer
 *   locks/gc.json                        the exclusive garbage-collection lock
 *   snapshots/<name>/manifest.json.zst   written last: its presence makes a snapshot exist
 *   snapshots/<name>/files/<file>.zst    side files (logs, results), zstd-compressed
 */
import { KubesnapError } from "../core/errors.js";

export const CONFIG_KEY = "config.json";
export const DATA_PREFIX = "data/";
export const INDEX_PREFIX = "index/";
export const LOCKS_PREFIX = "locks/";
export const GC_LOCK_KEY = "locks/gc.json";
export const SNAPSHOTS_PREFIX = "snapshots/";
const MANIFEST_FILE = "manifest.json.zst";

const HEX_ID = /^[0-9a-f]{64}$/;
// Kubernetes object names allow these characters too, so a Backup's name always fits.
const SNAPSHOT_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$/;
const SIDE_FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

export function packKey(packId: string): string {
  return `${DATA_PREFIX}${packId.slice(0, 2)}/${packId}`;
}

export function indexKey(indexId: string): string {
  return `${INDEX_PREFIX}${indexId}`;
}

export function lockKey(lockId: string): string {
  return `${LOCKS_PREFIX}${lockId}.json`;
}

export function snapshotPrefix(name: string): string {
  return `${SNAPSHOTS_PREFIX}${checkSnapshotName(name)}/`;
}

export function manifestKey(name: string): string {
  return `${snapshotPrefix(name)}${MANIFEST_FILE}`;
}

export function sideFileKey(name: string, file: string): string {
  if (!SIDE_FILE_NAME.test(file)) {
    throw new KubesnapError("InvalidInput", `Invalid side file name ${JSON.stringify(file)}`, {
      hint: "use 1-128 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit",
    });
  }
  return `${snapshotPrefix(name)}files/${file}.zst`;
}

export function checkSnapshotName(name: string): string {
  if (!SNAPSHOT_NAME.test(name)) {
    throw new KubesnapError("InvalidInput", `Invalid snapshot name ${JSON.stringify(name)}`, {
      hint: "use 1-253 characters from A-Z a-z 0-9 . _ -, starting with a letter or digit",
    });
  }
  return name;
}

/** The pack id of a key under data/, or undefined for anything else found there. */
export function packIdOfKey(key: string): string | undefined {
  const id = /^data\/[0-9a-f]{2}\/([0-9a-f]{64})$/.exec(key)?.[1];
  return id !== undefined && key === packKey(id) ? id : undefined;
}

/** The index id of a key under index/, or undefined for anything else found there. */
export function indexIdOfKey(key: string): string | undefined {
  const id = key.slice(INDEX_PREFIX.length);
  return key.startsWith(INDEX_PREFIX) && HEX_ID.test(id) ? id : undefined;
}

/** The lock id of a snapshot lock key, or undefined (the gc lock and strays). */
export function lockIdOfKey(key: string): string | undefined {
  return /^locks\/([0-9a-f]{32})\.json$/.exec(key)?.[1];
}

/** Snapshot name and the rest of the key, for keys under snapshots/. */
export function parseSnapshotKey(key: string): { name: string; isManifest: boolean } | undefined {
  if (!key.startsWith(SNAPSHOTS_PREFIX)) return undefined;
  const rest = key.slice(SNAPSHOTS_PREFIX.length);
  const slash = rest.indexOf("/");
  if (slash <= 0) return undefined;
  const name = rest.slice(0, slash);
  if (!SNAPSHOT_NAME.test(name)) return undefined;
  return { name, isManifest: rest.slice(slash + 1) === MANIFEST_FILE };
}
