/**
 * Reading one blob out of a pack, verified against its id. Every path that hands blob
 * bytes to a caller (readBlob, id-list walks, gc, verify) goes through decodeFrame, so
 * a flipped byte anywhere in the frame is reported as Corrupt, naming blob and pack.
 */
import { crc32 } from "node:zlib";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import { decompress } from "./compression.js";
import { DamagedObjectError, type DamageReason } from "./damage.js";
import type { PackEntry } from "./index-file.js";
import { packKey } from "./layout.js";
import { type SealedStorage, type Sealer, sealContext } from "./sealer.js";

/** Where a blob lives: its pack and its frame inside it. */
export interface BlobLocation extends PackEntry {
  readonly pack: string;
}

const VERIFY_HINT =
  "the stored data was altered or damaged; restore from another backup, or restore the rest and recreate this item";

/** Reads a range of a pack: the storage itself, or a PackCache in front of it. */
export type PackReader = (pack: string, range: { offset: number; length: number }) => Promise<Uint8Array>;

export async function readBlobAt(
  store: SealedStorage,
  location: BlobLocation,
  readPack: PackReader = (pack, range) => store.storage.get(packKey(pack), range),
): Promise<Uint8Array> {
  const { storage } = store;
  let frame: Uint8Array;
  try {
    frame = await readPack(location.pack, { offset: location.offset, length: location.length });
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    throw new KubesnapError(
      "NotFound",
      `Cannot read blob ${location.blob}: pack ${location.pack} is missing from ${storage.description}`,
      { hint: VERIFY_HINT, cause: err },
    );
  }
  return decodeFrame(frame, { location, sealer: store.sealer, where: storage.description });
}

export interface FrameSource {
  readonly location: BlobLocation;
  readonly sealer: Sealer;
  /** The location's description, for messages. */
  readonly where: string;
}

/** Opens, decompresses and checks one frame (already cut out of its pack) against the blob id. */
export async function decodeFrame(frame: Uint8Array, source: FrameSource): Promise<Uint8Array> {
  const { location, sealer } = source;
  const damaged = (reason: DamageReason, why: string, cause?: unknown) =>
    new DamagedObjectError({
      key: packKey(location.pack),
      reason,
      message: `Blob ${location.blob} in pack ${location.pack} at ${source.where} is corrupt: ${why}`,
      hint: VERIFY_HINT,
      cause,
    });
  if (frame.length !== location.length) {
    const why = `expected ${location.length} bytes at offset ${location.offset}, found ${frame.length}`;
    throw damaged(frame.length < location.length ? "truncated" : "corrupt", why);
  }
  if (crc32(frame) !== location.crc32) throw damaged("corrupt", "its stored bytes do not match their CRC-32");
  const compressed = sealer.open(frame, sealContext.blob(location.blob));
  if (!compressed) throw damaged("unauthenticated", "it fails authentication");
  let raw: Uint8Array;
  try {
    raw = await decompress(compressed, location.rawLength);
  } catch (cause) {
    throw damaged("corrupt", "its zstd frame does not decompress", cause);
  }
  if (raw.length !== location.rawLength || sealer.idOf(raw) !== location.blob) {
    throw damaged("corrupt", "its content does not match its id");
  }
  return raw;
}
