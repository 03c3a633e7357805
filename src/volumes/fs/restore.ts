/**
 * Restoring a file-system snapshot into a directory: entries are replayed in walk order
 * (a directory before its contents), each file's chunks are read ahead and written at
 * their offsets with holes left unwritten, and a directory's own mode, owner and times
 * are set once its contents are done (writing into it changes its mtime, and a read-only
 * directory could not be filled). Owners need root; without it they are left as the
 * restoring user's (EPERM is not an error).
 *
 * Safety: every path is checked (format.ts) and parents are directories this restore made
 * or found as real directories, never symlinks; files are created with O_EXCL after
 * removing whatever was at their path, so a symlink left in the target is never followed.
 *
 * Problems with one path (a full disk, a damaged chunk) are recorded by path and the
 * restore goes on; the chunk list stays in step because a failed file still takes its
 * chunks off it.
 */
import type { FileHandle } from "node:fs/promises";
import { KubesnapError } from "../../core/errors.js";
import type { Repository } from "../../repository/index.js";
import { BlobReadAhead, readEntries } from "./entries.js";
import {
  CHUNKS_LIST,
  type DirEntry,
  ENTRIES_LIST,
  type Entry,
  type FileEntry,
  FS_SNAPSHOT_KIND,
  type FsSnapshotBody,
  MAX_ERRORS,
  type PathError,
  type SymlinkEntry,
} from "./format.js";
import {
  absolutePath,
  type FsOps,
  realFs,
  setAttributes,
  unlessNotPermitted,
  utimeSeconds,
} from "./fs-ops.js";
import { SMALL_FILE_BYTES, writeSmallFile } from "./small-file.js";
import { pathErrorText } from "./walk.js";

export interface RestoreProgress {
  readonly bytesDone: number;
  readonly totalBytes: number;
}

export interface TreeRestoreOptions {
  readonly onProgress?: (progress: RestoreProgress) => void;
  readonly signal?: AbortSignal;
  readonly fs?: FsOps;
}

export interface TreeRestore {
  readonly files: number;
  readonly bytes: number;
  readonly errors: readonly PathError[];
  readonly errorCount: number;
}

/**
 * Chunks read ahead of the writes: reads overlap writes and decompression runs on the
 * thread pool (large chunks) or the compression worker (small ones, many per batch).
 */
const READ_AHEAD = { depth: 256, bytes: 16 * 1024 * 1024 };
/** Small files being created at once (small-file.ts says why several). */
const CREATES = 16;

/** Reads a file-system snapshot's manifest and checks it is one. */
export async function readFsSnapshot(repository: Repository, snapshot: string) {
  const manifest = await repository.readManifest(snapshot);
  const body = manifest.body as FsSnapshotBody | undefined;
  const entries = manifest.lists[ENTRIES_LIST];
  const chunks = manifest.lists[CHUNKS_LIST];
  if (body?.kind !== FS_SNAPSHOT_KIND || !entries || !chunks) {
    throw new KubesnapError("InvalidInput", `Snapshot "${snapshot}" is not a file-system backup`, {
      hint: "name the snapshot a PodVolumeBackup wrote (its status.snapshotName)",
    });
  }
  return { body, entries, chunks };
}

export async function restoreTree(
  repository: Repository,
  snapshot: string,
  target: string,
  options: TreeRestoreOptions = {},
): Promise<TreeRestore> {
  // Chunks are read in the order the backup stored them, so consecutive reads mostly hit
  // the same pack: the cache fetches a pack whole on its second read instead of one
  // ranged read per chunk (10,000 small files: a few dozen reads, not 10,000).
  const cached = repository.withPackCache();
  const { body, entries, chunks } = await readFsSnapshot(cached, snapshot);
  const run = new RestoreRun(Buffer.from(target), {
    fs: options.fs ?? realFs,
    chunks: new BlobReadAhead(cached, cached.readIdList(chunks), READ_AHEAD),
    totalBytes: body.totals.bytes,
    snapshot,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  for await (const entry of readEntries(cached, entries, snapshot)) {
    options.signal?.throwIfAborted();
    await run.take(entry);
  }
  return run.finish();
}

type PendingChunk = { readonly bytes: Promise<Uint8Array> };

const EMPTY = new Uint8Array(0);

interface RunContext {
  readonly fs: FsOps;
  readonly chunks: BlobReadAhead;
  readonly totalBytes: number;
  readonly snapshot: string;
  readonly onProgress?: (progress: RestoreProgress) => void;
}

class RestoreRun {
  /** Directories whose contents are being restored, outermost first; metadata is set when one is left. */
  private readonly open: DirEntry[] = [];
  private readonly errors: PathError[] = [];
  private errorCount = 0;
  private files = 0;
  private bytesDone = 0;
  private listFailure: { error: unknown } | undefined;
  /** Small files being written. */
  private readonly tasks = new Set<Promise<void>>();
  /** Directories left whose attributes are waiting to be set (leave). */
  private readonly leaving = new Set<Promise<void>>();

  constructor(
    private readonly root: Buffer,
    private readonly ctx: RunContext,
  ) {}

  async take(entry: Entry): Promise<void> {
    if (entry.path === "") {
      if (entry.type !== "dir" || this.open.length > 0) throw this.outOfOrder(entry);
      await this.ctx.fs.mkdir(this.root, { recursive: true });
      this.open.push(entry);
      return;
    }
    this.leaveUntil(parentOf(entry.path), entry);
    if (entry.type === "file") await this.file(entry);
    else await this.guard(entry.path, () => (entry.type === "dir" ? this.dir(entry) : this.symlink(entry)));
  }

  async finish(): Promise<TreeRestore> {
    while (this.open.length > 0) this.leave();
    while (this.leaving.size > 0) await Promise.all(this.leaving);
    if (await this.ctx.chunks.next()) {
      throw new KubesnapError(
        "Corrupt",
        `File-system snapshot "${this.ctx.snapshot}" lists more chunks than its files hold`,
        {
          hint: "the snapshot is damaged; restore the volume from another backup",
        },
      );
    }
    return { files: this.files, bytes: this.bytesDone, errors: this.errors, errorCount: this.errorCount };
  }

  private async dir(entry: DirEntry): Promise<void> {
    const abs = this.abs(entry.path);
    try {
      await this.ctx.fs.mkdir(abs, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      // Only a real directory will do: a symlink here would take its contents elsewhere.
      if (!(await this.ctx.fs.lstat(abs)).isDirectory()) throw err;
    }
    this.open.push(entry);
  }

  private async symlink(entry: SymlinkEntry): Promise<void> {
    const abs = this.abs(entry.path);
    await this.removeExisting(abs);
    await this.ctx.fs.symlink(Buffer.from(entry.target, "latin1"), abs);
    await this.ctx.fs.lchown(abs, entry.uid, entry.gid).catch(unlessNotPermitted);
    await this.ctx.fs.lutimes(abs, utimeSeconds(entry.mtime), utimeSeconds(entry.mtime));
  }

  /**
   * Writes a file; whatever fails, its chunks are taken off the list so the next file
   * gets its own. A list that cannot be read (or ends early) fails the whole restore.
   */
  private async file(entry: FileEntry): Promise<void> {
    let taken = 0;
    const take = () => {
      taken++;
      return this.takeChunk();
    };
    if (entry.incomplete) {
      // The backup could not read this file to its end; a truncated copy would pass for the real thing.
      while (taken < entry.chunks) await take();
      this.error(
        entry.path,
        new Error("the backup could not read this file to its end; it was not restored"),
      );
      return;
    }
    if (entry.chunks <= 1 && entry.size <= SMALL_FILE_BYTES) {
      const chunk = entry.chunks === 1 ? await take() : undefined;
      await this.background(() => this.smallFile(entry, chunk));
      return;
    }
    try {
      await this.writeFile(entry, take);
    } catch {
      // writeFile recorded the error by path; only a broken list stops the restore.
      if (this.listFailure) throw this.listFailure.error;
      while (taken < entry.chunks) await take();
    }
  }

  /** Runs a small file's write beside the restore, at most CREATES at once; leave() waits for them before a directory's attributes. */
  private async background(work: () => Promise<void>): Promise<void> {
    while (this.tasks.size >= CREATES) await Promise.race(this.tasks);
    const task: Promise<void> = work().finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** A file of at most one chunk (small-file.ts says how it is written); its error is recorded by path. */
  private async smallFile(entry: FileEntry, chunk: PendingChunk | undefined): Promise<void> {
    try {
      const bytes = chunk ? await chunk.bytes : EMPTY;
      await writeSmallFile(this.ctx.fs, this.abs(entry.path), entry, bytes);
      this.files++;
      this.progress(entry.size);
    } catch (err) {
      this.error(entry.path, err);
    }
  }

  /**
   * The next chunk's read (in a wrapper: a promise returned bare would be awaited here, and
   * a damaged chunk must fail its file, not the list). A list that cannot be read, or ends
   * early, fails the restore.
   */
  private async takeChunk(): Promise<PendingChunk> {
    try {
      const next = await this.ctx.chunks.next();
      if (next) return next;
      throw new KubesnapError(
        "Corrupt",
        `File-system snapshot "${this.ctx.snapshot}" lists fewer chunks than its files hold`,
        { hint: "the snapshot is damaged; restore the volume from another backup" },
      );
    } catch (error) {
      this.listFailure ??= { error };
      throw error;
    }
  }

  /**
   * Writes one file and counts it, or records its error (and rethrows it). A file left
   * half-written is removed: it would pass for the real one, and on a full disk its space
   * is what the rest of the restore (and the marker) needs.
   */
  private async writeFile(entry: FileEntry, takeChunk: () => Promise<PendingChunk>): Promise<void> {
    const abs = this.abs(entry.path);
    let created = false;
    try {
      const handle = await this.create(abs);
      created = true;
      try {
        await this.writeContent(handle, entry, takeChunk);
        setAttributes(this.ctx.fs, handle.fd, entry);
      } finally {
        await handle.close().catch(() => undefined);
      }
      this.files++;
    } catch (err) {
      this.error(entry.path, err);
      if (created) await this.ctx.fs.unlink(abs).catch(() => undefined);
      throw err;
    }
  }

  private async writeContent(
    handle: FileHandle,
    entry: FileEntry,
    takeChunk: () => Promise<PendingChunk>,
  ): Promise<void> {
    let offset = 0;
    let hole = 0;
    const holes = entry.holes ?? [];
    for (let i = 0; i < entry.chunks; i++) {
      const bytes = await (await takeChunk()).bytes;
      for (let h = holes[hole]; h && h[0] === offset; h = holes[++hole]) offset = this.skipHole(offset, h[1]);
      for (let done = 0; done < bytes.length; ) {
        done += (await handle.write(bytes, done, bytes.length - done, offset + done)).bytesWritten;
      }
      offset += bytes.length;
      this.progress(bytes.length);
    }
    for (let h = holes[hole]; h; h = holes[++hole]) this.progress(h[1]);
    // Only a trailing hole leaves the file short of its size.
    if (offset < entry.size) await handle.truncate(entry.size);
  }

  /** A new file at abs; whatever was there goes first (O_EXCL: a symlink left there is not followed). */
  private async create(abs: Buffer): Promise<FileHandle> {
    try {
      return await this.ctx.fs.open(abs, "wx", 0o600);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      await this.removeExisting(abs);
      return this.ctx.fs.open(abs, "wx", 0o600);
    }
  }

  private skipHole(offset: number, length: number): number {
    this.progress(length);
    return offset + length;
  }

  /** Leaves directories until `parent` is the innermost open one. */
  private leaveUntil(parent: string, entry: Entry): void {
    while (this.open.length > 0 && (this.open.at(-1) as DirEntry).path !== parent) this.leave();
    if (this.open.length === 0) throw this.outOfOrder(entry);
  }

  /**
   * Sets a directory's owner, mode and times once every write started so far is done:
   * files still being created in it would change its mtime, and a read-only mode would
   * stop them. That wait runs beside the restore (waiting in line drained the small-file
   * writes at every directory), after the directories left before it, its own below it.
   */
  private leave(): void {
    const dir = this.open.pop() as DirEntry;
    const before = Promise.all([...this.tasks, ...this.leaving]);
    const done: Promise<void> = before
      .then(() =>
        this.guard(dir.path, async () => {
          const abs = this.abs(dir.path);
          await this.ctx.fs.lchown(abs, dir.uid, dir.gid).catch(unlessNotPermitted);
          await this.ctx.fs.chmod(abs, dir.mode);
          await this.ctx.fs.lutimes(abs, utimeSeconds(dir.mtime), utimeSeconds(dir.mtime));
        }),
      )
      .finally(() => this.leaving.delete(done));
    this.leaving.add(done);
  }

  private async removeExisting(abs: Buffer): Promise<void> {
    await this.ctx.fs.unlink(abs).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }

  private async guard(path: string, work: () => Promise<void>): Promise<void> {
    try {
      await work();
    } catch (err) {
      this.error(path, err);
    }
  }

  private abs(path: string): Buffer {
    return absolutePath(this.root, path);
  }

  private progress(bytes: number): void {
    this.bytesDone += bytes;
    this.ctx.onProgress?.({ bytesDone: this.bytesDone, totalBytes: this.ctx.totalBytes });
  }

  private error(path: string, err: unknown): void {
    this.errorCount++;
    if (this.errors.length < MAX_ERRORS) this.errors.push({ path, message: pathErrorText(path, err) });
  }

  private outOfOrder(entry: Entry): KubesnapError {
    return new KubesnapError(
      "Corrupt",
      `File-system snapshot "${this.ctx.snapshot}" lists ${JSON.stringify(entry.path)} outside its directory's contents`,
      { hint: "the snapshot is damaged; restore the volume from another backup" },
    );
  }
}

function parentOf(path: string): string {
  const slash = path.lastIndexOf("/");
  return slash === -1 ? "" : path.slice(0, slash);
}
