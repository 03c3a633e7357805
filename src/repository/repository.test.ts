import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isKubesnapError } from "../core/errors.js";
import { type BlobId, blobIdOf } from "./blob-id.js";
import { CONFIG_KEY, packKey } from "./layout.js";
import { Repository } from "./repository.js";
import { plainSealer } from "./sealer.js";
import { ManualClock, seededBytes, type TempStorage, tempStorage } from "./testing.test-helper.js";

let temp: TempStorage;
beforeEach(async () => {
  temp = await tempStorage();
});
afterEach(async () => {
  await temp.cleanup();
});

const open = () => Repository.open(temp.storage, { clock: new ManualClock(), packBytes: 64 * 1024 });
const blobs = (n: number, size = 2000) => Array.from({ length: n }, (_, i) => seededBytes(i + 1, size));

async function snapshot(repo: Repository, name: string, data: readonly Uint8Array[]) {
  const writer = await repo.startSnapshot(name);
  const list = writer.idList();
  const ids = await Promise.all(data.map((bytes) => writer.addBlob(bytes)));
  for (const [i, id] of ids.entries()) await list.add(`k${String(i).padStart(6, "0")}`, id);
  const items = await list.finish();
  return { ids, ...(await writer.commit({ body: { note: name }, lists: { items } })) };
}

describe("Repository", () => {
  it("round-trips blobs, id lists, manifest and side files", async () => {
    const repo = await open();
    const data = blobs(100);
    const writer = await repo.startSnapshot("first");
    const ids = await Promise.all(data.map((b) => writer.addBlob(b)));
    const list = writer.idList();
    for (const [i, id] of ids.entries()) await list.add(`key-${String(i).padStart(3, "0")}`, id);
    const items = await list.finish();
    await writer.putFile("log.txt", Buffer.from("hello log"));
    const direct = await writer.addBlob(Buffer.from("direct"));
    const { manifest, stats } = await writer.commit({
      body: { kind: "test" },
      lists: { items },
      blobs: [direct],
    });

    expect(stats.blobsNew).toBeGreaterThan(100);
    expect(stats.packsWritten).toBeGreaterThan(1);
    expect(manifest.lists.items?.count).toBe(100);

    const reopened = await open();
    expect((await reopened.listSnapshots()).map((s) => s.name)).toEqual(["first"]);
    const read = await reopened.readManifest("first");
    expect(read.body).toEqual({ kind: "test" });
    expect(read.blobs).toEqual([direct]);
    const listed: BlobId[] = [];
    for await (const id of reopened.readIdList(read.lists.items ?? { count: 0, root: null })) listed.push(id);
    expect(listed).toEqual(ids);
    for (const [i, id] of ids.entries()) {
      expect(Buffer.from(await reopened.readBlob(id))).toEqual(Buffer.from(data[i] ?? []));
    }
    expect(Buffer.from(await reopened.readFile("first", "log.txt")).toString()).toBe("hello log");
    expect(await reopened.hasFile("first", "log.txt")).toBe(true);
    expect(await reopened.hasFile("first", "results.json")).toBe(false);
    expect((await reopened.verify("first")).problems).toEqual([]);
  });

  it("deduplicates within a snapshot and against earlier ones", async () => {
    const repo = await open();
    const data = blobs(50);
    const first = await snapshot(repo, "a", [...data, ...data]);
    expect(first.stats.blobsNew).toBeGreaterThanOrEqual(50);
    expect(first.stats.blobsDeduplicated).toBe(50);

    const second = await snapshot(await open(), "b", [...data, ...data]);
    expect(second.stats.blobsNew).toBe(0);
    expect(second.stats.packsWritten).toBe(0);
    expect(second.stats.bytesWritten).toBe(second.stats.manifestBytes + second.stats.indexBytes);
  });

  it("reports a flipped byte as Corrupt naming the blob and pack, other blobs still readable", async () => {
    const repo = await open();
    const { ids } = await snapshot(repo, "s", blobs(20));
    const target = ids[7] as BlobId;
    const before = await open();
    const pack = await findPack(before, target);
    const path = join(temp.dir, packKey(pack.pack));
    const bytes = await readFile(path);
    const at = pack.offset + Math.floor(pack.length / 2);
    bytes.writeUInt8((bytes[at] ?? 0) ^ 0xff, at);
    await writeFile(path, bytes);

    const repo2 = await open();
    const err = await repo2.readBlob(target).catch((e: unknown) => e);
    expect(isKubesnapError(err, "Corrupt")).toBe(true);
    expect(String((err as Error).message)).toContain(target);
    expect(String((err as Error).message)).toContain(pack.pack);
    for (const id of ids) if (id !== target) expect(blobIdOf(await repo2.readBlob(id))).toBe(id);

    const report = await repo2.verify("s");
    expect(report.problems).toEqual([
      expect.objectContaining({ kind: "corrupt-blob", blob: target, pack: pack.pack }),
    ]);
  });

  it("detects a flip of any single byte of a stored frame", async () => {
    const repo = await open();
    const { ids } = await snapshot(repo, "s", [Buffer.from("a small blob whose every frame byte we damage")]);
    const target = ids[0] as BlobId;
    const { pack, offset, length } = await findPack(repo, target);
    const path = join(temp.dir, packKey(pack));
    const original = await readFile(path);
    for (let at = offset; at < offset + length; at++) {
      const damaged = Buffer.from(original);
      damaged.writeUInt8((damaged[at] ?? 0) ^ 0x10, at);
      await writeFile(path, damaged);
      await expect(repo.readBlob(target), `byte ${at - offset}`).rejects.toMatchObject({ code: "Corrupt" });
    }
  });

  it("refuses a second snapshot with the same name", async () => {
    const repo = await open();
    await snapshot(repo, "dup", blobs(3));
    await expect(repo.startSnapshot("dup")).rejects.toMatchObject({ code: "AlreadyExists" });
    // Two writers racing for one name: the manifest's putIfAbsent decides.
    const other = await open();
    await repo.deleteSnapshot("dup");
    const w1 = await repo.startSnapshot("dup");
    const w2 = await other.startSnapshot("dup");
    await w1.commit({ body: 1 });
    await expect(w2.commit({ body: 2 })).rejects.toMatchObject({ code: "AlreadyExists" });
    expect((await repo.readManifest("dup")).body).toBe(1);
  });

  it("lists no snapshot for an uncommitted or aborted writer", async () => {
    const repo = await open();
    const open1 = await repo.startSnapshot("never");
    await open1.addBlob(seededBytes(1, 100_000));
    await open1.putFile("log.txt", Buffer.from("partial"));
    const aborted = await repo.startSnapshot("aborted");
    await aborted.addBlob(seededBytes(2, 100));
    await aborted.abort();
    expect(await repo.listSnapshots()).toEqual([]);
    await expect(repo.readManifest("never")).rejects.toMatchObject({ code: "NotFound" });
    // Its side file is stored, but without a manifest the snapshot has none.
    expect(await repo.hasFile("never", "log.txt")).toBe(false);
    await open1.abort();
  });

  it("refuses references to blobs it does not hold", async () => {
    const writer = await (await open()).startSnapshot("bad");
    const missing = blobIdOf(Buffer.from("never stored"));
    await expect(writer.commit({ body: null, blobs: [missing] })).rejects.toMatchObject({
      code: "InvalidInput",
    });
  });

  it("deletes a snapshot's manifest and side files", async () => {
    const repo = await open();
    const writer = await repo.startSnapshot("gone");
    await writer.putFile("log.txt", Buffer.from("x"));
    await writer.commit({ body: null });
    await repo.deleteSnapshot("gone");
    expect(await repo.listSnapshots()).toEqual([]);
    const left: string[] = [];
    for await (const info of temp.storage.list("snapshots/")) left.push(info.key);
    expect(left).toEqual([]);
    await expect(repo.deleteSnapshot("gone")).rejects.toMatchObject({ code: "NotFound" });
  });

  it("refuses a repository of another format version", async () => {
    await open();
    const config = JSON.parse(await readFile(join(temp.dir, CONFIG_KEY), "utf8"));
    await writeFile(join(temp.dir, CONFIG_KEY), JSON.stringify({ ...config, format: 99 }));
    await expect(open()).rejects.toMatchObject({
      code: "Conflict",
      message: expect.stringContaining("format 99"),
    });
  });
});

/** Where a blob is stored, from the index files on disk (test-only introspection). */
async function findPack(repo: Repository, id: BlobId) {
  const { listIndexIds, readIndexFile } = await import("./blob-index.js");
  for (const indexId of await listIndexIds(repo.storage)) {
    for (const { pack, entries } of (
      await readIndexFile({ storage: repo.storage, sealer: plainSealer }, indexId)
    ).packs) {
      const entry = entries.find((e) => e.blob === id);
      if (entry) return { pack, ...entry };
    }
  }
  throw new Error(`blob ${id} not indexed`);
}
