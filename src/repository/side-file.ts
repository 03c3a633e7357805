/** Reading a snapshot's side file back, checked against the size and SHA-256 in its manifest. */
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import { sha256Hex } from "./blob-id.js";
import { decompress } from "./compression.js";
import { sideFileKey } from "./layout.js";
import type { SideFile } from "./manifest.js";

export async function readSideFile(
  storage: Storage,
  snapshot: string,
  file: string,
  record: SideFile,
): Promise<Uint8Array> {
  const key = sideFileKey(snapshot, file);
  const where = `Side file "${file}" of snapshot "${snapshot}" (${key} at ${storage.description})`;
  let compressed: Uint8Array;
  try {
    compressed = await storage.get(key);
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    throw new KubesnapError("NotFound", `${where} is missing`, { cause: err });
  }
  let raw: Uint8Array;
  try {
    raw = await decompress(compressed, record.size);
  } catch (cause) {
    throw new KubesnapError("Corrupt", `${where} is corrupt: it does not decompress`, { cause });
  }
  if (raw.length !== record.size || sha256Hex(raw) !== record.sha256) {
    throw new KubesnapError("Corrupt", `${where} is corrupt: its content does not match the manifest`);
  }
  return raw;
}
