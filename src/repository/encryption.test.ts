import { randomBytes } from "node:crypto";
import { copyFile, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type BlobId, blobIdOf } from "./blob-id.js";
import { CONFIG_KEY, manifestKey } from "./layout.js";
import { Repository } from "./repository.js";
import {
  ManualClock,
  seededBytes,
  storedObjects,
  type TempStorage,
  tempStorage,
  writeSnapshot,
} from "./testing.test-helper.js";

let temp: TempStorage;
beforeEach(async () => {
  temp = await tempStorage();
});
afterEach(async () => {
  await temp.cleanup();
});

const open = (encryptionKey?: Uint8Array) =>
  Repository.open(temp.storage, {
    clock: new ManualClock(),
    packBytes: 16 * 1024,
    ...(encryptionKey ? { encryptionKey } : {}),
  });
const blobs = (n: number) => Array.from({ length: n }, (_, i) => seededBytes(i + 1, 2000));
const MARKER = "kubesnap-plaintext-marker-7f3a9c";

async function readAll(repo: Repository, ids: readonly BlobId[]): Promise<Buffer[]> {
  return Promise.all(ids.map(async (id) => Buffer.from(await repo.readBlob(id))));
}

describe("an encrypted repository", () => {
  it("round-trips blobs, id lists, manifest and side files, and deduplicates by HMAC id", async () => {
    const key = randomBytes(32);
    const repo = await open(key);
    expect(repo.encrypted).toBe(true);
    const data = blobs(60);
    const { ids, manifest } = await writeSnapshot(repo, "first", data, { log: "hello log" });
    // Ids are keyed: equal content still dedups, but the id is not the content's SHA-256.
    expect(ids[0]).not.toBe(blobIdOf(data[0] as Uint8Array));

    const reopened = await open(key);
    const read = await reopened.readManifest("first");
    expect(read).toEqual(manifest);
    const listed: BlobId[] = [];
    for await (const id of reopened.readIdList(read.lists.items ?? { count: 0, root: null })) listed.push(id);
    expect(listed).toEqual(ids);
    expect(await readAll(reopened, ids)).toEqual(data.map((d) => Buffer.from(d)));
    expect(Buffer.from(await reopened.readFile("first", "log")).toString()).toBe("hello log");
    expect((await reopened.verify("first")).problems).toEqual([]);

    const second = await writeSnapshot(reopened, "second", data);
    expect(second.ids).toEqual(ids);
    expect(second.stats.blobsNew).toBe(0);
  });

  it("stores no byte of a known plaintext, in blobs, side files or manifest, nor the content's SHA-256", async () => {
    const secret = Buffer.from(`${MARKER} password=hunter2 ${MARKER}`);
    const write = async (repo: Repository) => {
      const writer = await repo.startSnapshot("s");
      const id = await writer.addBlob(secret);
      await writer.putFile("log", Buffer.from(`line 1\n${MARKER}\nline 3\n`));
      await writer.commit({ body: { note: MARKER }, blobs: [id] });
    };
    const leaks = async () => {
      const needles = [
        Buffer.from(MARKER),
        Buffer.from(blobIdOf(secret), "hex"),
        Buffer.from(blobIdOf(secret)),
      ];
      const objects = await storedObjects(temp.dir);
      expect(objects.length).toBeGreaterThan(3);
      return objects.filter(({ bytes }) => needles.some((n) => bytes.includes(n))).map((o) => o.key);
    };

    // The check can see a leak: a plain repository shows the marker (and the SHA-256 id).
    await write(await open());
    expect((await leaks()).length).toBeGreaterThanOrEqual(3);
    await temp.cleanup();
    temp = await tempStorage();

    await write(await open(randomBytes(32)));
    expect(await leaks()).toEqual([]);
  });

  it("refuses a wrong key at open, with a message about the key", async () => {
    await writeSnapshot(await open(randomBytes(32)), "s", blobs(3));
    const err = await open(randomBytes(32)).catch((e: unknown) => e);
    expect(err).toMatchObject({
      code: "AccessDenied",
      message: `The key does not open the repository at ${temp.storage.description}`,
      hint: expect.stringContaining("--encryption-key-file"),
    });
  });

  it("refuses a missing key, a key for a plain repository, and a short key, each in one line", async () => {
    await open(randomBytes(32));
    await expect(open()).rejects.toMatchObject({
      code: "AccessDenied",
      message: expect.stringMatching(/is encrypted and no encryption key was given$/),
    });
    await temp.cleanup();
    temp = await tempStorage();
    await open();
    await expect(open(randomBytes(32))).rejects.toMatchObject({
      code: "InvalidInput",
      message: expect.stringMatching(/is not encrypted, but an encryption key was given$/),
    });
    await expect(open(randomBytes(16))).rejects.toMatchObject({ code: "InvalidInput" });
  });

  it("re-wraps the master key: the new key opens it, the old one no longer does, no data is rewritten", async () => {
    const oldKey = randomBytes(32);
    const newKey = randomBytes(32);
    const repo = await open(oldKey);
    const { ids } = await writeSnapshot(repo, "s", blobs(20));
    const before = (await storedObjects(temp.dir)).filter((o) => o.key !== CONFIG_KEY);

    await expect(repo.rewrapKey(randomBytes(32), newKey)).rejects.toMatchObject({ code: "AccessDenied" });
    await repo.rewrapKey(oldKey, newKey);

    expect((await storedObjects(temp.dir)).filter((o) => o.key !== CONFIG_KEY)).toEqual(before);
    const rotated = await open(newKey);
    expect(rotated.config.id).toBe(repo.config.id);
    expect(await readAll(rotated, ids)).toHaveLength(20);
    expect((await rotated.verify("s")).problems).toEqual([]);
    await expect(open(oldKey)).rejects.toMatchObject({ code: "AccessDenied" });
    // The instance that rotated keeps working: its master key did not change.
    await writeSnapshot(repo, "after", blobs(2));
  });

  it("refuses to rotate the key of a plain repository", async () => {
    const repo = await open();
    await expect(repo.rewrapKey(randomBytes(32), randomBytes(32))).rejects.toMatchObject({
      code: "InvalidInput",
    });
  });

  it("lets two first opens with different keys agree on one repository; the loser's key is refused", async () => {
    const [a, b] = await Promise.allSettled([open(randomBytes(32)), open(randomBytes(32))]);
    expect([a.status, b.status].sort()).toEqual(["fulfilled", "rejected"]);
    const failed = [a, b].find((r) => r.status === "rejected") as PromiseRejectedResult;
    expect(failed.reason).toMatchObject({ code: "AccessDenied" });
  });

  it("collects garbage: reads its sealed manifests and nodes and writes a sealed index", async () => {
    const key = randomBytes(32);
    const repo = await open(key);
    await writeSnapshot(repo, "old", blobs(100));
    const { ids } = await writeSnapshot(repo, "new", blobs(300).slice(200));
    await repo.deleteSnapshot("old");
    expect(await repo.gc()).toMatchObject({ status: "done", snapshots: 1 });
    const fresh = await open(key);
    expect((await fresh.verify("new")).problems).toEqual([]);
    expect(await readAll(fresh, ids)).toHaveLength(100);
  });
});

describe("a manifest swapped between two snapshots", () => {
  for (const mode of ["plain", "encrypted"] as const) {
    it(`is detected (${mode})`, async () => {
      const key = mode === "encrypted" ? randomBytes(32) : undefined;
      const repo = await open(key);
      await writeSnapshot(repo, "monday", blobs(5));
      await writeSnapshot(repo, "tuesday", blobs(8));
      await copyFile(join(temp.dir, manifestKey("tuesday")), join(temp.dir, manifestKey("monday")));

      await expect(repo.readManifest("monday")).rejects.toMatchObject({
        code: "Corrupt",
        reason: "swapped",
        message: expect.stringContaining('belongs to snapshot "tuesday", not "monday": it was swapped'),
      });
      expect((await repo.verify("monday")).problems).toEqual([
        expect.objectContaining({ kind: "corrupt-manifest", key: manifestKey("monday"), reason: "swapped" }),
      ]);
      expect((await repo.readManifest("tuesday")).name).toBe("tuesday");
    });
  }

  it("fails authentication when the clear name in front of a sealed manifest is rewritten", async () => {
    const repo = await open(randomBytes(32));
    await writeSnapshot(repo, "aaaa", blobs(2));
    await writeSnapshot(repo, "bbbb", blobs(2));
    const moved = await readFile(join(temp.dir, manifestKey("bbbb")));
    moved.write("aaaa", 4, "utf8"); // same length: only the name changes
    await writeFile(join(temp.dir, manifestKey("aaaa")), moved);
    await expect(repo.readManifest("aaaa")).rejects.toMatchObject({
      code: "Corrupt",
      reason: "unauthenticated",
      message: expect.stringContaining("fails authentication"),
    });
  });
});
