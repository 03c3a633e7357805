/**
 * Binary encoding of index files: which blobs each pack holds and where. Binary keeps
 * an entry at 48 bytes (JSON with hex ids would be ~180), which matters because every
 * snapshot that adds blobs writes one; ids are random, so compression would not help.
 *
 *   "KSIX" | version u8 (=1) | 3 zero bytes | packCount u32
 *   per pack:  packId (32 bytes) | entryCount u32
 *     per entry: blobId (32 bytes) | offset u32 | length u32 | rawLength u32 | crc32 u32
 *
 * Integers are big-endian. The file's key is the SHA-256 of these bytes, so a reader
 * checks the whole file against its own name.
 */
import { BLOB_ID_BYTES, type BlobId, readHash, writeHash } from "./blob-id.js";

export interface PackEntry {
  readonly blob: BlobId;
  /** Where the blob's zstd frame starts in the pack. */
  readonly offset: number;
  /** Length of the zstd frame. */
  readonly length: number;
  /** Length of the blob before compression. */
  readonly rawLength: number;
  /**
   * CRC-32 of the zstd frame. The SHA-256 id checks the content; this catches damage
   * to frame bytes zstd ignores (some header bits), so any flipped bit is reported.
   */
  readonly crc32: number;
}

export interface PackRecord {
  /** SHA-256 (hex) of the pack's bytes. */
  readonly pack: string;
  readonly entries: readonly PackEntry[];
}

const MAGIC = "KSIX";
const VERSION = 1;
const HEADER_BYTES = 12;
const PACK_HEADER_BYTES = BLOB_ID_BYTES + 4;
const ENTRY_BYTES = BLOB_ID_BYTES + 16;

export function encodeIndex(packs: readonly PackRecord[]): Uint8Array {
  const size = packs.reduce((n, p) => n + PACK_HEADER_BYTES + p.entries.length * ENTRY_BYTES, HEADER_BYTES);
  const out = Buffer.alloc(size);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt8(VERSION, 4);
  out.writeUInt32BE(packs.length, 8);
  let at = HEADER_BYTES;
  for (const pack of packs) {
    writeHash(pack.pack, out, at);
    out.writeUInt32BE(pack.entries.length, at + BLOB_ID_BYTES);
    at += PACK_HEADER_BYTES;
    for (const entry of pack.entries) {
      writeHash(entry.blob, out, at);
      out.writeUInt32BE(entry.offset, at + BLOB_ID_BYTES);
      out.writeUInt32BE(entry.length, at + BLOB_ID_BYTES + 4);
      out.writeUInt32BE(entry.rawLength, at + BLOB_ID_BYTES + 8);
      out.writeUInt32BE(entry.crc32, at + BLOB_ID_BYTES + 12);
      at += ENTRY_BYTES;
    }
  }
  return out;
}

/** Decodes an index file; returns a reason string instead of throwing so the caller can name the file. */
export function decodeIndex(bytes: Uint8Array): PackRecord[] | string {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.length < HEADER_BYTES || buf.toString("latin1", 0, 4) !== MAGIC) return "not an index file";
  const version = buf.readUInt8(4);
  if (version !== VERSION) return `unsupported index version ${version}`;
  const packs: PackRecord[] = [];
  const packCount = buf.readUInt32BE(8);
  let at = HEADER_BYTES;
  for (let p = 0; p < packCount; p++) {
    if (at + PACK_HEADER_BYTES > buf.length) return "truncated";
    const pack = readHash(buf, at);
    const count = buf.readUInt32BE(at + BLOB_ID_BYTES);
    at += PACK_HEADER_BYTES;
    if (at + count * ENTRY_BYTES > buf.length) return "truncated";
    const entries: PackEntry[] = [];
    for (let e = 0; e < count; e++) {
      entries.push({
        blob: readHash(buf, at) as BlobId,
        offset: buf.readUInt32BE(at + BLOB_ID_BYTES),
        length: buf.readUInt32BE(at + BLOB_ID_BYTES + 4),
        rawLength: buf.readUInt32BE(at + BLOB_ID_BYTES + 8),
        crc32: buf.readUInt32BE(at + BLOB_ID_BYTES + 12),
      });
      at += ENTRY_BYTES;
    }
    packs.push({ pack, entries });
  }
  return at === buf.length ? packs : "trailing bytes";
}
