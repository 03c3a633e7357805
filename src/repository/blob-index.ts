/**
 * The in-memory index: blob id → where it is stored, built from every index file in
 * the location. Writers consult it to deduplicate against all snapshots; readers use it
 * to find a blob's pack. Memory is about 150 bytes per blob (hex key, small record).
 */

import { forEachLimit } from "../core/concurrency.js";
import type { Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import { sha256Hex } from "./blob-id.js";
import type { BlobLocation } from "./blob-reader.js";
import { DamagedObjectError, type DamageReason } from "./damage.js";
import { decodeIndex, encodeIndex, type PackRecord } from "./index-file.js";
import { INDEX_PREFIX, indexIdOfKey, indexKey } from "./layout.js";
import { plainSealer, type SealedStorage, type Sealer, sealContext } from "./sealer.js";

const LOAD_CONCURRENCY = 8;

export interface IndexFile {
  readonly id: string;
  readonly packs: readonly PackRecord[];
}

/**
 * Reads one index file and checks it against its name (the SHA-256 of its stored bytes,
 * sealed ones in an encrypted repository), then opens and decodes it.
 */
export async function readIndexFile(store: SealedStorage, id: string): Promise<IndexFile> {
  const { storage } = store;
  const key = indexKey(id);
  const damaged = (reason: DamageReason, why: string) =>
    new DamagedObjectError({
      key,
      reason,
      message: `Index file ${key} at ${storage.description} is corrupt: ${why}`,
      hint: "delete it and run `kubesnap repo gc`; packs it listed are then treated as unindexed",
    });
  const bytes = await storage.get(key);
  if (sha256Hex(bytes) !== id) throw damaged("corrupt", "content does not match its SHA-256 name");
  const plain = store.sealer.open(bytes, sealContext.index());
  if (!plain) throw damaged("unauthenticated", "it fails authentication");
  const packs = decodeIndex(plain);
  if (typeof packs === "string") throw damaged("corrupt", packs);
  return { id, packs };
}

/** Encodes, seals and stores one index file named by the SHA-256 of its stored bytes. */
export async function writeIndexFile(
  store: SealedStorage,
  packs: readonly PackRecord[],
): Promise<IndexFile & { bytes: number }> {
  const bytes = store.sealer.seal(encodeIndex(packs), sealContext.index());
  const id = sha256Hex(bytes);
  await store.storage.put(indexKey(id), bytes);
  return { id, packs, bytes: bytes.length };
}

export async function listIndexIds(storage: Storage): Promise<string[]> {
  const ids: string[] = [];
  for await (const info of storage.list(INDEX_PREFIX)) {
    const id = indexIdOfKey(info.key);
    if (id !== undefined) ids.push(id);
  }
  return ids;
}

export class BlobIndex {
  private blobs = new Map<BlobId, BlobLocation>();
  private loaded = new Set<string>();
  private refreshing: Promise<void> = Promise.resolve();

  private readonly store: SealedStorage;

  constructor(storage: Storage, sealer: Sealer = plainSealer) {
    this.store = { storage, sealer };
  }

  get(id: BlobId): BlobLocation | undefined {
    return this.blobs.get(id);
  }

  has(id: BlobId): boolean {
    return this.blobs.has(id);
  }

  /** Records an index file this process has just written. */
  addFile(file: IndexFile): void {
    this.loaded.add(file.id);
    addPacks(this.blobs, file.packs);
  }

  /**
   * Loads index files written since the last refresh. If a file we loaded has gone, a gc
   * consolidated the index and deleted packs: rebuild from scratch so we never dedup
   * against a deleted blob. Refreshes run one after another, each seeing a full listing.
   */
  refresh(): Promise<void> {
    const run = this.refreshing.then(() => this.load());
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  private async load(): Promise<void> {
    const ids = await listIndexIds(this.store.storage);
    const present = new Set(ids);
    const rebuild = [...this.loaded].some((id) => !present.has(id));
    const blobs = rebuild ? new Map<BlobId, BlobLocation>() : this.blobs;
    const loaded = rebuild ? new Set<string>() : this.loaded;
    const files: IndexFile[] = [];
    await forEachLimit(
      ids.filter((id) => !loaded.has(id)),
      LOAD_CONCURRENCY,
      async (id) => {
        files.push(await readIndexFile(this.store, id));
      },
    );
    for (const file of files) {
      loaded.add(file.id);
      addPacks(blobs, file.packs);
    }
    // Swap at the end so concurrent readers never see a half-built map.
    this.blobs = blobs;
    this.loaded = loaded;
  }
}

function addPacks(blobs: Map<BlobId, BlobLocation>, packs: readonly PackRecord[]): void {
  for (const { pack, entries } of packs) {
    for (const entry of entries) {
      // Two writers may store the same new blob at once; either copy serves.
      if (!blobs.has(entry.blob)) blobs.set(entry.blob, { pack, ...entry });
    }
  }
}
