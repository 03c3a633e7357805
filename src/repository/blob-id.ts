/**
 * Blob identity: in a plain repository the SHA-256 of a blob's raw (uncompressed) bytes
 * (blobIdOf); an encrypted one uses HMAC-SHA256 instead (sealer.ts), so ask the
 * repository's sealer or SnapshotWriter.idOf rather than blobIdOf. In memory and in JSON
 * a BlobId is the 64-character lowercase hex string; in binary encodings (index files,
 * id-list nodes) it is the 32 raw bytes.
 */
import { createHash } from "node:crypto";

export type BlobId = string & { readonly __brand: "BlobId" };

export const BLOB_ID_BYTES = 32;

const HEX_ID = /^[0-9a-f]{64}$/;

export function blobIdOf(bytes: Uint8Array): BlobId {
  return sha256Hex(bytes) as BlobId;
}

export function isBlobId(value: unknown): value is BlobId {
  return typeof value === "string" && HEX_ID.test(value);
}

/** Writes the 32 raw bytes of a hex SHA-256 (a blob or pack id) into target at offset. */
export function writeHash(hex: string, target: Uint8Array, offset: number): void {
  target.set(Buffer.from(hex, "hex"), offset);
}

/** Reads 32 raw bytes at offset as hex. */
export function readHash(source: Uint8Array, offset: number): string {
  return Buffer.from(source.buffer, source.byteOffset + offset, BLOB_ID_BYTES).toString("hex");
}

/** SHA-256 (hex) of bytes that are not blobs: packs, index files, side files. */
export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}
