import { zstdDecompressSync } from "node:zlib";

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd]);

/**
 * A stored file's bytes as an attacker could read them: raw, and every zstd frame in it
 * decompressed (zstd entropy-codes literals, so plain text is not visible in raw bytes).
 */
export function readableViews(bytes: Buffer): Buffer[] {
  const starts: number[] = [];
  for (let at = bytes.indexOf(ZSTD_MAGIC); at >= 0; at = bytes.indexOf(ZSTD_MAGIC, at + 1)) starts.push(at);
  const views = [bytes];
  starts.forEach((start, i) => {
    try {
      views.push(zstdDecompressSync(bytes.subarray(start, starts[i + 1] ?? bytes.length)));
    } catch {
      // Not a whole frame (a magic number by chance, or frames followed by other data).
    }
  });
  return views;
}
