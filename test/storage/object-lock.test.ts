import { randomUUID } from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { isKubesnapError } from "../../src/core/errors.js";
import { S3Storage } from "../../src/storage/index.js";
import { testEnv } from "../context.js";
import { ensureLockedBucket } from "./buckets.js";

describe("s3 storage with object lock (MinIO)", () => {
  const bucket = "kubesnap-locked";
  let storage: S3Storage;
  let prefix = "";

  beforeAll(async () => {
    await ensureLockedBucket(bucket);
    const { s3 } = testEnv();
    storage = new S3Storage({
      bucket,
      region: s3.region,
      s3Url: s3.endpoint,
      s3ForcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      objectLock: "COMPLIANCE",
    });
    prefix = `lock-tests/${randomUUID()}/`;
  });

  it("refuses to delete a retained object, with the date, and the object stays readable", async () => {
    const until = new Date(Date.now() + 60 * 60_000);
    await storage.put(`${prefix}kept`, new TextEncoder().encode("precious"), { retainUntil: until });
    const retained = await storage.retainedUntil?.(`${prefix}kept`);
    expect(Math.abs((retained?.getTime() ?? 0) - until.getTime())).toBeLessThan(1000);
    const refused = await storage.delete(`${prefix}kept`).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(isKubesnapError(refused, "Locked")).toBe(true);
    expect(String((refused as Error).message)).toContain("retained by object lock until");
    expect(new TextDecoder().decode(await storage.get(`${prefix}kept`))).toBe("precious");
  });

  it("deletes an object without retention completely: every version, no delete marker left", async () => {
    await storage.put(`${prefix}free`, new TextEncoder().encode("v1"));
    await storage.put(`${prefix}free`, new TextEncoder().encode("v2"));
    await storage.delete(`${prefix}free`);
    expect(await storage.stat(`${prefix}free`)).toBeUndefined();
    const left: string[] = [];
    for await (const info of storage.list(prefix)) left.push(info.key);
    expect(left).not.toContain(`${prefix}free`);
  });

  it("extends a retention and never shortens it", async () => {
    const soon = new Date(Date.now() + 10 * 60_000);
    const later = new Date(Date.now() + 120 * 60_000);
    await storage.put(`${prefix}extended`, new Uint8Array([1]), { retainUntil: soon });
    await storage.retain?.(`${prefix}extended`, later);
    const extended = await storage.retainedUntil?.(`${prefix}extended`);
    expect(Math.abs((extended?.getTime() ?? 0) - later.getTime())).toBeLessThan(1000);
    await storage.retain?.(`${prefix}extended`, soon);
    expect(await storage.retainedUntil?.(`${prefix}extended`)).toEqual(extended);
  });
});
