/** Shared by the file-system backup tests (unit and integration): data sets and tree comparison. */
import { createCipheriv, createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import {
  chmod,
  chown,
  lstat,
  lutimes,
  mkdir,
  readdir,
  readlink,
  symlink,
  truncate,
  utimes,
  writeFile,
} from "node:fs/promises";
import { join } from "node:path";
import { expect } from "vitest";

/** Fast deterministic pseudo-random bytes: the AES-CTR keystream of a seed. */
export function randomBytes(length: number, seed: number): Buffer {
  const key = createHash("sha256").update(`seed ${seed}`).digest().subarray(0, 16);
  return createCipheriv("aes-128-ctr", key, Buffer.alloc(16)).update(Buffer.alloc(length));
}

export interface TreeItem {
  readonly path: string;
  readonly type: "dir" | "file" | "symlink" | "other";
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  readonly mtimeNs: bigint;
  readonly size?: number;
  readonly sha256?: string;
  readonly target?: string;
  /** Bytes on disk (st_blocks * 512): much less than size for a sparse file. */
  readonly allocated?: number;
}

/** Every entry under root (root itself as ""), sorted by path, with content hashes; names as latin1 (bytes). */
export async function describeTree(root: string): Promise<TreeItem[]> {
  const items: TreeItem[] = [];
  const visit = async (abs: Buffer, relative: string): Promise<void> => {
    const stat = await lstat(abs, { bigint: true });
    const base = {
      path: relative,
      mode: Number(stat.mode) & 0o7777,
      uid: Number(stat.uid),
      gid: Number(stat.gid),
      mtimeNs: stat.mtimeNs,
    };
    if (stat.isDirectory()) {
      items.push({ ...base, type: "dir" });
      const names = (await readdir(abs, { encoding: "buffer" })).sort(Buffer.compare);
      for (const name of names) {
        const child = name.toString("latin1");
        await visit(
          Buffer.concat([abs, Buffer.from("/"), name]),
          relative === "" ? child : `${relative}/${child}`,
        );
      }
    } else if (stat.isSymbolicLink()) {
      items.push({
        ...base,
        type: "symlink",
        target: (await readlink(abs, { encoding: "buffer" })).toString("latin1"),
      });
    } else if (stat.isFile()) {
      items.push({
        ...base,
        type: "file",
        size: Number(stat.size),
        sha256: await hashFile(abs),
        allocated: Number(stat.blocks) * 512,
      });
    } else {
      items.push({ ...base, type: "other" });
    }
  };
  await visit(Buffer.from(root), "");
  return items;
}

async function hashFile(path: Buffer): Promise<string> {
  const hash = createHash("sha256");
  for await (const piece of createReadStream(path)) hash.update(piece as Buffer);
  return hash.digest("hex");
}

/**
 * Checks that a restored tree is the original: every field equal, except mtimes, which
 * must agree to the microsecond (utimes takes a double: ~0.25 µs at today's dates),
 * symlink times (not compared) and allocation, compared only as "sparse or not".
 */
export function expectSameTree(actual: readonly TreeItem[], expected: readonly TreeItem[]): void {
  const strip = (items: readonly TreeItem[]) =>
    items.map(({ mtimeNs, allocated, ...rest }) => ({
      ...rest,
      sparse: allocated === undefined || rest.size === undefined ? undefined : allocated * 2 < rest.size,
    }));
  expect(strip(actual)).toEqual(strip(expected));
  actual.forEach((item, i) => {
    const want = expected[i] as TreeItem;
    if (item.type === "symlink") return;
    const off = item.mtimeNs > want.mtimeNs ? item.mtimeNs - want.mtimeNs : want.mtimeNs - item.mtimeNs;
    expect(off, `mtime of ${item.path}`).toBeLessThanOrEqual(1000n);
  });
}

/**
 * A tree with every kind of thing a volume holds: a large random file, small files, an
 * empty directory, a read-only directory, symlinks (relative, absolute, dangling), a
 * sparse file, a file whose name is not UTF-8, odd modes (setuid, sticky), other owners.
 */
export async function makeMixedTree(
  root: string,
  options: { largeBytes: number; smallFiles: number; seed: number },
) {
  const { seed } = options;
  await mkdir(join(root, "data", "small"), { recursive: true });
  await writeFile(join(root, "data", "large.bin"), randomBytes(options.largeBytes, seed));
  for (let i = 0; i < options.smallFiles; i++) {
    const dir = join(root, "data", "small", `d${String(i % 50).padStart(2, "0")}`);
    if (i < 50) await mkdir(dir);
    await writeFile(join(dir, `f${i}.txt`), randomBytes(1024 + ((i * 7919) % 3072), seed * 100_000 + i));
  }
  await mkdir(join(root, "empty", "deeper"), { recursive: true });
  await writeFile(join(root, "sparse.img"), randomBytes(4096, seed + 1));
  await truncate(join(root, "sparse.img"), 48 * 1024 * 1024);
  await writeFile(join(root, "setuid"), "#!/bin/sh\n", { mode: 0o4755 });
  await mkdir(join(root, "sticky"), { mode: 0o1777 });
  await writeFile(join(root, "ünïcödé-名前.txt"), "a UTF-8 name");
  await writeFile(Buffer.from(`${root}/bytes-\xff\xfe.txt`, "latin1"), "a name that is not UTF-8");
  await symlink("data/large.bin", join(root, "link-relative"));
  await symlink("/etc/hostname", join(root, "link-absolute"));
  await symlink("nowhere", join(root, "link-dangling"));
  await mkdir(join(root, "readonly"));
  await writeFile(join(root, "readonly", "inside"), "kept");
  await chown(join(root, "data", "large.bin"), 1234, 5678).catch(() => undefined);
  await chown(join(root, "readonly"), 4321, 8765).catch(() => undefined);
  const past = new Date("2021-03-04T05:06:07.891Z");
  await utimes(join(root, "setuid"), past, past);
  await lutimes(join(root, "link-relative"), past, past);
  await chmod(join(root, "readonly"), 0o555);
  await utimes(join(root, "empty", "deeper"), past, past);
}
