/**
 * A repository: one storage location holding content-addressed blobs in packs, their
 * index, and named snapshots, optionally encrypted. Opening it checks the key and loads
 * every index file so writers deduplicate against all snapshots in the location. See
 * docs/format.md for the on-storage format.
 */
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import { retaining, type Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import { BlobIndex } from "./blob-index.js";
import { readBlobAt } from "./blob-reader.js";
import { type Clock, systemClock } from "./clock.js";
import { loadOrCreateConfig, type RepositoryConfig, readConfig, replaceConfig } from "./config.js";
import { collectGarbage, type GcReport } from "./gc.js";
import { type BlobSource, readIdList } from "./id-list.js";
import { checkUserKey, openMasterKey, unlock, unwrapMasterKey, wrapMasterKey } from "./keys.js";
import {
  checkSnapshotName,
  manifestKey,
  parseSnapshotKey,
  SNAPSHOTS_PREFIX,
  sideFileKey,
  snapshotPrefix,
} from "./layout.js";
import { acquireSnapshotLock, waitForGc } from "./lock.js";
import { type IdListRef, type Manifest, parseManifest } from "./manifest.js";
import { PackCache } from "./pack-cache.js";
import { RecordStorage } from "./records.js";
import type { SealedStorage, Sealer } from "./sealer.js";
import { readSideFile } from "./side-file.js";
import { SnapshotWriter } from "./snapshot-writer.js";
import { verifySnapshot } from "./verify.js";
import type { VerifyOptions, VerifyReport } from "./verify-report.js";

export interface RepositoryOptions {
  /** Time source for locks, heartbeats and waiting; tests pass a manual clock. */
  readonly clock?: Clock;
  /** A pack is sealed at this size. Default 8 MiB. */
  readonly packBytes?: number;
  /** How long startSnapshot waits for a running gc before giving up. Default 15 minutes. */
  readonly gcWaitMs?: number;
  /**
   * The user's key (the bytes of a key file, at least 32 random bytes). Required for an
   * encrypted repository and refused for a plain one; when the location is new, giving
   * it creates the repository encrypted.
   */
  readonly encryptionKey?: Uint8Array;
}

export interface SnapshotOptions {
  /**
   * Object lock: every object the snapshot writes, and every pack it reuses, is retained
   * until then (its backup's expiry), on stores that lock objects.
   */
  readonly retainUntil?: Date;
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
    private currentConfig: RepositoryConfig,
    private readonly sealer: Sealer,
    private readonly index: BlobIndex,
    private readonly options: Omit<RepositoryOptions, "encryptionKey"> & { readonly clock: Clock },
    private readonly packCache?: PackCache,
  ) {}

  /**
   * The same repository, reading blobs through a pack cache of its own (see pack-cache.ts):
   * for one restore, which reads most blobs of a backup; dropped with the view afterwards.
   */
  withPackCache(): Repository {
    return new Repository(
      this.storage,
      this.currentConfig,
      this.sealer,
      this.index,
      this.options,
      new PackCache(this.storage),
    );
  }

  /**
   * Opens the repository in storage, creating config.json on first use (encrypted when
   * options.encryptionKey is given), and loads the index. A wrong, missing or unwanted key
   * fails here with AccessDenied or InvalidInput, before any data is read.
   */
  static async open(storage: Storage, options: RepositoryOptions = {}): Promise<Repository> {
    const { encryptionKey, ...rest } = options;
    const clock = options.clock ?? systemClock;
    if (encryptionKey) checkUserKey(encryptionKey);
    const config = await loadOrCreateConfig(storage, { now: clock.now(), encryptionKey });
    const sealer = unlock(config.encryption, encryptionKey, {
      description: storage.description,
      repositoryId: config.id,
    });
    const index = new BlobIndex(storage, sealer);
    await index.refresh();
    return new Repository(storage, config, sealer, index, { ...rest, clock });
  }

  get config(): RepositoryConfig {
    return this.currentConfig;
  }

  get encrypted(): boolean {
    return this.sealer.encrypted;
  }

  /**
   * Key rotation: re-wraps the master key, which oldKey must open, under newKey. Only
   * config.json is rewritten; no data is touched, and afterwards only newKey opens the
   * repository. Two rotations at once: the last write wins, and the other fails Conflict.
   */
  async rewrapKey(oldKey: Uint8Array, newKey: Uint8Array): Promise<void> {
    checkUserKey(newKey);
    const { description } = this.storage;
    // Fresh from storage: another process may have rotated since we opened.
    const current = (await readConfig(this.storage)) ?? this.currentConfig;
    if (!current.encryption) {
      throw new KubesnapError(
        "InvalidInput",
        `The repository at ${description} is not encrypted; it has no key to rotate`,
        {
          hint: "only a repository created with --encryption-key-file has a key",
        },
      );
    }
    const masterKey = openMasterKey(current.encryption, oldKey, { description, repositoryId: current.id });
    await replaceConfig(this.storage, {
      ...current,
      encryption: wrapMasterKey(masterKey, newKey, current.id),
    });
    const written = await readConfig(this.storage);
    if (!written?.encryption || !unwrapMasterKey(written.encryption, newKey, written.id)) {
      throw new KubesnapError(
        "Conflict",
        `Another key rotation replaced this one at ${description}; the new key does not open the repository`,
        { hint: "open it with the key the other rotation set, and rotate again if needed" },
      );
    }
    this.currentConfig = written;
  }

  /**
   * Starts writing snapshot `name`: takes a snapshot lock, waits for a running gc to
   * finish, and reloads the index so deduplication never relies on blobs gc deleted.
   */
  async startSnapshot(name: string, options: SnapshotOptions = {}): Promise<SnapshotWriter> {
    checkSnapshotName(name);
    // Cheap early check; the manifest's putIfAbsent at commit is what actually decides.
    if (await this.storage.stat(manifestKey(name))) throw this.alreadyExists(name);
    const ctx = { storage: this.storage, clock: this.options.clock };
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
      storage: options.retainUntil ? retaining(this.storage, options.retainUntil) : this.storage,
      ...(options.retainUntil ? { retainUntil: options.retainUntil } : {}),
      sealer: this.sealer,
      clock: this.options.clock,
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
    return parseManifest(bytes, {
      snapshot: name,
      sealer: this.sealer,
      key,
      where: this.storage.description,
    });
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
    const cache = this.packCache;
    return cache
      ? readBlobAt(this.store, location, (pack, range) => cache.read(pack, range))
      : readBlobAt(this.store, location);
  }

  /** A blob's raw (uncompressed) size from the loaded index, or undefined when the index does not have it. */
  blobSize(id: BlobId): number | undefined {
    return this.index.get(id)?.rawLength;
  }

  /** The data ids of a stored id list, in the order they were added. */
  readIdList(ref: IdListRef): AsyncIterable<BlobId> {
    return readIdList(this, ref);
  }

  /**
   * Whether a committed snapshot has a side file, by two stats and no read: the manifest
   * too, since side files are written before it and an aborted snapshot's may remain.
   */
  async hasFile(name: string, file: string): Promise<boolean> {
    const keys = [manifestKey(name), sideFileKey(name, file)];
    const found = await Promise.all(keys.map((key) => this.storage.stat(key)));
    return !found.includes(undefined);
  }

  /** A side file of a committed snapshot, verified against its manifest. */
  async readFile(name: string, file: string): Promise<Uint8Array> {
    const record = (await this.readManifest(name)).files[file];
    if (!record) {
      throw new KubesnapError("NotFound", `Snapshot "${name}" has no file "${file}"`, {
        hint: "its manifest's files field lists the files it has",
      });
    }
    return readSideFile(this.store, { snapshot: name, file }, record);
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

  /** Storage for records kept beside the repository, sealed like the repository's own objects. */
  records(): Storage {
    return new RecordStorage(this.storage, this.sealer);
  }

  /** Collects garbage; see gc.ts. Skips (and says why) while a snapshot is being written. */
  async gc(): Promise<GcReport> {
    try {
      return await collectGarbage({ ...this.store, clock: this.options.clock });
    } finally {
      await this.index.refresh();
    }
  }

  /**
   * Reads and checks what snapshot `name` references (all of it, or a random sample of
   * its data blobs); problems, including a missing or damaged manifest, come back as data.
   */
  async verify(name: string, options: VerifyOptions = {}): Promise<VerifyReport> {
    checkSnapshotName(name);
    await this.index.refresh();
    return verifySnapshot({ ...this.store, index: this.index }, name, options);
  }

  private get store(): SealedStorage {
    return { storage: this.storage, sealer: this.sealer };
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
