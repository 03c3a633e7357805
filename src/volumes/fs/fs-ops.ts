/**
 * The file-system calls backup and restore make, as one object so tests can make a path
 * vanish or a disk fill up at a chosen moment. Paths are Buffers: Linux names are bytes,
 * and a name that is not UTF-8 must still be read and written exactly.
 *
 * Restore sets a written file's attributes with synchronous calls (see restore.ts for
 * why); everything else is asynchronous.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";

export type FsOps = Pick<
  typeof fsp,
  "lstat" | "readdir" | "readlink" | "open" | "mkdir" | "symlink" | "unlink" | "lchown" | "chmod" | "lutimes"
> &
  Pick<typeof fs, "fchownSync" | "fchmodSync" | "futimesSync">;

export const realFs: FsOps = {
  lstat: fsp.lstat,
  readdir: fsp.readdir,
  readlink: fsp.readlink,
  open: fsp.open,
  mkdir: fsp.mkdir,
  symlink: fsp.symlink,
  unlink: fsp.unlink,
  lchown: fsp.lchown,
  chmod: fsp.chmod,
  lutimes: fsp.lutimes,
  fchownSync: fs.fchownSync,
  fchmodSync: fs.fchmodSync,
  futimesSync: fs.futimesSync,
};

/**
 * O_NOATIME: reading files for a backup leaves their access times as they were. The
 * kernel allows it to the file's owner and to root (CAP_FOWNER); anyone else reads plainly.
 */
const READ_NOATIME = fs.constants.O_RDONLY | (fs.constants.O_NOATIME ?? 0);

export async function openForReading(fs: FsOps, abs: Buffer): Promise<fsp.FileHandle> {
  try {
    return await fs.open(abs, READ_NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    return fs.open(abs, "r");
  }
}

/** A child path: parent + "/" + name, all bytes. */
export function childPath(parent: Buffer, name: Buffer): Buffer {
  return Buffer.concat([parent, SLASH, name]);
}

/** A path relative to the volume root (a binary string, see format.ts) made absolute under root. */
export function absolutePath(root: Buffer, relative: string): Buffer {
  return relative === "" ? root : Buffer.concat([root, SLASH, Buffer.from(relative, "latin1")]);
}

/** For messages: a binary-string path as the UTF-8 text it most likely is. */
export function displayPath(relative: string): string {
  return relative === "" ? "/" : `/${Buffer.from(relative, "latin1").toString("utf8")}`;
}

const SLASH = Buffer.from("/");

/** Nanoseconds since the epoch as the seconds utimes takes; a double keeps them to ~0.25 µs. */
export function utimeSeconds(ns: bigint | string): number {
  const value = BigInt(ns);
  return Number(value / 1_000_000_000n) + Number(value % 1_000_000_000n) / 1e9;
}
