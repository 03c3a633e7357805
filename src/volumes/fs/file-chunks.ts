/**
 * Reading one file as content-defined chunks with bounded memory: blocks of at most
 * BLOCK_BYTES are read, cut by the chunker, and each chunk is handed out as soon as it is
 * complete (a view into its block, or a copy when it spans blocks). However large the
 * file, only the chunks the caller still holds and one block are in memory.
 */
import type { FileHandle } from "node:fs/promises";
import { Chunker } from "./chunker.js";

const BLOCK_BYTES = 4 * 1024 * 1024;

/** The chunks of an open file, read from its current position to its end. */
export async function* fileChunks(file: FileHandle, sizeHint: number): AsyncGenerator<Uint8Array> {
  const chunker = new Chunker();
  // A small file is read in one block of its own size (+1, so the end is seen in one read).
  const blockBytes = Math.min(BLOCK_BYTES, Math.max(sizeHint, 0) + 1);
  let parts: Uint8Array[] = [];
  for (;;) {
    const block = Buffer.allocUnsafe(blockBytes);
    const { bytesRead } = await file.read(block, 0, blockBytes, null);
    if (bytesRead === 0) break;
    const data = block.subarray(0, bytesRead);
    let start = 0;
    while (start < data.length) {
      const end = chunker.next(data, start);
      if (end === -1) {
        parts.push(data.subarray(start));
        break;
      }
      const piece = data.subarray(start, end);
      yield parts.length === 0 ? piece : Buffer.concat([...parts, piece]);
      parts = [];
      start = end;
    }
  }
  if (parts.length > 0) yield parts.length === 1 ? (parts[0] as Uint8Array) : Buffer.concat(parts);
}

const ZEROS = Buffer.alloc(8 * 1024 * 1024);

/** True when every byte is zero: such a chunk is a hole, not data. */
export function isAllZero(chunk: Uint8Array): boolean {
  if (chunk[0] !== 0 || chunk[chunk.length - 1] !== 0) return false;
  for (let start = 0; start < chunk.length; start += ZEROS.length) {
    const piece = chunk.subarray(start, Math.min(chunk.length, start + ZEROS.length));
    if (!ZEROS.subarray(0, piece.length).equals(piece)) return false;
  }
  return true;
}
