/**
 * A repository: one storage location holding content-addressed blobs in packs, their
 * index, and named snapshots. Opening it loads every index file so writers deduplicate
 * against all snapshots in the location. See docs/format.md for the on-storage format.
 */
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import { BlobIndex } from "./blob-index.js";
import { readBlobAt } from "./blob-reader.js";
import { type Clock, systemClock } from "./clock.js";
import { loadOrCreateConfig, type RepositoryConfig } from "./config.js";
import { collectGarbage, type GcReport } from "./gc.js";
import { type BlobSource, readIdList } from "./id-list.js";
import {
  checkSnapshotName,
  manifestKey,
  parseSnapshotKey,
  SNAPSHOTS_PREFIX,
  snapshotPrefix,
} from "./layout.js";
import { acquireSnapshotLock, waitForGc } from "./lock.js";
import { type IdListRef, type Manifest, parseManifest } from "./manifest.js";
import { readSideFile } from "./side-file.js";
import { SnapshotWriter } from "./snapshot-writer.js";
import { type VerifyReport, verifySnapshot } from "./verify.js";

export interface RepositoryOptions {
  /** Time source for locks, heartbeats and waiting; tests pass a manual clock. */
  readonly clock?: Clock;
  /** A pack is sealed at this size. Default 8 MiB. */
  readonly packBytes?: number;
  /** How long startSnapshot waits for a running gc before giving up. Default 15 minutes. */
  readonly gcWaitMs?: number;
}

export interface SnapshotInfo {
  readonly name: string;
  /** When the manifest was written, as the storage reports it. */
  readonly committedAt: Date;
}

const DEFAULT_PACK_BYTES = 8 * 1024 * 1024;
const DEFAULT_GC_WAIT_MS = 15 * 60_000;

export class Repository implements BlobSource {
  private constructor(
    readonly storage: Storage,
    readonly config: RepositoryConfig,
    private readonly index: BlobIndex,
    private readonly clock: Clock,
    private readonly options: RepositoryOptions,
  ) {}

  /** Opens the repository in storage, creating config.json on first use, and loads the index. */
  static async open(storage: Storage, options: RepositoryOptions = {}): Promise<Repository> {
    const clock = options.clock ?? systemClock;
    const config = await loadOrCreateConfig(storage, clock.now());
    const index = new BlobIndex(storage);
    await index.refresh();
    return new Repository(storage, config, index, clock, options);
  }

  /**
   * Starts writing snapshot `name`: takes a snapshot lock, waits for a running gc to
   * finish, and reloads the index so deduplication never relies on blobs gc deleted.
   */
  async startSnapshot(name: string): Promise<SnapshotWriter> {
    checkSnapshotName(name);
    // Cheap early check; the manifest's putIfAbsent at commit is what actually decides.
    if (await this.storage.stat(manifestKey(name))) throw this.alreadyExists(name);
    const ctx = { storage: this.storage, clock: this.clock };
    const lock = await acquireSnapshotLock(ctx, name);
    try {
      await waitForGc(ctx, this.options.gcWaitMs ?? DEFAULT_GC_WAIT_MS);
      await this.index.refresh();
    } catch (err) {
      await lock.release();
      throw err;
    }
    return new SnapshotWriter({
      name,
      storage: this.storage,
      clock: this.clock,
      index: this.index,
      lock,
      repositoryId: this.config.id,
      packBytes: this.options.packBytes ?? DEFAULT_PACK_BYTES,
    });
  }

  /** Committed snapshots (those with a manifest), sorted by name. */
  async listSnapshots(): Promise<SnapshotInfo[]> {
    const found: SnapshotInfo[] = [];
    for await (const info of this.storage.list(SNAPSHOTS_PREFIX)) {
      const parsed = parseSnapshotKey(info.key);
      if (parsed?.isManifest) found.push({ name: parsed.name, committedAt: info.lastModified });
    }
    return found.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  async readManifest(name: string): Promise<Manifest> {
    const key = manifestKey(name);
    let bytes: Uint8Array;
    try {
      bytes = await this.storage.get(key);
    } catch (err) {
      if (isKubesnapError(err, "NotFound")) throw this.notFound(name, err);
      throw err;
    }
    return parseManifest(bytes, `${key} at ${this.storage.description}`);
  }

  /** Reads a blob, verified against its id (Corrupt names blob and pack on mismatch). */
  async readBlob(id: BlobId): Promise<Uint8Array> {
    // Another process may have added the blob since we loaded the index.
    if (!this.index.has(id)) await this.index.refresh();
    const location = this.index.get(id);
    if (!location) {
      throw new KubesnapError(
        "NotFound",
        `Blob ${id} is not in the repository at ${this.storage.description}`,
        {
          hint: "run `kubesnap repo verify` to find snapshots that reference missing blobs",
        },
      );
    }
    return readBlobAt(this.storage, location);
  }

  /** The data ids of a stored id list, in the order they were added. */
  readIdList(ref: IdListRef): AsyncIterable<BlobId> {
    return readIdList(this, ref);
  }

  /** A side file of a committed snapshot, verified against its manifest. */
  async readFile(name: string, file: string): Promise<Uint8Array> {
    const record = (await this.readManifest(name)).files[file];
    if (!record) {
      throw new KubesnapError("NotFound", `Snapshot "${name}" has no file "${file}"`, {
        hint: "its manifest's files field lists the files it has",
      });
    }
    return readSideFile(this.storage, name, file, record);
  }

  /**
   * Deletes a snapshot: the manifest first, so it stops existing at once, then its side
   * files. Its blobs stay until gc finds no other snapshot using them.
   */
  async deleteSnapshot(name: string): Promise<void> {
    const key = manifestKey(name);
    const others: string[] = [];
    for await (const info of this.storage.list(snapshotPrefix(name)))
      if (info.key !== key) others.push(info.key);
    if (!(await this.storage.stat(key)) && others.length === 0) throw this.notFound(name);
    await this.storage.delete(key);
    for (const other of others) await this.storage.delete(other);
  }

  /** Collects garbage; see gc.ts. Skips (and says why) while a snapshot is being written. */
  async gc(): Promise<GcReport> {
    try {
      return await collectGarbage({ storage: this.storage, clock: this.clock });
    } finally {
      await this.index.refresh();
    }
  }

  /** Reads and checks everything snapshot `name` references; problems come back as data. */
  async verify(name: string): Promise<VerifyReport> {
    const manifest = await this.readManifest(name);
    await this.index.refresh();
    return verifySnapshot({ storage: this.storage, index: this.index }, manifest);
  }

  private notFound(name: string, cause?: unknown): KubesnapError {
    return new KubesnapError(
      "NotFound",
      `Snapshot "${name}" does not exist in ${this.storage.description}`,
      cause === undefined
        ? { hint: "list snapshots to see the names" }
        : { hint: "list snapshots to see the names", cause },
    );
  }

  private alreadyExists(name: string): KubesnapError {
    return new KubesnapError(
      "AlreadyExists",
      `Snapshot "${name}" already exists in ${this.storage.description}`,
      {
        hint: "choose another name, or delete the existing snapshot first",
      },
    );
  }
}
