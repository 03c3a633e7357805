/**
 * Small files are read, and written once created, with synchronous calls on the main
 * thread. Most of a volume's files are small, and each costs a few system calls that
 * take microseconds when the data is in the page cache; through Node's thread pool each
 * call costs ~40 µs of hand-offs and promises instead. Measured on 10,000 files of 1–4 KiB:
 * reading them took 44 ms synchronously and 300–800 ms asynchronously (32 at once), and
 * those hand-offs, not the disk, were what made a backup of many small files twice as
 * slow as restic's. A file not in the cache blocks the event loop for its one read.
 *
 * Creating a file is the exception: ext4 can spend a long time in the kernel finding a
 * free inode (one not recently deleted, profiled at up to ~400 µs per file after a large
 * delete), so creates go to the thread pool, many at once, where both cores share that
 * work; writing, attributes and close follow synchronously on the new descriptor.
 * Large files stream asynchronously (file-chunks.ts, restore.ts).
 */
import type { FileEntry } from "./format.js";
import { type FsOps, READ_NOATIME, setAttributes } from "./fs-ops.js";

/** Files up to this size are read and written whole, synchronously (larger ones stream). */
export const SMALL_FILE_BYTES = 1024 * 1024;

/**
 * Reads a file of about `size` bytes (its lstat from the walk) whole. One byte more is
 * asked for, so a file that grew since is noticed and read to its end; no fstat is needed.
 */
export function readSmallFile(ops: FsOps, abs: Buffer, size: number): Buffer {
  const fd = openSyncForReading(ops, abs);
  try {
    let buffer: Buffer = Buffer.allocUnsafe(size + 1);
    let length = 0;
    for (;;) {
      const bytesRead = ops.readSync(fd, buffer, length, buffer.length - length, null);
      length += bytesRead;
      // A short read is the end of a regular file.
      if (bytesRead === 0 || length < buffer.length) return buffer.subarray(0, length);
      buffer = grow(buffer);
    }
  } finally {
    ops.closeSync(fd);
  }
}

function grow(buffer: Buffer): Buffer {
  const bigger = Buffer.allocUnsafe(buffer.length * 2);
  buffer.copy(bigger);
  return bigger;
}

function openSyncForReading(ops: FsOps, abs: Buffer): number {
  try {
    return ops.openSync(abs, READ_NOATIME);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EPERM") throw err;
    return ops.openSync(abs, "r");
  }
}

/**
 * Writes a file of at most one chunk (bytes) at abs with its attributes. Whatever was at
 * abs goes first, and O_EXCL makes sure a symlink there is never followed. A file that
 * fails part-way is removed: it would pass for the real one, and on a full disk its space
 * is what the rest of the restore needs.
 */
export async function writeSmallFile(
  ops: FsOps,
  abs: Buffer,
  entry: FileEntry,
  bytes: Uint8Array,
): Promise<void> {
  const fd = await create(ops, abs);
  try {
    // The chunk comes after the holes the file starts with; a hole after it leaves the file short.
    let offset = 0;
    for (const [at, length] of entry.holes ?? []) if (at === offset) offset += length;
    for (let done = 0; done < bytes.length; ) {
      done += ops.writeSync(fd, bytes, done, bytes.length - done, offset + done);
    }
    if (offset + bytes.length < entry.size) ops.ftruncateSync(fd, entry.size);
    setAttributes(ops, fd, entry);
  } catch (err) {
    closeQuietly(ops, fd);
    try {
      ops.unlinkSync(abs);
    } catch {
      // The write's error is the one to report.
    }
    throw err;
  }
  closeQuietly(ops, fd);
}

async function create(ops: FsOps, abs: Buffer): Promise<number> {
  try {
    return await ops.openFd(abs, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    ops.unlinkSync(abs);
    return ops.openFd(abs, "wx", 0o600);
  }
}

/** A failing close after the data was written is ignored, as the asynchronous path does. */
function closeQuietly(ops: FsOps, fd: number): void {
  try {
    ops.closeSync(fd);
  } catch {
    // Nothing to undo: the file is complete.
  }
}
