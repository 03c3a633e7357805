/**
 * What a file-system snapshot stores (see docs/fs-backup.md). A snapshot of one directory
 * tree holds two id lists:
 *
 *   entries  blobs of entry batches: every directory, file and symlink in depth-first
 *            order (a directory before its contents, siblings by name), as JSON arrays;
 *   chunks   the data chunks of every file, in the same order.
 *
 * A file entry says how many chunks it has; a reader takes that many ids off the chunks
 * list. Keeping the chunk ids out of the entries keeps gc simple (every blob is reachable
 * through an id list, which gc already follows) and the entries small, so a changed
 * mtime rewrites one batch of entries and not a list of chunk ids.
 *
 * Names are stored as "binary strings": each byte of the name as one character (latin1),
 * because Linux file names are bytes and need not be UTF-8. Paths are relative to the
 * volume's root, "/"-separated; the root itself is "".
 */
import { KubesnapError } from "../../core/errors.js";

interface EntryBase {
  readonly path: string;
  /** Permission bits, including setuid, setgid and sticky (st_mode & 0o7777). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /**
   * Nanoseconds since the epoch, as a decimal string (a double would lose the nanoseconds).
   * Access times are not kept: reading a file changes them, so keeping them would make
   * every backup rewrite every entry; a restore sets atime to mtime, as kopia does.
   */
  readonly mtime: string;
}

export interface DirEntry extends EntryBase {
  readonly type: "dir";
}

export interface FileEntry extends EntryBase {
  readonly type: "file";
  readonly size: number;
  /** How many ids of the chunks list are this file's data, in order. */
  readonly chunks: number;
  /** All-zero stretches [offset, length] that are not stored: restored as holes. */
  readonly holes?: readonly (readonly [number, number])[];
  /** The file could not be read to its end: its chunks are skipped on restore. */
  readonly incomplete?: true;
}

export interface SymlinkEntry extends EntryBase {
  readonly type: "symlink";
  /** The link's target, a binary string like names. */
  readonly target: string;
}

export type Entry = DirEntry | FileEntry | SymlinkEntry;

/** The manifest body of a file-system snapshot. */
export interface FsSnapshotBody {
  readonly kind: typeof FS_SNAPSHOT_KIND;
  readonly version: 1;
  /** What was backed up (pod, volume, backup), for people reading the bucket. */
  readonly source: Readonly<Record<string, string>>;
  readonly totals: FsTotals;
  /** The first MAX_ERRORS problems; errorCount has them all. */
  readonly errors: readonly PathError[];
  readonly errorCount: number;
}

export interface FsTotals {
  readonly dirs: number;
  readonly files: number;
  readonly symlinks: number;
  /** Sockets, FIFOs and devices: seen, not stored (Node cannot make them again). */
  readonly skipped: number;
  /** Sum of file sizes, holes included. */
  readonly bytes: number;
}

export interface PathError {
  readonly path: string;
  readonly message: string;
}

export const FS_SNAPSHOT_KIND = "kubesnap.io/fs-backup";
export const ENTRIES_LIST = "entries";
export const CHUNKS_LIST = "chunks";
/** Problems kept by name in a body or a status; the rest are only counted. */
export const MAX_ERRORS = 100;

export function encodeBatch(entries: readonly Entry[]): Uint8Array {
  return Buffer.from(JSON.stringify(entries), "utf8");
}

/**
 * Decodes one batch and checks every path, since a restore writes where they point: a
 * forged or damaged snapshot must not reach outside the target with "..", an absolute
 * path or an empty name.
 */
export function decodeBatch(bytes: Uint8Array, snapshot: string): Entry[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (cause) {
    throw corrupt(snapshot, "an entry batch is not JSON", cause);
  }
  if (!Array.isArray(parsed)) throw corrupt(snapshot, "an entry batch is not a list");
  for (const entry of parsed) checkEntry(entry, snapshot);
  return parsed as Entry[];
}

function checkEntry(entry: unknown, snapshot: string): void {
  const e = entry as Partial<Record<keyof FileEntry | "target", unknown>>;
  const typed =
    typeof e === "object" &&
    e !== null &&
    (e.type === "dir" || e.type === "file" || e.type === "symlink") &&
    typeof e.path === "string" &&
    typeof e.mode === "number" &&
    typeof e.uid === "number" &&
    typeof e.gid === "number" &&
    typeof e.mtime === "string";
  if (!typed) throw corrupt(snapshot, `an entry is malformed: ${JSON.stringify(entry).slice(0, 200)}`);
  if (!safePath(e.path as string))
    throw corrupt(snapshot, `entry path ${JSON.stringify(e.path)} is not safe`);
  if (e.type === "file" && !(Number.isSafeInteger(e.size) && Number.isSafeInteger(e.chunks))) {
    throw corrupt(snapshot, `file entry ${JSON.stringify(e.path)} has no size or chunk count`);
  }
  if (e.type === "symlink" && typeof e.target !== "string") {
    throw corrupt(snapshot, `symlink entry ${JSON.stringify(e.path)} has no target`);
  }
}

/** "" (the root) or names joined by "/", none empty, ".", ".." or holding NUL. */
export function safePath(path: string): boolean {
  if (path === "") return true;
  return path
    .split("/")
    .every((name) => name !== "" && name !== "." && name !== ".." && !name.includes("\0"));
}

function corrupt(snapshot: string, why: string, cause?: unknown): KubesnapError {
  return new KubesnapError("Corrupt", `File-system snapshot "${snapshot}" is damaged: ${why}`, {
    hint: "restore the volume from another backup",
    ...(cause === undefined ? {} : { cause }),
  });
}
