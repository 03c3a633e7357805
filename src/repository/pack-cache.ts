/**
 * Whole packs kept in memory while a restore reads them. A restore reads most blobs of a
 * backup, twice (the load pass keeps only metadata; the apply pass reads each object
 * again), and one ranged GET per blob costs one round trip each: on a cloud store that,
 * not bandwidth, bounds a restore. The second read from a pack fetches it whole, once;
 * later frames are cut from memory. A lone read (one item restored from a big backup)
 * stays a ranged GET.
 */
import type { ByteRange, Storage } from "../storage/index.js";
import { packKey } from "./layout.js";

/** Enough for a few 8 MiB packs; small beside the rest of a restore's memory. */
const DEFAULT_BUDGET_BYTES = 48 * 1024 * 1024;
/** Reads from one pack before it is fetched whole. */
const WHOLE_AFTER_READS = 2;

export class PackCache {
  private readonly reads = new Map<string, number>();
  /** Loaded or loading packs, least recently used first (Map keeps insertion order). */
  private readonly packs = new Map<string, Promise<Uint8Array | undefined>>();
  private readonly sizes = new Map<string, number>();
  /** Packs found too big to keep: they are read by range from then on. */
  private readonly tooBig = new Set<string>();
  private bytes = 0;

  constructor(
    private readonly storage: Storage,
    private readonly budgetBytes = DEFAULT_BUDGET_BYTES,
  ) {}

  /** Bytes [offset, offset + length) of a pack: from memory, or a ranged GET. */
  async read(pack: string, range: ByteRange): Promise<Uint8Array> {
    const whole = await this.whole(pack);
    if (whole) return whole.subarray(range.offset, range.offset + range.length);
    return this.storage.get(packKey(pack), range);
  }

  private whole(pack: string): Promise<Uint8Array | undefined> {
    const cached = this.packs.get(pack);
    if (cached) {
      this.packs.delete(pack);
      this.packs.set(pack, cached);
      return cached;
    }
    const reads = (this.reads.get(pack) ?? 0) + 1;
    this.reads.set(pack, reads);
    if (reads < WHOLE_AFTER_READS || this.tooBig.has(pack)) return Promise.resolve(undefined);
    const loading = this.storage.get(packKey(pack)).then(
      (bytes) => this.keep(pack, bytes),
      // A failed whole read falls back to ranged reads, whose errors name the blob.
      () => {
        this.packs.delete(pack);
        return undefined;
      },
    );
    this.packs.set(pack, loading);
    return loading;
  }

  private keep(pack: string, bytes: Uint8Array): Uint8Array | undefined {
    // A pack too big to keep serves the reads waiting for it, and is not kept.
    if (bytes.length > this.budgetBytes / 2) {
      this.packs.delete(pack);
      this.tooBig.add(pack);
      return bytes;
    }
    this.sizes.set(pack, bytes.length);
    this.bytes += bytes.length;
    for (const [oldest] of this.packs) {
      if (this.bytes <= this.budgetBytes || oldest === pack) break;
      this.packs.delete(oldest);
      this.bytes -= this.sizes.get(oldest) ?? 0;
      this.sizes.delete(oldest);
    }
    return bytes;
  }
}
