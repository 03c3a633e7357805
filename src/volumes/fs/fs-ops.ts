/**
 * The file-system calls backup and restore make, as one object so tests can make a path
 * vanish or a disk fill up at a chosen moment. Paths are Buffers: Linux names are bytes,
 * and a name that is not UTF-8 must still be read and written exactly.
 *
 * Small files are read and written with synchronous calls (small-file.ts says why), and
 * so are a restored file's attributes (restore.ts); everything else is asynchronous.
 */
import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { promisify } from "node:util";
import type { FileEntry } from "./format.js";

export type FsOps = Pick<
  typeof fsp,
  "lstat" | "readdir" | "readlink" | "open" | "mkdir" | "symlink" | "unlink" | "lchown" | "chmod" | "lutimes"
> &
  Pick<
    typeof fs,
    | "lstatSync"
    | "openSync"
    | "readSync"
    | "writeSync"
    | "ftruncateSync"
    | "closeSync"
    | "unlinkSync"
    | "fchownSync"
    | "fchmodSync"
    | "futimesSync"
  > & {
    /** open(2) on the thread pool, giving the bare descriptor (no FileHandle to close asynchronously). */
    openFd(path: Buffer, flags: string | number, mode?: number): Promise<number>;
  };

export const realFs: FsOps = {
  openFd: promisify(fs.open) as FsOps["openFd"],
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
  lstatSync: fs.lstatSync,
  openSync: fs.openSync,
  readSync: fs.readSync,
  writeSync: fs.writeSync,
  ftruncateSync: fs.ftruncateSync,
  closeSync: fs.closeSync,
  unlinkSync: fs.unlinkSync,
  fchownSync: fs.fchownSync,
  fchmodSync: fs.fchmodSync,
  futimesSync: fs.futimesSync,
};

/**
 * O_NOATIME: reading files for a backup leaves their access times as they were. The
 * kernel allows it to the file's owner and to root (CAP_FOWNER); anyone else reads plainly.
 */
export const READ_NOATIME = fs.constants.O_RDONLY | (fs.constants.O_NOATIME ?? 0);

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

/**
 * Owner, mode and mtime of a file just written, synchronously on its descriptor: these
 * only touch the inode, and as async calls each costs Node ~20 µs of the main thread for
 * queueing alone, times three per file.
 */
export function setAttributes(ops: FsOps, fd: number, entry: FileEntry): void {
  try {
    ops.fchownSync(fd, entry.uid, entry.gid);
  } catch (err) {
    unlessNotPermitted(err);
  }
  ops.fchmodSync(fd, entry.mode);
  const mtime = utimeSeconds(entry.mtime);
  ops.futimesSync(fd, mtime, mtime);
}

/** Changing owners needs root (CAP_CHOWN): a restore by anyone else keeps its own (EPERM is no error). */
export function unlessNotPermitted(err: unknown): void {
  if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
}
