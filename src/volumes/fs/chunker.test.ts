import { createCipheriv, createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { Chunker, DEFAULT_CHUNKER, splitChunks } from "./chunker.js";

/** Fast deterministic pseudo-random bytes (AES-CTR keystream of a seed). */
function randomBytes(length: number, seed: number): Buffer {
  return createCipheriv("aes-128-ctr", Buffer.alloc(16, seed), Buffer.alloc(16)).update(Buffer.alloc(length));
}

function chunkLengths(data: Uint8Array): number[] {
  return [...splitChunks(data)].map((chunk) => chunk.length);
}

function chunkIds(data: Uint8Array): string[] {
  let offset = 0;
  return chunkLengths(data).map((length) => {
    const id = createHash("sha256")
      .update(data.subarray(offset, offset + length))
      .digest("hex");
    offset += length;
    return id;
  });
}

const MiB = 1024 * 1024;

describe("content-defined chunking", () => {
  const data = randomBytes(64 * MiB, 7);

  it("cuts random data near the 1 MiB average, within min and max", () => {
    const lengths = chunkLengths(data);
    const average = data.length / lengths.length;
    expect(average).toBeGreaterThan(0.85 * MiB);
    expect(average).toBeLessThan(1.15 * MiB);
    expect(Math.min(...lengths.slice(0, -1))).toBeGreaterThan(DEFAULT_CHUNKER.min);
    expect(Math.max(...lengths)).toBeLessThanOrEqual(DEFAULT_CHUNKER.max);
  });

  it("cuts the same places however the stream is split into buffers", () => {
    const whole = chunkLengths(data);
    const chunker = new Chunker();
    const lengths: number[] = [];
    let current = 0;
    let position = 0;
    let step = 1000;
    while (position < data.length) {
      const piece = data.subarray(position, Math.min(data.length, position + step));
      let from = 0;
      for (;;) {
        const end = chunker.next(piece, from);
        if (end === -1) {
          current += piece.length - from;
          break;
        }
        lengths.push(current + end - from);
        current = 0;
        from = end;
      }
      position += piece.length;
      step = (step * 7919) % 3_000_001 || 1;
    }
    if (current > 0) lengths.push(current);
    expect(lengths).toEqual(whole);
  });

  it("keeps every chunk away from an insertion: only the chunks around it change", () => {
    const before = chunkIds(data);
    const at = 31 * MiB + 12345;
    const inserted = Buffer.concat([data.subarray(0, at), randomBytes(100, 9), data.subarray(at)]);
    const after = chunkIds(inserted);
    const old = new Set(before);
    const changed = after.filter((id) => !old.has(id));
    expect(changed.length).toBeLessThanOrEqual(2);
    expect(before.length - after.filter((id) => old.has(id)).length).toBeLessThanOrEqual(2);
  });

  it("falls back into the old cuts soon after a rewritten stretch", () => {
    const before = new Set(chunkIds(data));
    let newBytes = 0;
    for (let t = 0; t < 8; t++) {
      const copy = Buffer.from(data);
      randomBytes(MiB, 100 + t).copy(copy, Math.floor(((t + 0.37) / 8) * 60 * MiB));
      for (const chunk of splitChunks(copy)) {
        const id = createHash("sha256").update(chunk).digest("hex");
        if (!before.has(id)) newBytes += chunk.length;
      }
    }
    // The MiB itself, the chunk it starts in and about one more: ~2.2 MiB a time, measured.
    expect(newBytes / 8).toBeLessThan(3 * MiB);
  });

  it("keeps the chunks after a deletion", () => {
    const before = new Set(chunkIds(data));
    const cut = Buffer.concat([data.subarray(0, 10 * MiB), data.subarray(10 * MiB + 5000)]);
    const after = chunkIds(cut);
    expect(after.filter((id) => !before.has(id)).length).toBeLessThanOrEqual(2);
  });

  it("puts a run of zeros into all-zero chunks, cut where the run starts", () => {
    const run = 5 * MiB;
    const mixed = Buffer.concat([randomBytes(3 * MiB, 1), Buffer.alloc(run), randomBytes(2 * MiB, 2)]);
    const lengths = chunkLengths(mixed);
    let offset = 0;
    let zeroBytes = 0;
    for (const length of lengths) {
      const chunk = mixed.subarray(offset, offset + length);
      if (chunk.every((b) => b === 0)) zeroBytes += length;
      offset += length;
    }
    // Everything but the start of the chunk that runs from the zeros into the data again.
    expect(zeroBytes).toBeGreaterThan(run - DEFAULT_CHUNKER.min - 64);
  });
});
