/**
 * Reading one blob out of a pack, verified against its id. Every path that hands blob
 * bytes to a caller (readBlob, id-list walks, gc, verify) goes through decodeFrame, so
 * a flipped byte anywhere in the frame is reported as Corrupt, naming blob and pack.
 */
import { crc32 } from "node:zlib";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import { blobIdOf } from "./blob-id.js";
import { decompress } from "./compression.js";
import type { PackEntry } from "./index-file.js";
import { packKey } from "./layout.js";

/** Where a blob lives: its pack and its frame inside it. */
export interface BlobLocation extends PackEntry {
  readonly pack: string;
}

const VERIFY_HINT =
  "the stored data was altered or damaged; restore from another backup, or restore the rest and recreate this item";

export async function readBlobAt(storage: Storage, location: BlobLocation): Promise<Uint8Array> {
  let frame: Uint8Array;
  try {
    frame = await storage.get(packKey(location.pack), { offset: location.offset, length: location.length });
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    throw new KubesnapError(
      "NotFound",
      `Cannot read blob ${location.blob}: pack ${location.pack} is missing from ${storage.description}`,
      { hint: VERIFY_HINT, cause: err },
    );
  }
  return decodeFrame(location, frame, storage.description);
}

/** Decompresses one frame (already cut out of its pack) and checks it against the blob id. */
export async function decodeFrame(
  location: BlobLocation,
  frame: Uint8Array,
  where: string,
): Promise<Uint8Array> {
  const corrupt = (why: string, cause?: unknown) =>
    new KubesnapError(
      "Corrupt",
      `Blob ${location.blob} in pack ${location.pack} at ${where} is corrupt: ${why}`,
      cause === undefined ? { hint: VERIFY_HINT } : { hint: VERIFY_HINT, cause },
    );
  if (frame.length !== location.length) {
    throw corrupt(`expected ${location.length} bytes at offset ${location.offset}, found ${frame.length}`);
  }
  if (crc32(frame) !== location.crc32) throw corrupt("its stored bytes do not match their CRC-32");
  let raw: Uint8Array;
  try {
    raw = await decompress(frame, location.rawLength);
  } catch (cause) {
    throw corrupt("its zstd frame does not decompress", cause);
  }
  if (raw.length !== location.rawLength || blobIdOf(raw) !== location.blob) {
    throw corrupt("its content does not match its SHA-256 id");
  }
  return raw;
}
