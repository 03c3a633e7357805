import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { BlobId } from "./blob-id.js";
import { listIndexIds, readIndexFile } from "./blob-index.js";
import { packKey } from "./layout.js";
import { acquireGcLock, STALE_AFTER_MS } from "./lock.js";
import { Repository } from "./repository.js";
import { plainSealer } from "./sealer.js";
import { ManualClock, seededBytes, type TempStorage, tempStorage } from "./testing.test-helper.js";

let temp: TempStorage;
let clock: ManualClock;
beforeEach(async () => {
  temp = await tempStorage();
  clock = new ManualClock();
});
afterEach(async () => {
  await temp.cleanup();
});

const open = (options: { gcWaitMs?: number } = {}) =>
  Repository.open(temp.storage, { clock, packBytes: 16 * 1024, ...options });

/** Commits a snapshot of 2 KB blobs made from the given seeds; returns their ids. */
async function snapshot(repo: Repository, name: string, seeds: readonly number[]): Promise<BlobId[]> {
  const writer = await repo.startSnapshot(name);
  const ids: BlobId[] = [];
  const list = writer.idList();
  for (const seed of seeds) {
    const id = await writer.addBlob(seededBytes(seed, 2000));
    ids.push(id);
    await list.add(`k${String(seed).padStart(6, "0")}`, id);
  }
  await writer.commit({ body: null, lists: { items: await list.finish() } });
  return ids;
}

async function packCount(): Promise<number> {
  let n = 0;
  for await (const _ of temp.storage.list("data/")) n++;
  return n;
}

const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);

describe("gc", () => {
  it("frees the packs of a deleted snapshot and keeps the others readable", async () => {
    const repo = await open();
    const goneOnly = await snapshot(repo, "old", range(1, 200));
    const kept = await snapshot(repo, "new", range(150, 350)); // shares 50 blobs with "old"
    const before = await packCount();
    await repo.deleteSnapshot("old");

    const report = await repo.gc();
    expect(report).toMatchObject({ status: "done", snapshots: 1 });
    if (report.status !== "done") throw new Error("unreachable");
    expect(report.packsDeleted).toBeGreaterThan(0);
    expect(report.bytesFreed).toBeGreaterThan(0);
    expect(await packCount()).toBe(before - report.packsDeleted);
    expect((await listIndexIds(temp.storage)).length).toBe(1);

    const fresh = await open();
    expect((await fresh.verify("new")).problems).toEqual([]);
    for (const id of kept) await fresh.readBlob(id);
    // Blobs only "old" used are gone unless they share a pack with live ones.
    const missing = await Promise.all(
      goneOnly.slice(0, 100).map((id) =>
        fresh.readBlob(id).then(
          () => 0,
          () => 1,
        ),
      ),
    );
    expect(missing.reduce<number>((a, b) => a + b, 0)).toBeGreaterThan(50);

    // A second run finds nothing more to do.
    expect(await fresh.gc()).toMatchObject({
      status: "done",
      packsDeleted: 0,
      orphanPacksDeleted: 0,
      bytesFreed: 0,
    });
  });

  it("skips deleting while a snapshot writer holds its lock, and says why", async () => {
    const repo = await open();
    await snapshot(repo, "a", range(1, 50));
    await repo.deleteSnapshot("a");
    const writer = await repo.startSnapshot("running");
    const before = await packCount();

    const report = await repo.gc();
    expect(report).toMatchObject({
      status: "skipped",
      locks: [expect.stringContaining('snapshot "running"')],
    });
    expect(await packCount()).toBe(before);

    await writer.abort();
    expect(await repo.gc()).toMatchObject({ status: "done", packsDeleted: before });
  });

  it("ignores and removes a snapshot lock whose heartbeat is stale", async () => {
    const repo = await open();
    await snapshot(repo, "a", range(1, 50));
    await repo.deleteSnapshot("a");
    await repo.startSnapshot("crashed"); // never committed nor aborted: a dead process
    clock.advance(STALE_AFTER_MS + 60_000);
    expect(await repo.gc()).toMatchObject({ status: "done", staleLocksRemoved: 1 });
    expect(await packCount()).toBe(0);
  });

  it("deletes unindexed packs of a crashed writer only once they are older than the stale window", async () => {
    const repo = await open();
    await snapshot(repo, "live", range(1, 20));
    const crashed = await repo.startSnapshot("crashed");
    for (const seed of range(1000, 1100)) await crashed.addBlob(seededBytes(seed, 2000));
    await crashed.abort(); // packs uploaded, index never written
    const before = await packCount();

    expect(await repo.gc()).toMatchObject({ status: "done", orphanPacksDeleted: 0 });
    expect(await packCount()).toBe(before);
    clock.advance(STALE_AFTER_MS + 60_000);
    const report = await repo.gc();
    expect(report).toMatchObject({ status: "done", packsDeleted: 0 });
    if (report.status !== "done") throw new Error("unreachable");
    expect(report.orphanPacksDeleted).toBeGreaterThan(0);
    expect((await (await open()).verify("live")).problems).toEqual([]);
  });

  it("makes a new writer wait for a running gc, and ignores a stale gc lock", async () => {
    const repo = await open({ gcWaitMs: 60_000 });
    const gcLock = await acquireGcLock({ storage: temp.storage, clock });
    await expect(repo.startSnapshot("blocked")).rejects.toMatchObject({ code: "Timeout" });
    // The refused writer left no lock behind.
    expect((await repo.gc().catch((e: unknown) => e)) as Error).toMatchObject({ code: "Conflict" });

    clock.advance(STALE_AFTER_MS + 60_000);
    const writer = await repo.startSnapshot("after-stale-gc");
    await writer.commit({ body: null });
    await gcLock.release();
  });

  it("lets a waiting writer start once the gc lock is released", async () => {
    const gcLock = await acquireGcLock({ storage: temp.storage, clock });
    let polls = 0;
    const gcFinishing = new (class extends ManualClock {
      override async sleep(ms: number): Promise<void> {
        await super.sleep(ms);
        if (++polls === 3) await gcLock.release();
      }
    })(clock.now());
    const repo = await Repository.open(temp.storage, { clock: gcFinishing });
    const writer = await repo.startSnapshot("waited");
    expect(polls).toBe(3);
    await writer.commit({ body: null });
  });

  it("stops before deleting anything when an id-list node is unreadable", async () => {
    const repo = await open();
    await snapshot(repo, "a", range(1, 100));
    await snapshot(repo, "b", range(500, 600));
    await repo.deleteSnapshot("a");
    // Damage the root node of "b"'s list: a bit of its zstd window descriptor, which
    // zstd itself ignores (the content still decodes), so only the frame CRC sees it.
    const root = (await repo.readManifest("b")).lists.items?.root as BlobId;
    for (const indexId of await listIndexIds(temp.storage)) {
      for (const { pack, entries } of (
        await readIndexFile({ storage: temp.storage, sealer: plainSealer }, indexId)
      ).packs) {
        const entry = entries.find((e) => e.blob === root);
        if (!entry) continue;
        const path = join(temp.dir, packKey(pack));
        const bytes = await readFile(path);
        bytes.writeUInt8((bytes[entry.offset + 5] ?? 0) ^ 1, entry.offset + 5);
        await writeFile(path, bytes);
      }
    }
    const before = await packCount();
    await expect((await open()).gc()).rejects.toMatchObject({ code: "Corrupt" });
    expect(await packCount()).toBe(before);
  });
});
