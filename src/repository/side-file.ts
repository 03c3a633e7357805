/**
 * A snapshot's side files (logs, results): compressed, sealed (bound to snapshot and
 * file name), and checked on read against the size and SHA-256 in the manifest.
 */
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import { sha256Hex } from "./blob-id.js";
import { compress, decompress } from "./compression.js";
import { DamagedObjectError } from "./damage.js";
import { sideFileKey } from "./layout.js";
import type { SideFile } from "./manifest.js";
import { type SealedStorage, sealContext } from "./sealer.js";

export interface SideFileName {
  readonly snapshot: string;
  readonly file: string;
}

/** Stores a side file; returns its manifest record and the bytes stored. */
export async function writeSideFile(
  store: SealedStorage,
  name: SideFileName,
  bytes: Uint8Array,
): Promise<{ record: SideFile; storedBytes: number }> {
  const key = sideFileKey(name.snapshot, name.file);
  const stored = store.sealer.seal(await compress(bytes), sealContext.file(name.snapshot, name.file));
  await store.storage.put(key, stored);
  return { record: { size: bytes.length, sha256: sha256Hex(bytes) }, storedBytes: stored.length };
}

export async function readSideFile(
  store: SealedStorage,
  name: SideFileName,
  record: SideFile,
): Promise<Uint8Array> {
  const { storage } = store;
  const key = sideFileKey(name.snapshot, name.file);
  const where = `Side file "${name.file}" of snapshot "${name.snapshot}" (${key} at ${storage.description})`;
  let stored: Uint8Array;
  try {
    stored = await storage.get(key);
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    throw new KubesnapError("NotFound", `${where} is missing`, { cause: err });
  }
  const compressed = store.sealer.open(stored, sealContext.file(name.snapshot, name.file));
  if (!compressed) {
    throw new DamagedObjectError({
      key,
      reason: "unauthenticated",
      message: `${where} fails authentication`,
    });
  }
  let raw: Uint8Array;
  try {
    raw = await decompress(compressed, record.size);
  } catch (cause) {
    throw new DamagedObjectError({
      key,
      reason: "corrupt",
      message: `${where} is corrupt: it does not decompress`,
      cause,
    });
  }
  if (raw.length !== record.size || sha256Hex(raw) !== record.sha256) {
    throw new DamagedObjectError({
      key,
      reason: "corrupt",
      message: `${where} is corrupt: its content does not match the manifest`,
    });
  }
  return raw;
}
