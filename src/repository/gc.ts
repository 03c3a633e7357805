/**
 * Garbage collection. Under the exclusive gc lock, and only while no live snapshot
 * lock exists (a running writer may reference blobs it deduplicated against), gc:
 *   1. removes stale snapshot locks (holders dead for 10+ minutes);
 *   2. marks live every blob reachable from a manifest: direct blobs, and every node
 *      and data id of each id list (shared subtrees are walked once);
 *   3. writes one consolidated index of the packs it keeps, then deletes the old
 *      index files, then deletes packs with no live blob and unindexed packs older than
 *      the stale window (uploads of crashed writers), and side files of snapshots that
 *      never got a manifest, older than the stale window.
 * Partly live packs are kept whole: nothing is repacked.
 * If any manifest or id-list node cannot be read, gc stops before deleting anything,
 * because it can no longer tell what is live.
 */

import { forEachLimit } from "../core/concurrency.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { ObjectInfo, Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import { listIndexIds, readIndexFile, writeIndexFile } from "./blob-index.js";
import { type BlobLocation, readBlobAt } from "./blob-reader.js";
import type { Clock } from "./clock.js";
import { walkIdList } from "./id-list.js";
import type { PackEntry } from "./index-file.js";
import { DATA_PREFIX, indexKey, packIdOfKey, packKey, parseSnapshotKey, SNAPSHOTS_PREFIX } from "./layout.js";
import {
  acquireGcLock,
  describeHolder,
  type HeldLock,
  isStale,
  listSnapshotLocks,
  STALE_AFTER_MS,
} from "./lock.js";
import { type Manifest, parseManifest } from "./manifest.js";
import type { SealedStorage } from "./sealer.js";

export type GcReport =
  | {
      readonly status: "skipped";
      /** Why nothing was deleted, for a human. */
      readonly reason: string;
      /** The live locks that made gc skip. */
      readonly locks: readonly string[];
      readonly staleLocksRemoved: number;
    }
  | {
      readonly status: "done";
      readonly snapshots: number;
      readonly blobsLive: number;
      readonly packsKept: number;
      readonly packsDeleted: number;
      /** Unindexed packs left by crashed writers. */
      readonly orphanPacksDeleted: number;
      /** Side files of snapshots that never got a manifest. */
      readonly orphanFilesDeleted: number;
      readonly indexFilesReplaced: number;
      readonly staleLocksRemoved: number;
      readonly bytesFreed: number;
      /** Objects kept because object lock still retains them (gc takes them once it ends). */
      readonly retainedKept: number;
    };

export interface GcContext extends SealedStorage {
  readonly clock: Clock;
}

const DELETE_CONCURRENCY = 8;

export async function collectGarbage(ctx: GcContext): Promise<GcReport> {
  const lock = await acquireGcLock(ctx);
  try {
    return await collect(ctx, lock);
  } finally {
    await lock.release();
  }
}

async function collect(ctx: GcContext, lock: HeldLock): Promise<GcReport> {
  const { storage } = ctx;
  const now = ctx.clock.now();
  const locks = await listSnapshotLocks(storage);
  const stale = locks.filter((l) => isStale(l, now));
  for (const l of stale) await storage.delete(l.key);
  const alive = locks.filter((l) => !isStale(l, now));
  if (alive.length > 0) {
    return {
      status: "skipped",
      reason: `${alive.length} snapshot writer(s) hold a lock and may reference blobs gc would delete`,
      locks: alive.map(describeHolder),
      staleLocksRemoved: stale.length,
    };
  }

  const indexIds = await listIndexIds(storage);
  const packs = new Map<string, readonly PackEntry[]>();
  const packsOfIndex = new Map<string, string[]>();
  const locations = new Map<BlobId, BlobLocation>();
  for (const id of indexIds) {
    const indexed = (await readIndexFile(ctx, id)).packs;
    packsOfIndex.set(
      id,
      indexed.map((p) => p.pack),
    );
    for (const { pack, entries } of indexed) {
      // After an interrupted gc a pack may be listed twice; the entries are identical.
      packs.set(pack, entries);
      for (const entry of entries)
        if (!locations.has(entry.blob)) locations.set(entry.blob, { pack, ...entry });
    }
  }

  const snapshots = await listSnapshotObjects(storage);
  const live = await markLive(ctx, locations, snapshots);
  const unreferenced = [...packs.keys()].filter((pack) => !packs.get(pack)?.some((e) => live.has(e.blob)));

  const stored = new Map<string, ObjectInfo>();
  for await (const info of storage.list(DATA_PREFIX)) {
    const pack = packIdOfKey(info.key);
    if (pack !== undefined) stored.set(pack, info);
  }
  const isOld = (info: ObjectInfo) => now - info.lastModified.getTime() > STALE_AFTER_MS;

  // Object lock: what the store still retains cannot go. An index file still retained
  // also pins the packs it lists (its entries must never point at a deleted pack, or a
  // later backup would deduplicate against blobs that are gone).
  const locked = await retainedKeys(
    storage,
    [
      ...indexIds.map(indexKey),
      ...unreferenced.map(packKey),
      ...[...stored.entries()].filter(([pack]) => !packs.has(pack)).map(([pack]) => packKey(pack)),
    ],
    now,
  );
  const keptIndexIds = new Set(indexIds.filter((id) => locked.has(indexKey(id))));
  const pinned = new Set([...keptIndexIds].flatMap((id) => packsOfIndex.get(id) ?? []));
  const dead = unreferenced.filter((pack) => !pinned.has(pack) && !locked.has(packKey(pack)));
  const orphans = [...stored.entries()].filter(
    ([pack, info]) => !packs.has(pack) && isOld(info) && !locked.has(packKey(pack)),
  );
  const orphanCandidates = [...snapshots.values()].flatMap((s) =>
    s.manifest === undefined && s.objects.every(isOld) ? s.objects : [],
  );
  const lockedFiles = await retainedKeys(
    storage,
    orphanCandidates.map((o) => o.key),
    now,
  );
  const orphanFiles = orphanCandidates.filter((o) => !lockedFiles.has(o.key));

  // Deleting after a long mark: make sure our lock did not go stale meanwhile.
  lock.assertFresh();
  let indexFilesReplaced = 0;
  if (dead.length > 0 || indexIds.length - keptIndexIds.size > 1) {
    const deadSet = new Set(dead);
    const kept = [...packs.entries()]
      .filter(([pack]) => !deadSet.has(pack))
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([pack, entries]) => ({ pack, entries }));
    // The new index lands before the old ones go, so every kept pack stays indexed throughout.
    // Unencrypted, the consolidated index may be byte-identical to (and so named like) an old one.
    const written = kept.length > 0 ? await writeIndexFile(ctx, kept) : undefined;
    const replaced = indexIds.filter((id) => id !== written?.id && !keptIndexIds.has(id));
    await forEachLimit(replaced, DELETE_CONCURRENCY, (id) => storage.delete(indexKey(id)));
    indexFilesReplaced = replaced.length;
  }
  let bytesFreed = 0;
  const doomed = [
    ...dead.flatMap((pack) => stored.get(pack) ?? []),
    ...orphans.map(([, info]) => info),
    ...orphanFiles,
  ];
  await forEachLimit(doomed, DELETE_CONCURRENCY, async (info) => {
    await storage.delete(info.key);
    bytesFreed += info.size;
  });

  return {
    status: "done",
    snapshots: [...snapshots.values()].filter((s) => s.manifest !== undefined).length,
    blobsLive: live.size,
    packsKept: packs.size - dead.length,
    packsDeleted: dead.length,
    orphanPacksDeleted: orphans.length,
    orphanFilesDeleted: orphanFiles.length,
    indexFilesReplaced,
    staleLocksRemoved: stale.length,
    bytesFreed,
    retainedKept: locked.size + lockedFiles.size,
  };
}

/** Of these keys, the ones the store still retains (object lock); none on stores without it. */
async function retainedKeys(storage: Storage, keys: readonly string[], now: number): Promise<Set<string>> {
  const retained = new Set<string>();
  if (!storage.retainedUntil) return retained;
  const until = storage.retainedUntil.bind(storage);
  await forEachLimit(keys, DELETE_CONCURRENCY, async (key) => {
    const date = await until(key);
    if (date && date.getTime() > now) retained.add(key);
  });
  return retained;
}

interface SnapshotObjects {
  manifest: ObjectInfo | undefined;
  objects: ObjectInfo[];
}

async function listSnapshotObjects(storage: Storage): Promise<Map<string, SnapshotObjects>> {
  const byName = new Map<string, SnapshotObjects>();
  for await (const info of storage.list(SNAPSHOTS_PREFIX)) {
    const parsed = parseSnapshotKey(info.key);
    if (!parsed) continue;
    const entry = byName.get(parsed.name) ?? { manifest: undefined, objects: [] };
    byName.set(parsed.name, entry);
    entry.objects.push(info);
    if (parsed.isManifest) entry.manifest = info;
  }
  return byName;
}

/** Every blob id reachable from a manifest; throws (deleting nothing) if reachability is unknowable. */
async function markLive(
  store: SealedStorage,
  locations: ReadonlyMap<BlobId, BlobLocation>,
  snapshots: ReadonlyMap<string, SnapshotObjects>,
): Promise<Set<BlobId>> {
  const live = new Set<BlobId>();
  const source = {
    readBlob(id: BlobId): Promise<Uint8Array> {
      const location = locations.get(id);
      if (location) return readBlobAt(store, location);
      return Promise.reject(new KubesnapError("NotFound", `Blob ${id} is in no index file`));
    },
  };
  for (const [name, { manifest: info }] of snapshots) {
    if (!info) continue;
    const manifest = await readManifestIfPresent(store, { snapshot: name, key: info.key });
    if (!manifest) continue; // deleted while we listed: its blobs are garbage next time
    for (const id of manifest.blobs) live.add(id);
    for (const [list, ref] of Object.entries(manifest.lists)) {
      if (ref.root === null) continue;
      for await (const step of walkIdList(source, ref.root, { skip: (id) => live.has(id) })) {
        if (step.kind === "unreadable") {
          throw new KubesnapError(
            "Corrupt",
            `gc stopped before deleting anything: snapshot "${name}" list "${list}" has unreadable node ${step.id}`,
            { hint: "run `kubesnap repo verify`, then delete or repair that snapshot", cause: step.error },
          );
        }
        live.add(step.id);
      }
    }
  }
  return live;
}

async function readManifestIfPresent(
  store: SealedStorage,
  at: { snapshot: string; key: string },
): Promise<Manifest | undefined> {
  const { storage, sealer } = store;
  try {
    return parseManifest(await storage.get(at.key), { ...at, sealer, where: storage.description });
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}
