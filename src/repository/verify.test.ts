import { randomBytes } from "node:crypto";
import { readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { isKubesnapError } from "../core/errors.js";
import { manifestKey, packIdOfKey, packKey, sideFileKey } from "./layout.js";
import { Repository } from "./repository.js";
import {
  ManualClock,
  seededBytes,
  storedObjects,
  type TempStorage,
  tempStorage,
  writeSnapshot,
} from "./testing.test-helper.js";
import type { VerifyProblem } from "./verify-report.js";

let temp: TempStorage;
beforeEach(async () => {
  temp = await tempStorage();
});
afterEach(async () => {
  await temp.cleanup();
});

const blobs = (n: number) => Array.from({ length: n }, (_, i) => seededBytes(i + 1, 2000));

/** The stored packs, largest first (a full pack, not the small last one). */
async function packs(): Promise<string[]> {
  const objects = await storedObjects(temp.dir);
  return objects
    .filter((o) => packIdOfKey(o.key) !== undefined)
    .sort((a, b) => b.bytes.length - a.bytes.length)
    .map((o) => packIdOfKey(o.key) as string);
}

for (const mode of ["plain", "encrypted"] as const) {
  describe(`verify (${mode})`, () => {
    const key = randomBytes(32);
    const open = () =>
      Repository.open(temp.storage, {
        clock: new ManualClock(),
        packBytes: 16 * 1024,
        ...(mode === "encrypted" ? { encryptionKey: key } : {}),
      });

    it("names the pack and the blob a flipped byte damaged; the rest checks out", async () => {
      const repo = await open();
      const { ids } = await writeSnapshot(repo, "s", blobs(40), { log: "log text" });
      const pack = (await packs())[0] as string;
      const path = join(temp.dir, packKey(pack));
      const bytes = await readFile(path);
      const at = Math.floor(bytes.length / 2);
      bytes.writeUInt8((bytes[at] ?? 0) ^ 0x01, at);
      await writeFile(path, bytes);

      const report = await repo.verify("s");
      expect(report.problems).toEqual([
        {
          kind: "corrupt-blob",
          key: packKey(pack),
          pack,
          blob: expect.any(String),
          reason: "corrupt",
          message: expect.any(String),
        },
      ]);
      const { blob } = report.problems[0] as Extract<VerifyProblem, { kind: "corrupt-blob" }>;
      expect(ids).toContain(blob);
      expect(report.problems[0]?.message).toContain(blob);
      await expect(repo.readBlob(blob)).rejects.toMatchObject({ code: "Corrupt" });
      expect(report.blobsChecked).toBe(report.blobsReferenced);
    });

    it("names a deleted pack once, with the blobs it took down", async () => {
      const repo = await open();
      await writeSnapshot(repo, "s", blobs(40));
      const pack = (await packs())[0] as string;
      await rm(join(temp.dir, packKey(pack)));

      const { problems } = await repo.verify("s");
      expect(problems).toEqual([
        expect.objectContaining({ kind: "missing-pack", key: packKey(pack), pack, reason: "missing" }),
      ]);
      expect(
        (problems[0] as Extract<VerifyProblem, { kind: "missing-pack" | "truncated-pack" }>).blobs.length,
      ).toBeGreaterThan(1);
    });

    it("names a truncated pack", async () => {
      const repo = await open();
      await writeSnapshot(repo, "s", blobs(40));
      const pack = (await packs())[0] as string;
      await truncate(join(temp.dir, packKey(pack)), 1000);

      expect((await repo.verify("s")).problems).toEqual([
        expect.objectContaining({ kind: "truncated-pack", key: packKey(pack), pack, reason: "truncated" }),
      ]);
    });

    it("reads a sample of the data blobs, but always the manifest, nodes, files and the pack listing", async () => {
      const repo = await open();
      await writeSnapshot(repo, "s", blobs(400), { log: "log text" });
      const full = await repo.verify("s");
      const sampled = await repo.verify("s", { sample: 0.05 });
      expect(full.problems).toEqual([]);
      expect(sampled.problems).toEqual([]);
      expect(sampled.blobsReferenced).toBe(full.blobsReferenced);
      const nodes = full.blobsReferenced - 400;
      expect(sampled.blobsChecked).toBe(nodes + 20);
      expect(sampled.filesChecked).toBe(1);
      expect(sampled.bytesRead).toBeLessThan(full.bytesRead / 5);

      // A deleted pack is found from the listing even when none of its blobs is sampled.
      await rm(join(temp.dir, packKey((await packs())[0] as string)));
      const afterLoss = await repo.verify("s", { sample: 0.01 });
      expect(afterLoss.problems.map((p) => p.kind)).toEqual(["missing-pack"]);
      await expect(repo.verify("s", { sample: 0 })).rejects.toMatchObject({ code: "InvalidInput" });
    });

    it("reports a missing manifest, and a damaged or missing side file, as problems", async () => {
      const repo = await open();
      await writeSnapshot(repo, "s", blobs(3), { log: "log text", results: "{}" });
      const log = join(temp.dir, sideFileKey("s", "log"));
      const bytes = await readFile(log);
      bytes.writeUInt8((bytes[bytes.length - 1] ?? 0) ^ 0x01, bytes.length - 1);
      await writeFile(log, bytes);
      await rm(join(temp.dir, sideFileKey("s", "results")));

      expect((await repo.verify("s")).problems).toEqual([
        expect.objectContaining({
          kind: "corrupt-file",
          key: sideFileKey("s", "log"),
          file: "log",
          reason: mode === "encrypted" ? "unauthenticated" : "corrupt",
        }),
        expect.objectContaining({
          kind: "missing-file",
          key: sideFileKey("s", "results"),
          reason: "missing",
        }),
      ]);
      expect((await repo.verify("nothing")).problems).toEqual([
        expect.objectContaining({ kind: "missing-manifest", key: manifestKey("nothing"), reason: "missing" }),
      ]);
    });
  });
}

it("reports a manifest that fails authentication", async () => {
  const repo = await Repository.open(temp.storage, {
    clock: new ManualClock(),
    encryptionKey: randomBytes(32),
  });
  await writeSnapshot(repo, "s", blobs(3));
  const path = join(temp.dir, manifestKey("s"));
  const bytes = await readFile(path);
  bytes.writeUInt8((bytes[bytes.length - 20] ?? 0) ^ 0x80, bytes.length - 20);
  await writeFile(path, bytes);
  const err = await repo.readManifest("s").catch((e: unknown) => e);
  expect(isKubesnapError(err, "Corrupt")).toBe(true);
  expect((await repo.verify("s")).problems).toEqual([
    expect.objectContaining({ kind: "corrupt-manifest", reason: "unauthenticated" }),
  ]);
});
