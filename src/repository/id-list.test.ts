import { describe, expect, it } from "vitest";
import { type BlobId, blobIdOf } from "./blob-id.js";
import { type BlobSink, IdListWriter, MAX_NODE_IDS, MIN_NODE_IDS, readIdList } from "./id-list.js";
import type { IdListRef } from "./manifest.js";

/** An in-memory blob store: id lists only need addBlob/readBlob, not packs. */
class MemoryBlobs implements BlobSink {
  readonly blobs = new Map<BlobId, Uint8Array>();

  idOf(bytes: Uint8Array): BlobId {
    return blobIdOf(bytes);
  }

  async addBlob(bytes: Uint8Array): Promise<BlobId> {
    const id = this.idOf(bytes);
    this.blobs.set(id, bytes);
    return id;
  }

  async readBlob(id: BlobId): Promise<Uint8Array> {
    const bytes = this.blobs.get(id);
    if (!bytes) throw new Error(`no blob ${id}`);
    return bytes;
  }
}

const idOf = (s: string) => blobIdOf(Buffer.from(s));
const keyOf = (i: number) => `item-${String(i).padStart(6, "0")}`;

async function write(store: MemoryBlobs, entries: readonly [string, BlobId][]): Promise<IdListRef> {
  const writer = new IdListWriter(store);
  for (const [key, id] of entries) await writer.add(key, id);
  return writer.finish();
}

async function collect(store: MemoryBlobs, ref: IdListRef): Promise<BlobId[]> {
  const ids: BlobId[] = [];
  for await (const id of readIdList(store, ref)) ids.push(id);
  return ids;
}

/** Leaf nodes are the ones at level 0 (byte 3 of the node header). */
function leaves(store: MemoryBlobs): Set<BlobId> {
  return new Set([...store.blobs].filter(([, bytes]) => bytes[3] === 0).map(([id]) => id));
}

describe("id lists", () => {
  it("returns every id in order, for sizes around the node boundaries", async () => {
    for (const n of [0, 1, 2, 15, 16, 17, 300, 5000]) {
      const store = new MemoryBlobs();
      const entries = Array.from({ length: n }, (_, i) => [keyOf(i), idOf(`v${i}`)] as [string, BlobId]);
      const ref = await write(store, entries);
      expect(ref.count).toBe(n);
      expect(ref.root === null).toBe(n === 0);
      expect(await collect(store, ref)).toEqual(entries.map(([, id]) => id));
    }
  });

  it("averages about 15 ids per leaf, between the minimum and the cap", async () => {
    const store = new MemoryBlobs();
    await write(
      store,
      Array.from({ length: 20_000 }, (_, i) => [keyOf(i), idOf(`v${i}`)] as [string, BlobId]),
    );
    const leafSizes = [...leaves(store)].map((id) => ((store.blobs.get(id)?.length ?? 0) - 4) / 32);
    const average = 20_000 / leafSizes.length;
    expect(average).toBeGreaterThan(12);
    expect(average).toBeLessThan(18);
    expect(Math.max(...leafSizes)).toBeLessThanOrEqual(MAX_NODE_IDS);
    // Only the last leaf may be shorter than the minimum.
    expect(leafSizes.filter((n) => n < MIN_NODE_IDS).length).toBeLessThanOrEqual(1);
  });

  it("changing one entry changes exactly one leaf", async () => {
    const entries = Array.from({ length: 10_000 }, (_, i) => [keyOf(i), idOf(`v${i}`)] as [string, BlobId]);
    const before = new MemoryBlobs();
    await write(before, entries);
    const changed = entries.map(([k, id], i) => [k, i === 4321 ? idOf("changed") : id] as [string, BlobId]);
    const after = new MemoryBlobs();
    const ref = await write(after, changed);
    const oldLeaves = leaves(before);
    const newLeaves = [...leaves(after)].filter((id) => !oldLeaves.has(id));
    expect(newLeaves).toHaveLength(1);
    expect(await collect(after, ref)).toEqual(changed.map(([, id]) => id));
  });

  it("inserting one key rewrites one or two leaves, never a cascade", async () => {
    const entries = Array.from(
      { length: 10_000 },
      (_, i) => [keyOf(i * 2), idOf(`v${i}`)] as [string, BlobId],
    );
    const before = new MemoryBlobs();
    await write(before, entries);
    const oldLeaves = leaves(before);
    const rewritten: number[] = [];
    for (let at = 1; at < 20_000; at += 1_000) {
      const inserted = [...entries, [keyOf(at), idOf("new")] as [string, BlobId]].sort(([a], [b]) =>
        a < b ? -1 : 1,
      );
      const after = new MemoryBlobs();
      await write(after, inserted);
      rewritten.push([...leaves(after)].filter((id) => !oldLeaves.has(id)).length);
    }
    expect(Math.max(...rewritten)).toBeLessThanOrEqual(3);
    expect(rewritten.reduce((a, b) => a + b)).toBeLessThanOrEqual(rewritten.length * 1.5);
  });

  it("refuses keys out of order", async () => {
    const writer = new IdListWriter(new MemoryBlobs());
    await writer.add("b", idOf("1"));
    await expect(writer.add("a", idOf("2"))).rejects.toMatchObject({ code: "InvalidInput" });
    await expect(writer.add("b", idOf("2"))).rejects.toMatchObject({ code: "InvalidInput" });
  });
});
