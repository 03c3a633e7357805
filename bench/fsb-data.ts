/**
 * The file-system backup data set, shared by the fsb benchmark and test/volumes: one large
 * file, 10,000 small files, a sparse file and symlinks, generated fast and reproducibly
 * (an AES-CTR keystream of a seed), and the "1% change" a second backup measures.
 *
 * The large file alternates 4 MiB of random bytes with 4 MiB of log-like text, so
 * compression matters as it does with real volumes; small files are 1–4 KiB of JSON-ish
 * text with random ids.
 */
import { createCipheriv, createHash } from "node:crypto";
import { mkdir, open, symlink, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";

const MiB = 1024 * 1024;
const BLOCK = 4 * MiB;
export const SMALL_FILES = 10_000;
export const SPARSE_APPARENT = 64 * MiB;
const SPARSE_DATA = [0, 20 * MiB, 40 * MiB];

/** The AES-CTR keystream of a seed: random-looking, reproducible, ~1 GB/s. */
export function keystream(length: number, seed: string): Buffer {
  const key = createHash("sha256").update(seed).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

/** Compressible text: log lines with a counter and a few random hex digits each. */
function logText(length: number, seed: string): Buffer {
  const noise = keystream(Math.ceil(length / 64) * 4, seed).toString("hex");
  const lines: string[] = [];
  let size = 0;
  for (let i = 0; size < length; i++) {
    const line = `2026-11-26T07:00:${String(i % 60).padStart(2, "0")}Z level=info msg="request served" id=${noise.slice(i * 8, i * 8 + 8)} n=${i}\n`;
    lines.push(line);
    size += line.length;
  }
  return Buffer.from(lines.join("")).subarray(0, length);
}

function smallFile(i: number, seed: string): Buffer {
  const size = 1024 + ((i * 7919) % 3072);
  const id = keystream(16, `${seed}/small/${i}`).toString("hex");
  const body = JSON.stringify({ id, index: i, tags: ["a", "b", id.slice(0, 6)], note: "x".repeat(size) });
  return Buffer.from(body).subarray(0, size);
}

export interface DataSet {
  /** Bytes the files hold (the sparse file's holes included). */
  readonly bytes: number;
  readonly largeBytes: number;
}

/**
 * Writes the data set into dir (which must not exist): about `totalBytes` in all, most of
 * it in data/large.bin.
 */
export async function makeDataSet(dir: string, totalBytes: number, seed = "kubesnap-fsb"): Promise<DataSet> {
  const smallBytes = Array.from({ length: SMALL_FILES }, (_, i) => 1024 + ((i * 7919) % 3072)).reduce(
    (a, b) => a + b,
  );
  const largeBytes = Math.max(BLOCK, totalBytes - smallBytes - SPARSE_APPARENT);
  await mkdir(join(dir, "data", "small"), { recursive: true });
  const large = await open(join(dir, "data", "large.bin"), "w");
  try {
    for (let offset = 0, block = 0; offset < largeBytes; offset += BLOCK, block++) {
      const length = Math.min(BLOCK, largeBytes - offset);
      const bytes =
        block % 2 === 0 ? keystream(length, `${seed}/large/${block}`) : logText(length, `${seed}/${block}`);
      await large.write(bytes, 0, length, offset);
    }
  } finally {
    await large.close();
  }
  for (let d = 0; d < 100; d++) await mkdir(join(dir, "data", "small", `d${d}`));
  for (let i = 0; i < SMALL_FILES; i++) {
    await writeFile(join(dir, "data", "small", `d${i % 100}`, `f${i}.json`), smallFile(i, seed));
  }
  const sparse = join(dir, "disk.img");
  await writeFile(sparse, "");
  const handle = await open(sparse, "r+");
  try {
    for (const at of SPARSE_DATA) await handle.write(keystream(MiB, `${seed}/sparse/${at}`), 0, MiB, at);
  } finally {
    await handle.close();
  }
  await truncate(sparse, SPARSE_APPARENT);
  await mkdir(join(dir, "empty"));
  await symlink("data/large.bin", join(dir, "current"));
  await symlink("../nowhere", join(dir, "dangling"));
  return { bytes: largeBytes + smallBytes + SPARSE_APPARENT, largeBytes };
}

/**
 * Changes about 1% of the data set's bytes, the way volumes change: two stretches of the
 * large file rewritten in place (with new content of the same kind, random or text, as
 * what they replace), 4 KiB inserted into it (which shifts everything after), 1% of the
 * small files rewritten, and a new log file. Returns the bytes changed.
 */
export async function changeOnePercent(dir: string, set: DataSet, seed = "kubesnap-fsb/v2"): Promise<number> {
  const budget = set.bytes / 100;
  const stretch = Math.max(64 * 1024, Math.floor(budget * 0.35));
  const large = await open(join(dir, "data", "large.bin"), "r+");
  let changed = 0;
  try {
    for (const [r, at] of [Math.floor(set.largeBytes / 3), Math.floor((set.largeBytes * 2) / 3)].entries()) {
      const length = Math.min(stretch, set.largeBytes - at);
      for (let offset = at; offset < at + length; ) {
        // Within one block of the original, so the new bytes are of the block's kind.
        const block = Math.floor(offset / BLOCK);
        const piece = Math.min(at + length, (block + 1) * BLOCK) - offset;
        const fresh = `${seed}/stretch/${r}/${offset}`;
        const bytes = block % 2 === 0 ? keystream(piece, fresh) : logText(piece, fresh);
        await large.write(bytes, 0, piece, offset);
        offset += piece;
      }
      changed += length;
    }
  } finally {
    await large.close();
  }
  changed += await insertInto(
    join(dir, "data", "large.bin"),
    Math.floor(set.largeBytes / 2),
    logText(4096, seed),
  );
  for (let i = 0; i < SMALL_FILES; i += 100) {
    const file = smallFile(i, seed);
    await writeFile(join(dir, "data", "small", `d${i % 100}`, `f${i}.json`), file);
    changed += file.length;
  }
  const added = Math.max(64 * 1024, Math.floor(budget / 4));
  await writeFile(join(dir, "data", "added.log"), logText(added, `${seed}/added`));
  return changed + added;
}

/** Inserts bytes at offset, moving the rest of the file up (streamed, in 4 MiB blocks from the end). */
async function insertInto(path: string, offset: number, bytes: Buffer): Promise<number> {
  const handle = await open(path, "r+");
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.allocUnsafe(BLOCK);
    for (let end = size; end > offset; ) {
      const start = Math.max(offset, end - BLOCK);
      const { bytesRead } = await handle.read(buffer, 0, end - start, start);
      await handle.write(buffer, 0, bytesRead, start + bytes.length);
      end = start;
    }
    await handle.write(bytes, 0, bytes.length, offset);
    return bytes.length;
  } finally {
    await handle.close();
  }
}
