/**
 * Writing one snapshot: blobs go into packs (deduplicated against the whole location
 * and within the snapshot), packs are indexed, side files are stored, and the manifest
 * is written last with putIfAbsent. Until that manifest exists the snapshot does not,
 * so a crash at any point leaves only garbage that gc collects, never a half snapshot.
 */

import { forEachLimit, Semaphore } from "../core/concurrency.js";
import { KubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import { type BlobIndex, writeIndexFile } from "./blob-index.js";
import type { Clock } from "./clock.js";
import { compress, SMALL_BLOB_BYTES } from "./compression.js";
import { FORMAT_VERSION } from "./config.js";
import { IdListWriter } from "./id-list.js";
import type { PackRecord } from "./index-file.js";
import { manifestKey, packKey, sideFileKey } from "./layout.js";
import type { HeldLock } from "./lock.js";
import { encodeManifest, type IdListRef, type Manifest, type SideFile } from "./manifest.js";
import { PackWriter } from "./pack-writer.js";
import { type Sealer, sealContext } from "./sealer.js";
import { writeSideFile } from "./side-file.js";

/** What a writer has done so far; bytesWritten is what the benchmark compares. */
export interface WriterStats {
  readonly blobsNew: number;
  readonly blobsDeduplicated: number;
  /** Uncompressed size of the new blobs. */
  readonly rawBytesNew: number;
  readonly packsWritten: number;
  readonly packBytes: number;
  readonly indexFilesWritten: number;
  readonly indexBytes: number;
  /** Compressed size of side files. */
  readonly fileBytes: number;
  readonly manifestBytes: number;
  /** packBytes + indexBytes + fileBytes + manifestBytes (lock objects are not counted). */
  readonly bytesWritten: number;
}

export interface CommitOptions {
  /** The caller's own data, stored as the manifest's "body". */
  readonly body: unknown;
  /** Named id lists (from idList().finish()); gc follows them. */
  readonly lists?: Readonly<Record<string, IdListRef>>;
  /** Blobs the snapshot references directly; gc keeps them. */
  readonly blobs?: readonly BlobId[];
}

export interface WriterContext {
  readonly name: string;
  readonly storage: Storage;
  readonly sealer: Sealer;
  readonly clock: Clock;
  readonly index: BlobIndex;
  readonly lock: HeldLock;
  readonly repositoryId: string;
  readonly packBytes: number;
  /** Object lock: objects written are retained until then (by ctx.storage); reused packs are extended to it at commit. */
  readonly retainUntil?: Date;
}

/** Blob sizes are stored as uint32; Kubernetes objects stay far below this anyway. */
export const MAX_BLOB_BYTES = 256 * 1024 * 1024;
/** Packs per index file while a snapshot runs, so a long backup's blobs become reusable early. */
const PACKS_PER_INDEX = 16;
const COMPRESSIONS = 4;
const UPLOADS = 2;

type Counters = { -readonly [K in Exclude<keyof WriterStats, "bytesWritten">]: number };

export class SnapshotWriter {
  private state: "open" | "committing" | "closed" = "open";
  private failure: { error: unknown } | undefined;
  /** Blobs this writer has stored or is storing: dedup within the snapshot. */
  private readonly known = new Set<BlobId>();
  /** Packs of older snapshots this one reuses: with object lock, their retention is extended. */
  private readonly reusedPacks = new Set<string>();
  private readonly inflight = new Set<Promise<void>>();
  private readonly files: Record<string, SideFile> = {};
  private unindexed: PackRecord[] = [];
  private readonly compressions = new Semaphore(COMPRESSIONS);
  private readonly packs: PackWriter;
  private readonly counters: Counters = {
    blobsNew: 0,
    blobsDeduplicated: 0,
    rawBytesNew: 0,
    packsWritten: 0,
    packBytes: 0,
    indexFilesWritten: 0,
    indexBytes: 0,
    fileBytes: 0,
    manifestBytes: 0,
  };

  constructor(private readonly ctx: WriterContext) {
    this.packs = new PackWriter(ctx.storage, {
      targetBytes: ctx.packBytes,
      uploads: UPLOADS,
      onStored: (record, bytes) => {
        this.counters.packsWritten++;
        this.counters.packBytes += bytes;
        this.unindexed.push(record);
        if (this.unindexed.length >= PACKS_PER_INDEX) this.track(this.writeIndex());
      },
    });
  }

  get name(): string {
    return this.ctx.name;
  }

  get stats(): WriterStats {
    const c = this.counters;
    return { ...c, bytesWritten: c.packBytes + c.indexBytes + c.fileBytes + c.manifestBytes };
  }

  /** The id addBlob returns for bytes (SHA-256, or HMAC-SHA256 in an encrypted repository). */
  idOf(bytes: Uint8Array): BlobId {
    return this.ctx.sealer.idOf(bytes);
  }

  /**
   * Stores a blob unless the location or this snapshot already has it, and returns its
   * id. Safe to call concurrently; the promise resolves once the blob is buffered, so
   * awaiting it keeps memory bounded.
   */
  async addBlob(bytes: Uint8Array): Promise<BlobId> {
    this.assertOpen();
    // A large blob is hashed on the thread pool, beside the caller's next one.
    const id = bytes.length > SMALL_BLOB_BYTES ? await this.ctx.sealer.idOfAsync(bytes) : this.idOf(bytes);
    this.assertOpen();
    if (this.known.has(id) || this.ctx.index.has(id)) {
      this.counters.blobsDeduplicated++;
      const reused = this.ctx.retainUntil && !this.known.has(id) ? this.ctx.index.get(id) : undefined;
      if (reused) this.reusedPacks.add(reused.pack);
      return id;
    }
    if (bytes.length > MAX_BLOB_BYTES) {
      throw new KubesnapError(
        "InvalidInput",
        `Blob of ${bytes.length} bytes is larger than ${MAX_BLOB_BYTES}`,
      );
    }
    this.known.add(id);
    await this.track(this.store(id, bytes));
    return id;
  }

  /** A new id-list writer whose nodes are stored by this snapshot. */
  idList(): IdListWriter {
    return new IdListWriter(this);
  }

  /** Stores a side file (compressed, sealed) at snapshots/<name>/files/<file>.zst; readable after commit. */
  async putFile(file: string, bytes: Uint8Array): Promise<void> {
    this.assertOpen();
    sideFileKey(this.ctx.name, file); // refuse a bad name now, not in the background
    await this.track(
      (async () => {
        const { record, storedBytes } = await writeSideFile(
          this.ctx,
          { snapshot: this.ctx.name, file },
          bytes,
        );
        this.counters.fileBytes += storedBytes;
        this.files[file] = record;
      })(),
    );
  }

  /**
   * Flushes packs and index, then writes the manifest with putIfAbsent (AlreadyExists
   * when the name is taken). Finish every id list before calling this. The lock is
   * released whatever the outcome.
   */
  async commit(options: CommitOptions): Promise<{ manifest: Manifest; stats: WriterStats }> {
    this.assertOpen();
    this.state = "committing";
    try {
      await this.drain();
      this.throwIfFailed();
      const lists = options.lists ?? {};
      const blobs = [...(options.blobs ?? [])];
      this.checkReferences([...Object.values(lists).flatMap((l) => (l.root ? [l.root] : [])), ...blobs]);
      await this.packs.flush();
      // flush() may have started a background index write; let it land before the last one.
      await this.drain();
      this.throwIfFailed();
      await this.writeIndex();
      await this.extendReused();
      // Past the stale window a gc may have ignored our lock; writing the manifest then could name deleted blobs.
      this.ctx.lock.assertFresh();
      const manifest: Manifest = {
        format: FORMAT_VERSION,
        name: this.ctx.name,
        repository: this.ctx.repositoryId,
        createdAt: new Date(this.ctx.clock.now()).toISOString(),
        lists,
        blobs,
        files: { ...this.files },
        body: options.body,
      };
      const bytes = encodeManifest(manifest, this.ctx.sealer);
      if (!(await this.putManifest(bytes))) {
        throw new KubesnapError(
          "AlreadyExists",
          `Snapshot "${this.ctx.name}" already exists in ${this.ctx.storage.description}`,
          { hint: "choose another name, or delete the existing snapshot first" },
        );
      }
      this.counters.manifestBytes += bytes.length;
      return { manifest, stats: this.stats };
    } finally {
      this.state = "closed";
      // A committed snapshot stays committed even if the lock cannot be removed now (it goes stale).
      await this.ctx.lock.release().catch(() => undefined);
    }
  }

  /** Stops the writer and releases its lock; anything uploaded becomes garbage for gc. */
  async abort(): Promise<void> {
    if (this.state === "closed") return;
    this.state = "closed";
    await Promise.allSettled([...this.inflight]);
    await this.packs.settle();
    // Best effort: abort runs after a failure, often of the store itself, and that failure is
    // what the caller must see. A lock left behind goes stale and gc removes it.
    await this.ctx.lock.release().catch(() => undefined);
  }

  /**
   * Writes the manifest if absent. "Already there" can also mean our own write landed and
   * its answer was lost, so the retry saw it: the stored bytes then are exactly ours.
   */
  private async putManifest(bytes: Uint8Array): Promise<boolean> {
    const key = manifestKey(this.ctx.name);
    if (await this.ctx.storage.putIfAbsent(key, bytes)) return true;
    const stored = await this.ctx.storage.get(key).catch(() => undefined);
    return stored !== undefined && Buffer.from(stored).equals(Buffer.from(bytes));
  }

  /**
   * A reused pack must stay locked as long as this snapshot needs it, or whoever holds the
   * bucket's keys could delete it once the older snapshot's lock ends.
   */
  private async extendReused(): Promise<void> {
    const { retainUntil, storage } = this.ctx;
    if (!retainUntil || !storage.retain || this.reusedPacks.size === 0) return;
    const retain = storage.retain.bind(storage);
    await forEachLimit([...this.reusedPacks], UPLOADS * 4, (pack) => retain(packKey(pack), retainUntil));
  }

  private async store(id: BlobId, bytes: Uint8Array): Promise<void> {
    // Small blobs are batched on the compression worker: the more at once, the cheaper each.
    const release = bytes.length > SMALL_BLOB_BYTES ? await this.compressions.acquire() : () => undefined;
    let frame: Uint8Array;
    try {
      frame = await compress(bytes);
    } finally {
      release();
    }
    await this.packs.add(id, this.ctx.sealer.seal(frame, sealContext.blob(id)), bytes.length);
    this.counters.blobsNew++;
    this.counters.rawBytesNew += bytes.length;
  }

  /** Writes one index file for the packs stored since the last one, then lets other writers dedup against them. */
  private async writeIndex(): Promise<void> {
    const packs = this.unindexed;
    this.unindexed = [];
    if (packs.length === 0) return;
    const file = await writeIndexFile(this.ctx, packs);
    this.counters.indexFilesWritten++;
    this.counters.indexBytes += file.bytes;
    this.ctx.index.addFile(file);
  }

  private checkReferences(ids: readonly BlobId[]): void {
    const unknown = ids.find((id) => !this.known.has(id) && !this.ctx.index.has(id));
    if (unknown === undefined) return;
    throw new KubesnapError(
      "InvalidInput",
      `Snapshot "${this.ctx.name}" references blob ${unknown}, which is not in the repository`,
      { hint: "reference only ids returned by addBlob or an id list's finish()" },
    );
  }

  /** Runs work in the background of the writer; its failure fails the commit. */
  private track(work: Promise<void>): Promise<void> {
    const tracked: Promise<void> = work
      .catch((error: unknown) => {
        this.failure ??= { error };
        throw error;
      })
      .finally(() => this.inflight.delete(tracked));
    this.inflight.add(tracked);
    // The caller may not await (index writes); the failure is kept for commit either way.
    tracked.catch(() => undefined);
    return tracked;
  }

  private async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.allSettled([...this.inflight]);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }

  private assertOpen(): void {
    if (this.state === "open") return;
    throw new KubesnapError("Conflict", `Snapshot writer "${this.ctx.name}" is already committed or aborted`);
  }
}
