/**
 * The one behaviour every storage driver must show, run by each driver's test file
 * against its real backend. Every test works under its own random key prefix, so the
 * suites of several drivers (or several runs) can share one bucket at the same time.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { afterEach, describe, expect, it } from "vitest";
import { isKubesnapError } from "../../src/core/errors.js";
import type { ObjectInfo, Storage } from "../../src/storage/index.js";

export type MakeStorage = () => Storage | Promise<Storage>;

const MiB = 1024 * 1024;

export function describeStorageConformance(name: string, makeStorage: MakeStorage): void {
  describe(`${name} storage conformance`, () => {
    const used: { storage: Storage; prefix: string }[] = [];

    /** A fresh driver and a key prefix no other test (or run) uses. */
    async function setup(): Promise<{ storage: Storage; prefix: string }> {
      const entry = { storage: await makeStorage(), prefix: `conformance/${randomUUID()}/` };
      used.push(entry);
      return entry;
    }

    afterEach(async () => {
      for (const { storage, prefix } of used.splice(0)) {
        const keys = await collectKeys(storage, prefix);
        await forEachLimit(keys, 32, (key) => storage.delete(key));
      }
    });

    it("round-trips small, empty and 16 MiB objects", async () => {
      const { storage, prefix } = await setup();
      const small = new TextEncoder().encode('{"kind":"Backup"}');
      const big = new Uint8Array(randomBytes(16 * MiB));
      await storage.put(`${prefix}small.json`, small);
      await storage.put(`${prefix}empty`, new Uint8Array(0));
      await storage.put(`${prefix}big.bin`, big);
      expect(await storage.get(`${prefix}small.json`)).toEqual(small);
      expect((await storage.get(`${prefix}empty`)).length).toBe(0);
      const read = await storage.get(`${prefix}big.bin`);
      expect(read.length).toBe(big.length);
      expect(sha256(read)).toBe(sha256(big));
    });

    it("replaces an object on put", async () => {
      const { storage, prefix } = await setup();
      await storage.put(`${prefix}k`, bytes("first version"));
      await storage.put(`${prefix}k`, bytes("second"));
      expect(text(await storage.get(`${prefix}k`))).toBe("second");
    });

    it("reads byte ranges at the start, middle and end", async () => {
      const { storage, prefix } = await setup();
      const body = new Uint8Array(randomBytes(MiB + 17));
      await storage.put(`${prefix}ranged`, body);
      const key = `${prefix}ranged`;
      expect(await storage.get(key, { offset: 0, length: 100 })).toEqual(body.subarray(0, 100));
      expect(await storage.get(key, { offset: 500_000, length: 70_000 })).toEqual(
        body.subarray(500_000, 570_000),
      );
      const tail = body.length - 1000;
      expect(await storage.get(key, { offset: tail, length: 1000 })).toEqual(body.subarray(tail));
      expect(await storage.get(key, { offset: body.length - 1, length: 1 })).toEqual(body.subarray(-1));
    });

    it("cuts ranges at the object's end", async () => {
      const { storage, prefix } = await setup();
      await storage.put(`${prefix}ten`, bytes("0123456789"));
      expect(text(await storage.get(`${prefix}ten`, { offset: 7, length: 100 }))).toBe("789");
      expect((await storage.get(`${prefix}ten`, { offset: 10, length: 5 })).length).toBe(0);
      expect((await storage.get(`${prefix}ten`, { offset: 25, length: 5 })).length).toBe(0);
      expect((await storage.get(`${prefix}ten`, { offset: 3, length: 0 })).length).toBe(0);
    });

    it("rejects a negative or fractional range as InvalidInput", async () => {
      const { storage, prefix } = await setup();
      await storage.put(`${prefix}ten`, bytes("0123456789"));
      await expectCode(storage.get(`${prefix}ten`, { offset: -1, length: 5 }), "InvalidInput");
      await expectCode(storage.get(`${prefix}ten`, { offset: 1.5, length: 5 }), "InvalidInput");
    });

    it("writes with putIfAbsent only once and keeps the first content", async () => {
      const { storage, prefix } = await setup();
      const key = `${prefix}lock`;
      expect(await storage.putIfAbsent(key, bytes("first"))).toBe(true);
      expect(await storage.putIfAbsent(key, bytes("second, longer than the first"))).toBe(false);
      expect(text(await storage.get(key))).toBe("first");
      expect((await storage.stat(key))?.size).toBe(5);
    });

    it("lets exactly one of several concurrent putIfAbsent callers win", async () => {
      const { storage, prefix } = await setup();
      // Separate driver instances stand for separate processes or machines.
      const callers = await Promise.all(Array.from({ length: 8 }, () => makeStorage()));
      for (let round = 0; round < 5; round++) {
        const key = `${prefix}race-${round}`;
        const results = await Promise.all(
          callers.map((storage, i) => storage.putIfAbsent(key, bytes(`caller ${i} `.repeat(1000 + i)))),
        );
        const winners = results.flatMap((won, i) => (won ? [i] : []));
        expect(winners).toHaveLength(1);
        const winner = winners[0] ?? -1;
        expect(text(await storage.get(key))).toBe(`caller ${winner} `.repeat(1000 + winner));
      }
    });

    it("stats an object, and answers undefined when it is absent", async () => {
      const { storage, prefix } = await setup();
      const before = Date.now();
      await storage.put(`${prefix}a/b/stat-me`, bytes("12345"));
      const info = await storage.stat(`${prefix}a/b/stat-me`);
      expect(info?.key).toBe(`${prefix}a/b/stat-me`);
      expect(info?.size).toBe(5);
      // Servers keep whole seconds and their clock may differ a little from ours.
      expect(Math.abs((info?.lastModified.getTime() ?? 0) - before)).toBeLessThan(60_000);
      expect(await storage.stat(`${prefix}a/b/missing`)).toBeUndefined();
      expect(await storage.stat(`${prefix}a/b`)).toBeUndefined();
    });

    it("lists by prefix, including partial names", async () => {
      const { storage, prefix } = await setup();
      const keys = ["a/1", "a/2", "ab/3", "b/4", "c", "a/deep/er/5"].map((k) => `${prefix}${k}`);
      await Promise.all(keys.map((k, i) => storage.put(k, bytes("x".repeat(i)))));
      const list = async (p: string) =>
        (await collect(storage.list(`${prefix}${p}`))).map((o) => o.key).sort();
      expect(await list("")).toEqual([...keys].sort());
      expect(await list("a/")).toEqual([`${prefix}a/1`, `${prefix}a/2`, `${prefix}a/deep/er/5`]);
      expect(await list("a")).toEqual([
        `${prefix}a/1`,
        `${prefix}a/2`,
        `${prefix}a/deep/er/5`,
        `${prefix}ab/3`,
      ]);
      expect(await list("a/deep/e")).toEqual([`${prefix}a/deep/er/5`]);
      expect(await list("c")).toEqual([`${prefix}c`]);
      expect(await list("zzz")).toEqual([]);
      expect(await list("nothing/here/")).toEqual([]);
      const sizes = await collect(storage.list(`${prefix}b/`));
      expect(sizes.map((o) => o.size)).toEqual([3]);
    });

    it("lists more than 1000 objects (one page on S3)", async () => {
      const { storage, prefix } = await setup();
      const keys = Array.from({ length: 1050 }, (_, i) => `${prefix}many/${String(i).padStart(4, "0")}`);
      await forEachLimit(keys, 64, (key) => storage.put(key, bytes(key)));
      const listed = await collect(storage.list(`${prefix}many/`));
      expect(listed).toHaveLength(keys.length);
      expect(new Set(listed.map((o) => o.key))).toEqual(new Set(keys));
    });

    it("deletes idempotently", async () => {
      const { storage, prefix } = await setup();
      await storage.put(`${prefix}gone`, bytes("bye"));
      await storage.delete(`${prefix}gone`);
      expect(await storage.stat(`${prefix}gone`)).toBeUndefined();
      await expectCode(storage.get(`${prefix}gone`), "NotFound");
      await storage.delete(`${prefix}gone`);
      await storage.delete(`${prefix}never/existed`);
      expect(await collect(storage.list(prefix))).toEqual([]);
    });

    it("throws a typed NotFound that names the key and the location", async () => {
      const { storage, prefix } = await setup();
      const err = await expectCode(storage.get(`${prefix}no/such/key`), "NotFound");
      expect(err.message).toContain(`${prefix}no/such/key`);
      expect(err.message).toContain(storage.description);
      await expectCode(storage.get(`${prefix}no/such/key`, { offset: 0, length: 10 }), "NotFound");
      await expectCode(storage.get(`${prefix}no/such/key`, { offset: 0, length: 0 }), "NotFound");
    });

    it("keeps nested keys apart from their siblings", async () => {
      const { storage, prefix } = await setup();
      const keys = [
        "backups/nightly-20261126070000/manifest.json",
        "backups/nightly-20261126070000/items/v1/namespaces/default/configmaps/a.json",
        "backups/nightly-20261127070000/manifest.json",
      ].map((k) => `${prefix}${k}`);
      await Promise.all(keys.map((k) => storage.put(k, bytes(k))));
      for (const key of keys) expect(text(await storage.get(key))).toBe(key);
      const first = await collect(storage.list(`${prefix}backups/nightly-20261126070000/`));
      expect(first.map((o) => o.key).sort()).toEqual(keys.slice(0, 2).sort());
    });
  });
}

async function expectCode(promise: Promise<unknown>, code: "NotFound" | "InvalidInput") {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isKubesnapError(err, code)) throw new Error(`expected KubesnapError ${code}, got ${String(err)}`);
  return err;
}

async function collectKeys(storage: Storage, prefix: string): Promise<string[]> {
  return (await collect(storage.list(prefix))).map((o) => o.key);
}

async function collect(objects: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const object of objects) all.push(object);
  return all;
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T) => Promise<void>) {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await fn(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function bytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

function sha256(b: Uint8Array): string {
  return createHash("sha256").update(b).digest("hex");
}
