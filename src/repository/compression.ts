/**
 * zstd from node:zlib, wrapped in promises. The async variants run on libuv's thread
 * pool, so compressing many blobs at once does not block the event loop.
 */
import { promisify } from "node:util";
import { constants, zstdCompress, zstdDecompress } from "node:zlib";

const compressAsync = promisify(zstdCompress);
const decompressAsync = promisify(zstdDecompress);

/** Level 3 is zstd's default: most of the ratio for a fraction of the CPU of higher levels. */
const LEVEL = 3;

export function compress(raw: Uint8Array): Promise<Uint8Array> {
  return compressAsync(raw, { params: { [constants.ZSTD_c_compressionLevel]: LEVEL } });
}

/**
 * Decompresses at most maxLength bytes. The bound comes from the index (the blob's
 * raw length), so a damaged frame cannot make us allocate without limit.
 */
export function decompress(compressed: Uint8Array, maxLength: number): Promise<Uint8Array> {
  // maxOutputLength must be at least 1.
  return decompressAsync(compressed, { maxOutputLength: Math.max(1, maxLength) });
}
