/**
 * Backing up a directory tree into one snapshot: walk it, cut every file into
 * content-defined chunks, store the chunks (deduplicated against everything in the
 * location, compressed by the writer), and record every entry with its metadata. Memory
 * stays flat: files stream through in chunks, and at most CHUNKS_IN_FLIGHT of them are
 * waiting for the writer at once.
 *
 * Problems with one path (unreadable, vanished while being read) are recorded by path and
 * the walk goes on; the caller decides what they make of the run (PartiallyFailed).
 */
import type { BigIntStats } from "node:fs";
import type { FileHandle } from "node:fs/promises";
import type { BlobId, IdListRef, IdListWriter, SnapshotWriter } from "../../repository/index.js";
import { splitChunks } from "./chunker.js";
import { EntryWriter } from "./entries.js";
import { fileChunks, isAllZero } from "./file-chunks.js";
import {
  CHUNKS_LIST,
  ENTRIES_LIST,
  type Entry,
  FS_SNAPSHOT_KIND,
  type FsSnapshotBody,
  type FsTotals,
  MAX_ERRORS,
  type PathError,
} from "./format.js";
import { type FsOps, openForReading, realFs } from "./fs-ops.js";
import { chunkKey } from "./keys.js";
import { readSmallFile, SMALL_FILE_BYTES } from "./small-file.js";
import { pathErrorText, type WalkItem, walk } from "./walk.js";

export interface TreeProgress {
  /** File bytes read so far (holes included). */
  readonly bytesDone: number;
  /** File bytes in the tree, from a first pass over it (files may change before they are read). */
  readonly totalBytes: number;
}

export interface TreeBackupOptions {
  /** Recorded in the snapshot's body: which pod, volume and backup this is. */
  readonly source: Readonly<Record<string, string>>;
  readonly onProgress?: (progress: TreeProgress) => void;
  /** Stops between chunks; the caller must not commit then. */
  readonly signal?: AbortSignal;
  readonly fs?: FsOps;
}

export interface TreeBackup {
  readonly body: FsSnapshotBody;
  readonly lists: Record<string, IdListRef>;
}

/**
 * Chunks handed to the writer and not yet listed: enough to keep compression busy (small
 * chunks go to the compression worker in batches, so many at once), bounded in memory.
 */
const CHUNKS_IN_FLIGHT = 64;
const BYTES_IN_FLIGHT = 8 * 1024 * 1024;

/** Writes the tree under root into writer's snapshot; returns what commit needs. */
export async function backupTree(
  root: string,
  writer: SnapshotWriter,
  options: TreeBackupOptions,
): Promise<TreeBackup> {
  const fs = options.fs ?? realFs;
  const rootPath = Buffer.from(root);
  const totalBytes = await measure(rootPath, fs);
  const run = new TreeRun(writer, { ...options, fs, totalBytes });
  for await (const item of walk(rootPath, fs)) {
    options.signal?.throwIfAborted();
    await run.take(item);
  }
  return run.finish();
}

/** The first pass: how many bytes the files hold, for progress. */
async function measure(root: Buffer, fs: FsOps): Promise<number> {
  let bytes = 0;
  for await (const item of walk(root, fs)) {
    if ("stat" in item && item.stat.isFile()) bytes += Number(item.stat.size);
  }
  return bytes;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

interface FileContent {
  size: number;
  chunks: number;
  holes: [number, number][];
}

class TreeRun {
  private readonly entries: EntryWriter;
  private readonly chunks: IdListWriter;
  private readonly pending: { key: string; id: Promise<BlobId>; bytes: number }[] = [];
  private pendingBytes = 0;
  private readonly totals: Mutable<FsTotals> = { dirs: 0, files: 0, symlinks: 0, skipped: 0, bytes: 0 };
  private readonly errors: PathError[] = [];
  private errorCount = 0;
  private bytesDone = 0;

  constructor(
    private readonly writer: SnapshotWriter,
    private readonly options: TreeBackupOptions & { fs: FsOps; totalBytes: number },
  ) {
    this.entries = new EntryWriter(writer);
    this.chunks = writer.idList();
  }

  async take(item: WalkItem): Promise<void> {
    if ("error" in item) {
      this.error(item.path, item.error);
      return;
    }
    const { stat, path } = item;
    const base = {
      path,
      mode: Number(stat.mode) & 0o7777,
      uid: Number(stat.uid),
      gid: Number(stat.gid),
      mtime: stat.mtimeNs.toString(),
    };
    if (stat.isDirectory()) {
      this.totals.dirs++;
      await this.entries.add({ ...base, type: "dir" });
    } else if (stat.isSymbolicLink()) {
      await this.symlink(item.abs, base);
    } else if (stat.isFile()) {
      await this.file({ ...item, stat }, base);
    } else {
      this.totals.skipped++;
    }
  }

  async finish(): Promise<TreeBackup> {
    await this.drain(0, 0);
    const lists = { [ENTRIES_LIST]: await this.entries.finish(), [CHUNKS_LIST]: await this.chunks.finish() };
    const body: FsSnapshotBody = {
      kind: FS_SNAPSHOT_KIND,
      version: 1,
      source: this.options.source,
      totals: { ...this.totals },
      errors: this.errors,
      errorCount: this.errorCount,
    };
    return { body, lists };
  }

  private async symlink(abs: Buffer, base: Omit<Entry, "type">): Promise<void> {
    let target: Buffer;
    try {
      target = await this.options.fs.readlink(abs, { encoding: "buffer" });
    } catch (err) {
      this.error(base.path, err);
      return;
    }
    this.totals.symlinks++;
    await this.entries.add({ ...base, type: "symlink", target: target.toString("latin1") });
  }

  /**
   * Stores a file's chunks, then its entry. A file that fails part-way keeps the chunks
   * already listed (the list cannot take them back) and is marked incomplete, so a
   * restore skips them and does not write a truncated file. Only reading fails a file;
   * a failing writer (the store) fails the whole run.
   */
  private async file(item: WalkItem & { stat: BigIntStats }, base: Omit<Entry, "type">): Promise<void> {
    const content: FileContent = { size: 0, chunks: 0, holes: [] };
    let failure: unknown;
    if (item.stat.size <= BigInt(SMALL_FILE_BYTES)) {
      let bytes: Uint8Array;
      try {
        bytes = readSmallFile(this.options.fs, item.abs, Number(item.stat.size));
      } catch (err) {
        this.error(base.path, err);
        return;
      }
      failure = await this.content(splitChunks(bytes), base.path, content);
    } else {
      let handle: FileHandle;
      try {
        handle = await openForReading(this.options.fs, item.abs);
      } catch (err) {
        this.error(base.path, err);
        return;
      }
      try {
        failure = await this.content(fileChunks(handle, Number(item.stat.size)), base.path, content);
      } finally {
        await handle.close().catch(() => undefined);
      }
    }
    if (failure !== undefined) {
      this.error(base.path, failure);
      if (content.chunks === 0) return;
    }
    this.totals.files++;
    this.totals.bytes += content.size;
    await this.entries.add({
      ...base,
      type: "file",
      size: content.size,
      chunks: content.chunks,
      ...(content.holes.length > 0 ? { holes: content.holes } : {}),
      ...(failure !== undefined ? { incomplete: true } : {}),
    });
  }

  /** Queues a file's chunks, noting holes, into content; returns the read error that stopped it, if any. */
  private async content(
    source: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
    path: string,
    content: FileContent,
  ): Promise<unknown> {
    const chunks =
      Symbol.asyncIterator in source ? source[Symbol.asyncIterator]() : source[Symbol.iterator]();
    for (;;) {
      let step: IteratorResult<Uint8Array>;
      try {
        step = await chunks.next();
      } catch (err) {
        return err;
      }
      if (step.done) return undefined;
      this.options.signal?.throwIfAborted();
      const chunk = step.value;
      if (isAllZero(chunk)) {
        const last = content.holes.at(-1);
        if (last && last[0] + last[1] === content.size) last[1] += chunk.length;
        else content.holes.push([content.size, chunk.length]);
      } else {
        await this.queue(chunkKey(path, content.chunks++), chunk);
      }
      content.size += chunk.length;
      this.progress(chunk.length);
    }
  }

  /** Hands a chunk to the writer; lists chunks in order as their ids come back. */
  private async queue(key: string, chunk: Uint8Array): Promise<void> {
    const id = this.writer.addBlob(chunk);
    // Awaited in order by drain; a failure must not count as unhandled before that.
    id.catch(() => undefined);
    this.pending.push({ key, id, bytes: chunk.length });
    this.pendingBytes += chunk.length;
    await this.drain(CHUNKS_IN_FLIGHT, BYTES_IN_FLIGHT);
  }

  /** Lists chunks in order until at most `chunks` of at most `bytes` in all are pending. */
  private async drain(chunks: number, bytes: number): Promise<void> {
    while (this.pending.length > chunks || (this.pending.length > 0 && this.pendingBytes > bytes)) {
      const head = this.pending.shift() as (typeof this.pending)[number];
      this.pendingBytes -= head.bytes;
      await this.chunks.add(head.key, await head.id);
    }
  }

  private progress(bytes: number): void {
    this.bytesDone += bytes;
    this.options.onProgress?.({ bytesDone: this.bytesDone, totalBytes: this.options.totalBytes });
  }

  private error(path: string, err: unknown): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message: pathErrorText(path, err) });
  }
}
