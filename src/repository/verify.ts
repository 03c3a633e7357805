/**
 * Verifying a snapshot: its manifest, every id-list node, its data blobs (all, or a
 * random sample) and every side file are read and checked (checksums, authentication
 * in an encrypted repository, ids). Problems are returned as data, one per damaged
 * object, so one bad blob never hides the others.
 *
 * One listing of data/ first gives every pack's size, so a missing or truncated pack is
 * found for every referenced blob without reading it, even when sampling. A full check
 * reads each pack once (not once per blob, which matters on object stores); a sample
 * reads just the chosen frames, since 5% of blobs would touch nearly every pack.
 */

import { forEachLimit } from "../core/concurrency.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { ObjectInfo, Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import type { BlobIndex } from "./blob-index.js";
import { type BlobLocation, decodeFrame, readBlobAt } from "./blob-reader.js";
import { DamagedObjectError } from "./damage.js";
import { walkIdList } from "./id-list.js";
import { DATA_PREFIX, manifestKey, packIdOfKey, packKey, sideFileKey } from "./layout.js";
import { type Manifest, parseManifest } from "./manifest.js";
import type { SealedStorage } from "./sealer.js";
import { readSideFile } from "./side-file.js";
import type { VerifyOptions, VerifyProblem, VerifyReport } from "./verify-report.js";

export interface VerifyContext extends SealedStorage {
  readonly index: BlobIndex;
}

const PACK_READS = 4;
const FRAME_READS = 16;

export async function verifySnapshot(
  ctx: VerifyContext,
  snapshot: string,
  options: VerifyOptions = {},
): Promise<VerifyReport> {
  const sample = checkSample(options.sample);
  const reads = countReads(ctx.storage);
  const store: SealedStorage = { storage: reads.storage, sealer: ctx.sealer };
  const problems: VerifyProblem[] = [];
  const manifest = await readManifest(store, snapshot, problems);
  if (!manifest) {
    return {
      snapshot,
      blobsReferenced: 0,
      blobsChecked: 0,
      filesChecked: 0,
      bytesRead: reads.bytes(),
      problems,
    };
  }
  const packs = new PackDamage(await listPackSizes(ctx.storage));
  let blobsChecked = 0;

  const nodes = new Set<BlobId>();
  const data = new Set<BlobId>(manifest.blobs);
  const source = {
    readBlob: (id: BlobId) => {
      const location = ctx.index.get(id);
      // Not read: the unreadable step below reports it from the index and the listing.
      if (!location || packs.damage(location)) return Promise.reject(new Error(`blob ${id} not read`));
      blobsChecked++;
      return readBlobAt(store, location);
    },
  };
  for (const ref of Object.values(manifest.lists)) {
    if (ref.root === null) continue;
    for await (const step of walkIdList(source, ref.root, { skip: (id) => nodes.has(id) })) {
      if (step.kind === "data") data.add(step.id);
      else nodes.add(step.id);
      if (step.kind === "unreadable") {
        const location = ctx.index.get(step.id);
        if (!location) problems.push(missingBlob(step.id));
        else if (!packs.record(location)) problems.push(...packs.blobProblem(location, step.error));
      }
    }
  }

  const readable: BlobLocation[] = [];
  for (const blob of data) {
    const location = ctx.index.get(blob);
    if (!location) problems.push(missingBlob(blob));
    else if (!packs.record(location)) readable.push(location);
  }
  const chosen = sample < 1 ? pick(readable, Math.ceil(readable.length * sample)) : readable;
  blobsChecked += chosen.length;
  if (sample < 1) {
    await forEachLimit(chosen, FRAME_READS, async (location) => {
      await readBlobAt(store, location).catch((error: unknown) => {
        problems.push(...packs.blobProblem(location, error));
      });
    });
  } else {
    await forEachLimit(groupByPack(chosen), PACK_READS, async ([pack, locations]) => {
      problems.push(...(await verifyPack(store, pack, locations, packs)));
    });
  }
  problems.push(...(await verifyFiles(store, manifest)), ...packs.problems());
  return {
    snapshot,
    blobsReferenced: nodes.size + data.size,
    blobsChecked,
    filesChecked: Object.keys(manifest.files).length,
    bytesRead: reads.bytes(),
    problems,
  };
}

async function verifyFiles(store: SealedStorage, manifest: Manifest): Promise<VerifyProblem[]> {
  const problems: VerifyProblem[] = [];
  const snapshot = manifest.name;
  for (const [file, record] of Object.entries(manifest.files)) {
    const key = sideFileKey(snapshot, file);
    await readSideFile(store, { snapshot, file }, record).catch((error: unknown) => {
      if (isKubesnapError(error, "NotFound")) {
        problems.push({ kind: "missing-file", key, file, reason: "missing", message: error.message });
      } else if (error instanceof DamagedObjectError) {
        problems.push({ kind: "corrupt-file", key, file, reason: error.reason, message: error.message });
      } else throw error;
    });
  }
  return problems;
}

/** The manifest, or undefined with its problem recorded (missing, damaged, swapped). */
async function readManifest(
  store: SealedStorage,
  snapshot: string,
  problems: VerifyProblem[],
): Promise<Manifest | undefined> {
  const key = manifestKey(snapshot);
  const { storage, sealer } = store;
  try {
    return parseManifest(await storage.get(key), { snapshot, sealer, key, where: storage.description });
  } catch (error) {
    if (isKubesnapError(error, "NotFound")) {
      const message = `Manifest ${key} of snapshot "${snapshot}" is missing from ${storage.description}`;
      problems.push({ kind: "missing-manifest", key, reason: "missing", message });
    } else if (error instanceof DamagedObjectError) {
      problems.push({ kind: "corrupt-manifest", key, reason: error.reason, message: error.message });
    } else throw error;
    return undefined;
  }
}

/**
 * Packs that are missing or too short, judged from the listing, with the snapshot's
 * blobs each one takes down: one problem per pack, however many blobs it held.
 */
class PackDamage {
  private readonly found = new Map<string, { reason: "missing" | "truncated"; blobs: BlobId[] }>();

  constructor(private readonly sizes: ReadonlyMap<string, number>) {}

  damage(location: BlobLocation): "missing" | "truncated" | undefined {
    const size = this.sizes.get(location.pack);
    if (size === undefined) return "missing";
    return location.offset + location.length > size ? "truncated" : undefined;
  }

  /** Records the blob under its pack's damage; false when the pack looks whole. */
  record(location: BlobLocation, reason = this.damage(location)): boolean {
    if (reason === undefined) return false;
    const entry = this.found.get(location.pack) ?? { reason, blobs: [] };
    this.found.set(location.pack, entry);
    entry.blobs.push(location.blob);
    return true;
  }

  /** The problem a failed read of a blob in a whole-looking pack amounts to. */
  blobProblem(location: BlobLocation, error: unknown): VerifyProblem[] {
    // Deleted since the listing: the pack's problem, not the blob's.
    if (isKubesnapError(error, "NotFound")) {
      this.record(location, "missing");
      return [];
    }
    if (!isKubesnapError(error, "Corrupt")) throw error;
    const { pack, blob } = location;
    const reason = error instanceof DamagedObjectError ? error.reason : "corrupt";
    return [{ kind: "corrupt-blob", key: packKey(pack), pack, blob, reason, message: error.message }];
  }

  problems(): VerifyProblem[] {
    return [...this.found].map(([pack, { reason, blobs }]) => {
      const key = packKey(pack);
      const message =
        reason === "missing"
          ? `Pack ${key} is missing; ${blobs.length} blob(s) of the snapshot were in it`
          : `Pack ${key} is ${this.sizes.get(pack)} bytes, too short for ${blobs.length} blob(s) of the snapshot`;
      const kind = reason === "missing" ? "missing-pack" : "truncated-pack";
      return { kind, key, pack, blobs, reason, message };
    });
  }
}

async function verifyPack(
  store: SealedStorage,
  pack: string,
  locations: readonly BlobLocation[],
  packs: PackDamage,
): Promise<VerifyProblem[]> {
  let bytes: Uint8Array;
  try {
    bytes = await store.storage.get(packKey(pack));
  } catch (error) {
    return locations.flatMap((location) => packs.blobProblem(location, error));
  }
  const problems: VerifyProblem[] = [];
  for (const location of locations) {
    const frame = bytes.subarray(location.offset, location.offset + location.length);
    await decodeFrame(frame, { location, sealer: store.sealer, where: store.storage.description }).catch(
      (error: unknown) => {
        problems.push(...packs.blobProblem(location, error));
      },
    );
  }
  return problems;
}

async function listPackSizes(storage: Storage): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for await (const info of storage.list(DATA_PREFIX)) {
    const pack = packIdOfKey(info.key);
    if (pack !== undefined) sizes.set(pack, info.size);
  }
  return sizes;
}

function groupByPack(locations: readonly BlobLocation[]): Map<string, BlobLocation[]> {
  const byPack = new Map<string, BlobLocation[]>();
  for (const location of locations) {
    const inPack = byPack.get(location.pack) ?? [];
    byPack.set(location.pack, inPack);
    inPack.push(location);
  }
  return byPack;
}

/** count items chosen uniformly at random (a partial Fisher–Yates shuffle). */
function pick<T>(items: readonly T[], count: number): T[] {
  const pool = [...items];
  for (let i = 0; i < count && i < pool.length; i++) {
    const j = i + Math.floor(Math.random() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as T, pool[i] as T];
  }
  return pool.slice(0, count);
}

function checkSample(sample: number | undefined): number {
  if (sample === undefined) return 1;
  if (sample > 0 && sample <= 1) return sample;
  throw new KubesnapError("InvalidInput", `Invalid verify sample ${sample}`, {
    hint: "give a fraction of blobs to read, greater than 0 and at most 1 (0.05 reads 5%)",
  });
}

/** Storage whose reads are counted, so a report can say how much verify read. */
function countReads(storage: Storage): { storage: Storage; bytes(): number } {
  let bytes = 0;
  const counted: Storage = {
    description: storage.description,
    get: async (key, range) => {
      const read = await storage.get(key, range);
      bytes += read.length;
      return read;
    },
    put: (key, body) => storage.put(key, body),
    putIfAbsent: (key, body) => storage.putIfAbsent(key, body),
    stat: (key): Promise<ObjectInfo | undefined> => storage.stat(key),
    list: (prefix) => storage.list(prefix),
    delete: (key) => storage.delete(key),
  };
  return { storage: counted, bytes: () => bytes };
}

function missingBlob(blob: BlobId): VerifyProblem {
  return {
    kind: "missing-blob",
    key: null,
    blob,
    reason: "unindexed",
    message: `Blob ${blob} is in no index file`,
  };
}
