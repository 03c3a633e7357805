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
import { absolutePath, type FsOps, realFs } from "./fs-ops.js";
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

/** Chunks read ahead of the writes: reads overlap writes and decompression runs on the thread pool. */
const READ_AHEAD = 16;

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
  const { body, entries, chunks } = await readFsSnapshot(repository, snapshot);
  const run = new RestoreRun(Buffer.from(target), {
    fs: options.fs ?? realFs,
    chunks: new BlobReadAhead(repository, repository.readIdList(chunks), READ_AHEAD),
    totalBytes: body.totals.bytes,
    snapshot,
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
  });
  for await (const entry of readEntries(repository, entries, snapshot)) {
    options.signal?.throwIfAborted();
    await run.take(entry);
  }
  return run.finish();
}

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
    await this.leaveUntil(parentOf(entry.path), entry);
    if (entry.type === "file") await this.file(entry);
    else await this.guard(entry.path, () => (entry.type === "dir" ? this.dir(entry) : this.symlink(entry)));
  }

  async finish(): Promise<TreeRestore> {
    while (this.open.length > 0) await this.leave();
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
    await this.owner(() => this.ctx.fs.lchown(abs, entry.uid, entry.gid));
    await this.ctx.fs.lutimes(abs, seconds(entry.mtime), seconds(entry.mtime));
  }

  /**
   * Writes a file; whatever fails, its chunks are taken off the list so the next file
   * gets its own. A list that cannot be read (or ends early) fails the whole restore.
   */
  private async file(entry: FileEntry): Promise<void> {
    let taken = 0;
    let listFailure: unknown;
    const takeChunk = async (): Promise<Promise<Uint8Array>> => {
      taken++;
      try {
        const next = await this.ctx.chunks.next();
        if (next) return next.bytes;
        throw new KubesnapError(
          "Corrupt",
          `File-system snapshot "${this.ctx.snapshot}" lists fewer chunks than its files hold`,
          { hint: "the snapshot is damaged; restore the volume from another backup" },
        );
      } catch (err) {
        listFailure = err;
        throw err;
      }
    };
    if (entry.incomplete) {
      // The backup could not read this file to its end; a truncated copy would pass for the real thing.
      for (let i = 0; i < entry.chunks; i++) await takeChunk();
      this.error(
        entry.path,
        new Error("the backup could not read this file to its end; it was not restored"),
      );
      return;
    }
    try {
      await this.writeFile(entry, takeChunk);
      this.files++;
    } catch (err) {
      if (listFailure !== undefined) throw listFailure;
      this.error(entry.path, err);
      while (taken < entry.chunks) await takeChunk();
    }
  }

  private async writeFile(entry: FileEntry, takeChunk: () => Promise<Promise<Uint8Array>>): Promise<void> {
    const abs = this.abs(entry.path);
    await this.removeExisting(abs);
    const handle = await this.ctx.fs.open(abs, "wx", 0o600);
    try {
      let offset = 0;
      let hole = 0;
      const holes = entry.holes ?? [];
      for (let i = 0; i < entry.chunks; i++) {
        const bytes = await await takeChunk();
        for (let h = holes[hole]; h && h[0] === offset; h = holes[++hole])
          offset = this.skipHole(offset, h[1]);
        await writeAll(handle, bytes, offset);
        offset += bytes.length;
        this.progress(bytes.length);
      }
      for (let h = holes[hole]; h; h = holes[++hole]) this.progress(h[1]);
      await handle.truncate(entry.size);
      await this.owner(() => handle.chown(entry.uid, entry.gid));
      await handle.chmod(entry.mode);
      await handle.utimes(seconds(entry.mtime), seconds(entry.mtime));
    } finally {
      await handle.close().catch(() => undefined);
    }
  }

  private skipHole(offset: number, length: number): number {
    this.progress(length);
    return offset + length;
  }

  /** Leaves directories until `parent` is the innermost open one. */
  private async leaveUntil(parent: string, entry: Entry): Promise<void> {
    while (this.open.length > 0 && (this.open.at(-1) as DirEntry).path !== parent) await this.leave();
    if (this.open.length === 0) throw this.outOfOrder(entry);
  }

  private async leave(): Promise<void> {
    const dir = this.open.pop() as DirEntry;
    await this.guard(dir.path, async () => {
      const abs = this.abs(dir.path);
      await this.owner(() => this.ctx.fs.lchown(abs, dir.uid, dir.gid));
      await this.ctx.fs.chmod(abs, dir.mode);
      await this.ctx.fs.lutimes(abs, seconds(dir.mtime), seconds(dir.mtime));
    });
  }

  private async removeExisting(abs: Buffer): Promise<void> {
    await this.ctx.fs.unlink(abs).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "ENOENT") throw err;
    });
  }

  /** Changing owners needs root (CAP_CHOWN); a restore by anyone else keeps its own. */
  private async owner(change: () => Promise<void>): Promise<void> {
    await change().catch((err: NodeJS.ErrnoException) => {
      if (err.code !== "EPERM") throw err;
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

/** Nanoseconds (a decimal string) as the seconds utimes takes; a double keeps them to ~0.25 µs. */
function seconds(ns: string): number {
  const value = BigInt(ns);
  return Number(value / 1_000_000_000n) + Number(value % 1_000_000_000n) / 1e9;
}

async function writeAll(handle: FileHandle, bytes: Uint8Array, position: number): Promise<void> {
  let done = 0;
  while (done < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, done, bytes.length - done, position + done);
    done += bytesWritten;
  }
}
