/**
 * Entry batches: writing the entries of a walk into the snapshot's "entries" id list in
 * batches (boundaries from keys.ts), and reading them back as one stream.
 */
import type { BlobId, IdListRef, Repository, SnapshotWriter } from "../../repository/index.js";
import { decodeBatch, type Entry, encodeBatch } from "./format.js";
import { endsBatch, pathKey } from "./keys.js";

export class EntryWriter {
  private batch: Entry[] = [];
  private readonly list;
  /** The last batch's store and listing: one runs beside the next batch's filling. */
  private listing: Promise<void> = Promise.resolve();

  constructor(private readonly writer: SnapshotWriter) {
    this.list = writer.idList();
  }

  /** Appends an entry; entries must come in walk order. */
  async add(entry: Entry): Promise<void> {
    this.batch.push(entry);
    if (endsBatch(pathKey(entry.path), this.batch.length)) await this.flush();
  }

  async finish(): Promise<IdListRef> {
    await this.flush();
    await this.listing;
    return this.list.finish();
  }

  private async flush(): Promise<void> {
    const batch = this.batch;
    if (batch.length === 0) return;
    this.batch = [];
    await this.listing;
    const id = this.writer.addBlob(encodeBatch(batch));
    // A batch is listed under its first entry's key: strictly increasing, like the entries.
    this.listing = id.then((blob) => this.list.add(pathKey((batch[0] as Entry).path), blob));
    // Awaited by the next flush or by finish; a failure must not count as unhandled before that.
    this.listing.catch(() => undefined);
  }
}

/** Every entry of a snapshot, in walk order, one batch in memory at a time. */
export async function* readEntries(
  repository: Repository,
  ref: IdListRef,
  snapshot: string,
): AsyncGenerator<Entry> {
  for await (const id of repository.readIdList(ref)) {
    yield* decodeBatch(await repository.readBlob(id), snapshot);
  }
}

/**
 * The blobs of an id list, read ahead of the reader: up to `depth` reads of up to `bytes`
 * in all in flight (sizes from the index), handed out in list order. Small blobs are
 * many at once, so their decompression goes to the worker in large batches; large ones
 * are few, so memory stays bounded.
 */
export class BlobReadAhead {
  private readonly ids: AsyncIterator<BlobId>;
  private readonly queue: { bytes: Promise<Uint8Array>; size: number }[] = [];
  private queuedBytes = 0;
  private exhausted = false;
  private filling: Promise<void> | undefined;
  /** Reading the list itself failed (a damaged node): every later next() throws it. */
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly repository: Repository,
    ids: AsyncIterable<BlobId>,
    private readonly limits: { readonly depth: number; readonly bytes: number },
  ) {
    this.ids = ids[Symbol.asyncIterator]();
  }

  /**
   * The next blob's read, or undefined past the list's end. Throws when the list itself
   * cannot be read; the read it returns fails alone when only that blob is damaged.
   */
  async next(): Promise<{ readonly bytes: Promise<Uint8Array> } | undefined> {
    if (this.queue.length === 0) await this.fill();
    const head = this.queue.shift();
    if (!head) return undefined;
    this.queuedBytes -= head.size;
    this.fill().catch(() => undefined);
    return { bytes: head.bytes };
  }

  private fill(): Promise<void> {
    if (this.failure) return Promise.reject(this.failure.error);
    if (!this.filling) {
      const run = this.readIds();
      this.filling = run;
      // Cleared once settled (never synchronously, so the assignment above always happens first).
      run
        .finally(() => {
          if (this.filling === run) this.filling = undefined;
        })
        .catch(() => undefined);
    }
    return this.filling;
  }

  private async readIds(): Promise<void> {
    const { depth, bytes } = this.limits;
    try {
      while (!this.exhausted && this.queue.length < depth && this.queuedBytes < bytes) {
        const step = await this.ids.next();
        if (step.done) {
          this.exhausted = true;
          break;
        }
        const read = this.repository.readBlob(step.value);
        // Its failure is reported to whoever takes it; until then it must not be "unhandled".
        read.catch(() => undefined);
        // An id the index lacks fails its read; it takes no room.
        const size = this.repository.blobSize(step.value) ?? 0;
        this.queue.push({ bytes: read, size });
        this.queuedBytes += size;
      }
    } catch (error) {
      this.failure ??= { error };
      throw error;
    }
  }
}
