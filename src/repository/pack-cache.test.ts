import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type ByteRange, FileStorage, type Storage } from "../storage/index.js";
import { packKey } from "./layout.js";
import { PackCache } from "./pack-cache.js";

/** Real files, with the GETs counted (whole or ranged). */
function countedStorage(): { storage: Storage; gets: { whole: number; ranged: number } } {
  const files = new FileStorage(mkdtempSync(join(tmpdir(), "kubesnap-pack-cache-")));
  const gets = { whole: 0, ranged: 0 };
  const storage: Storage = {
    description: files.description,
    put: (key, body) => files.put(key, body),
    putIfAbsent: (key, body) => files.putIfAbsent(key, body),
    get: (key: string, range?: ByteRange) => {
      if (range) gets.ranged++;
      else gets.whole++;
      return files.get(key, range);
    },
    stat: (key) => files.stat(key),
    list: (prefix) => files.list(prefix),
    delete: (key) => files.delete(key),
  };
  return { storage, gets };
}

const pack = (id: string, size: number) =>
  Uint8Array.from({ length: size }, (_, i) => (i * 7 + id.length) % 251);

describe("PackCache", () => {
  it("reads a lone frame with a ranged GET, and the rest of a pack from one whole GET", async () => {
    const { storage, gets } = countedStorage();
    const bytes = pack("a".repeat(64), 4096);
    await storage.put(packKey("a".repeat(64)), bytes);
    const cache = new PackCache(storage);
    for (let i = 0; i < 16; i++) {
      const frame = await cache.read("a".repeat(64), { offset: i * 256, length: 256 });
      expect(frame).toEqual(bytes.subarray(i * 256, i * 256 + 256));
    }
    expect(gets).toEqual({ whole: 1, ranged: 1 });
  });

  it("keeps no more than its budget, and serves a pack too big to keep anyway", async () => {
    const { storage, gets } = countedStorage();
    const ids = ["b", "c", "d"].map((c) => c.repeat(64));
    for (const id of ids) await storage.put(packKey(id), pack(id, 1000));
    const cache = new PackCache(storage, 2500);
    for (const id of ids) for (let i = 0; i < 3; i++) await cache.read(id, { offset: 0, length: 10 });
    expect(gets.whole).toBe(3);
    // The first pack was evicted to make room for the third: reading it again fetches it again.
    await cache.read(ids[0]!, { offset: 0, length: 10 });
    expect(gets.whole).toBe(4);

    // Too big for a budget of 1000: fetched whole once (for the reads waiting), then by range.
    const small = new PackCache(storage, 1000);
    const ranged = gets.ranged;
    for (let i = 0; i < 4; i++) await small.read(ids[1]!, { offset: 5, length: 5 });
    expect(gets.whole).toBe(5);
    expect(gets.ranged).toBe(ranged + 3);
  });

  it("cuts a frame past a truncated pack's end short, so the caller reports the truncation", async () => {
    const { storage } = countedStorage();
    const id = "e".repeat(64);
    await storage.put(packKey(id), pack(id, 100));
    const cache = new PackCache(storage);
    await cache.read(id, { offset: 0, length: 10 });
    expect((await cache.read(id, { offset: 90, length: 20 })).length).toBe(10);
  });
});
