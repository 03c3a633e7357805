/**
 * The file-system calls backup and restore make, as one object so tests can make a path
 * vanish or a disk fill up at a chosen moment. Paths are Buffers: Linux names are bytes,
 * and a name that is not UTF-8 must still be read and written exactly.
 */
import * as fsp from "node:fs/promises";

export type FsOps = Pick<
  typeof fsp,
  | "lstat"
  | "readdir"
  | "readlink"
  | "open"
  | "mkdir"
  | "symlink"
  | "unlink"
  | "lchown"
  | "chmod"
  | "lutimes"
  | "rm"
>;

export const realFs: FsOps = fsp;

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
