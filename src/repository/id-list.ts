/**
 * Id lists: long, ordered lists of blob ids (one per backed-up item) stored as a tree
 * of small blobs, so that a snapshot which changes 1% of its items rewrites only the
 * few nodes around the changes and deduplicates the rest.
 *
 * The caller streams (sortKey, blobId) pairs in strictly increasing key order. Node
 * boundaries are content-defined: with d = SHA-256(sortKey), an entry ends its level-L
 * node when the node then holds at least MIN_NODE_IDS (8) ids and the low 3 bits of
 * byte L of d are zero (probability 1/8), or when it holds MAX_NODE_IDS. Nodes thus
 * average ~15 ids. Boundaries depend on keys only, never on ids, so changing an item
 * rewrites exactly one leaf; inserting or removing one usually rewrites one or two.
 * The minimum matters for size: without it node sizes are geometric, a random change
 * is twice as likely to land in a large leaf, and each change rewrites ~30 ids, not ~18.
 * A level-(L+1) boundary is only considered where a level-L node ends, so every level
 * is stable in the same way.
 *
 * Node blob: "KSN" | level u8 | child ids, 32 raw bytes each (data blob ids in leaves,
 * node ids above). The root is the single node at the top.
 */
import { createHash } from "node:crypto";
import { KubesnapError } from "../core/errors.js";
import { BLOB_ID_BYTES, type BlobId, readHash, writeHash } from "./blob-id.js";
import type { IdListRef } from "./manifest.js";

export interface BlobSink {
  addBlob(bytes: Uint8Array): Promise<BlobId>;
  /** The id addBlob will return for bytes; the tree needs a node's id before it is stored. */
  idOf(bytes: Uint8Array): BlobId;
}

export interface BlobSource {
  readBlob(id: BlobId): Promise<Uint8Array>;
}

const MAGIC = "KSN";
const HEADER_BYTES = 4;
export const MIN_NODE_IDS = 8;
export const MAX_NODE_IDS = 256;
/** Node reads started ahead of the walk, per level. */
const READ_AHEAD = 8;
/**
 * Node stores in flight before add() makes its caller wait. Nodes are small, and waiting
 * for each one's compression (a round trip to the compression worker) stalled a backup
 * of many small files once every ~15 entries.
 */
const STORES_IN_FLIGHT = 16;

export class IdListWriter {
  /** Pending ids per level; levels[0] holds data ids. */
  private readonly levels: BlobId[][] = [[]];
  private lastKey: string | undefined;
  private count = 0;
  private readonly stores = new Set<Promise<unknown>>();
  private failure: { error: unknown } | undefined;
  private finished = false;

  constructor(private readonly sink: BlobSink) {}

  /**
   * Appends one entry. The list's shape is updated synchronously, so callers may add
   * without awaiting; awaiting the result applies the sink's back-pressure.
   */
  add(sortKey: string, id: BlobId): Promise<void> {
    if (this.finished) return Promise.reject(new KubesnapError("Internal", "IdListWriter.add after finish"));
    if (this.lastKey !== undefined && sortKey <= this.lastKey) {
      return Promise.reject(
        new KubesnapError(
          "InvalidInput",
          `Id list keys out of order: ${JSON.stringify(sortKey)} after ${JSON.stringify(this.lastKey)}`,
          {
            hint: "add entries in strictly increasing sortKey order",
          },
        ),
      );
    }
    this.lastKey = sortKey;
    this.count++;
    this.push(0, id, createHash("sha256").update(sortKey, "utf8").digest());
    return this.stores.size >= STORES_IN_FLIGHT ? this.fewerStores() : Promise.resolve();
  }

  /** Stores the remaining nodes and returns the list's root. */
  async finish(): Promise<IdListRef> {
    this.finished = true;
    let root: BlobId | null = null;
    for (let level = 0; this.count > 0; level++) {
      const ids = this.levels[level] ?? [];
      const top = level === this.levels.length - 1;
      if (top) {
        // A lone node at the top is the root; leaves always need a node of their own.
        root = level > 0 && ids.length === 1 ? (ids[0] as BlobId) : this.emit(level);
        break;
      }
      if (ids.length > 0) this.levels[level + 1]?.push(this.emit(level));
    }
    await Promise.all(this.stores);
    if (this.failure) throw this.failure.error;
    return { count: this.count, root };
  }

  private async fewerStores(): Promise<void> {
    while (this.stores.size >= STORES_IN_FLIGHT) await Promise.race(this.stores);
  }

  private push(level: number, id: BlobId, keyDigest: Buffer): void {
    const ids = this.levels[level] ?? [];
    this.levels[level] = ids;
    ids.push(id);
    const boundary = ids.length >= MIN_NODE_IDS && ((keyDigest[level] ?? 0) & 7) === 0;
    if (boundary || ids.length >= MAX_NODE_IDS) this.push(level + 1, this.emit(level), keyDigest);
  }

  /** Encodes and stores the pending ids of a level as one node; returns its id. */
  private emit(level: number): BlobId {
    const ids = this.levels[level] ?? [];
    this.levels[level] = [];
    const bytes = encodeNode(level, ids);
    const store = this.sink
      .addBlob(bytes)
      .catch((error: unknown) => {
        this.failure ??= { error };
      })
      .finally(() => this.stores.delete(store));
    this.stores.add(store);
    return this.sink.idOf(bytes);
  }
}

export type WalkStep =
  | { readonly kind: "node"; readonly id: BlobId }
  | { readonly kind: "data"; readonly id: BlobId }
  | { readonly kind: "unreadable"; readonly id: BlobId; readonly error: unknown };

export interface WalkOptions {
  /** Nodes for which this returns true are neither read nor yielded (gc: already walked). */
  readonly skip?: (node: BlobId) => boolean;
}

/**
 * Walks a list depth-first in order: each node, then its children. A node that cannot
 * be read or decoded is yielded as "unreadable" and its subtree is skipped, so callers
 * decide whether that is fatal (readIdList, gc) or a finding (verify).
 */
export async function* walkIdList(
  source: BlobSource,
  root: BlobId,
  options: WalkOptions = {},
): AsyncGenerator<WalkStep> {
  if (options.skip?.(root)) return;
  yield* walkNode(source, root, undefined, readAhead(source, root), options);
}

/** The data ids of a list, in order; throws if any node is missing or corrupt. */
export async function* readIdList(source: BlobSource, ref: IdListRef): AsyncGenerator<BlobId> {
  if (ref.root === null) return;
  for await (const step of walkIdList(source, ref.root)) {
    if (step.kind === "unreadable") throw step.error;
    if (step.kind === "data") yield step.id;
  }
}

async function* walkNode(
  source: BlobSource,
  id: BlobId,
  expectedLevel: number | undefined,
  read: Promise<Uint8Array>,
  options: WalkOptions,
): AsyncGenerator<WalkStep> {
  let node: { level: number; ids: BlobId[] };
  try {
    node = decodeNode(id, await read, expectedLevel);
  } catch (error) {
    yield { kind: "unreadable", id, error };
    return;
  }
  yield { kind: "node", id };
  if (node.level === 0) {
    for (const child of node.ids) yield { kind: "data", id: child };
    return;
  }
  const children = node.ids.filter((child) => !options.skip?.(child));
  const reads: Promise<Uint8Array>[] = [];
  for (let i = 0; i < children.length; i++) {
    for (let j = reads.length; j < Math.min(children.length, i + READ_AHEAD); j++) {
      reads.push(readAhead(source, children[j] as BlobId));
    }
    yield* walkNode(source, children[i] as BlobId, node.level - 1, reads[i] as Promise<Uint8Array>, options);
  }
}

/** Starts a read whose failure is reported when awaited, not as an unhandled rejection. */
function readAhead(source: BlobSource, id: BlobId): Promise<Uint8Array> {
  const read = source.readBlob(id);
  read.catch(() => undefined);
  return read;
}

function encodeNode(level: number, ids: readonly BlobId[]): Uint8Array {
  const out = Buffer.alloc(HEADER_BYTES + ids.length * BLOB_ID_BYTES);
  out.write(MAGIC, 0, "latin1");
  out.writeUInt8(level, 3);
  ids.forEach((id, i) => {
    writeHash(id, out, HEADER_BYTES + i * BLOB_ID_BYTES);
  });
  return out;
}

function decodeNode(
  id: BlobId,
  bytes: Uint8Array,
  expectedLevel: number | undefined,
): { level: number; ids: BlobId[] } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = (buf.length - HEADER_BYTES) / BLOB_ID_BYTES;
  const level = buf.length >= HEADER_BYTES ? buf.readUInt8(3) : -1;
  const valid =
    buf.toString("latin1", 0, 3) === MAGIC &&
    Number.isInteger(count) &&
    count > 0 &&
    (expectedLevel === undefined || level === expectedLevel);
  if (!valid) {
    throw new KubesnapError("Corrupt", `Blob ${id} is not a valid id-list node at the expected level`, {
      hint: "the snapshot referencing it is damaged; run `kubesnap repo verify`",
    });
  }
  const ids: BlobId[] = [];
  for (let i = 0; i < count; i++) ids.push(readHash(buf, HEADER_BYTES + i * BLOB_ID_BYTES) as BlobId);
  return { level, ids };
}
