import { describe, expect, it } from "vitest";
import { openLocation } from "../../src/locations/location.js";
import { type GcsOptions, GcsStorage, openStorage, parseLocationConfig } from "../../src/storage/index.js";
import { testEnv } from "../context.js";
import { ensureGcsBucket, fakeServiceAccountKey, TEST_BUCKET } from "./buckets.js";
import { describeStorageConformance } from "./conformance.js";
import { failure, operations } from "./failures.js";

/** The test fake-gcs-server, under a location prefix so name mapping below the bucket is exercised too. */
function fakeGcs(overrides: Partial<GcsOptions> = {}): GcsStorage {
  const { endpoint, projectId } = testEnv().gcs;
  return new GcsStorage({
    bucket: TEST_BUCKET,
    prefix: "storage-tests/gcs",
    endpoint,
    projectId,
    ...overrides,
  });
}

describeStorageConformance("gcs (fake-gcs-server)", async () => {
  await ensureGcsBucket();
  return fakeGcs();
});

describe("gcs storage", () => {
  it("is opened from a parsed location and keeps objects under its prefix", async () => {
    const bucket = await ensureGcsBucket();
    const { endpoint, projectId } = testEnv().gcs;
    const location = parseLocationConfig("gcs", {
      bucket,
      prefix: "/storage-tests/opened/",
      config: { endpoint, projectId },
    });
    const storage = openStorage(location);
    expect(storage.description).toBe(`gs://${bucket}/storage-tests/opened`);
    const key = `k-${Date.now()}`;
    await storage.put(key, new Uint8Array([1, 2, 3]));
    expect((await fakeGcs({ prefix: "storage-tests" }).stat(`opened/${key}`))?.size).toBe(3);
    await storage.delete(key);
  });

  it("is opened with a service-account key from a location's credentials", async () => {
    const bucket = await ensureGcsBucket();
    const { endpoint } = testEnv().gcs;
    const storage = await openLocation(
      {
        name: "gcs",
        provider: "gcs",
        bucket,
        prefix: "storage-tests/keyed",
        config: { endpoint },
        accessMode: "ReadWrite",
        default: false,
      },
      fakeServiceAccountKey(),
    );
    const key = `k-${Date.now()}`;
    expect(await storage.putIfAbsent(key, new Uint8Array([7]))).toBe(true);
    expect(await storage.get(key)).toEqual(new Uint8Array([7]));
    await storage.delete(key);
  });

  it("maps a missing bucket to NotFound naming the bucket, for every operation", async () => {
    const storage = fakeGcs({ bucket: "no-such-bucket-kubesnap" });
    for (const attempt of operations(storage)) {
      const err = await failure(attempt.run());
      expect(err.code, attempt.name).toBe("NotFound");
      expect(err.message, attempt.name).toContain('bucket "no-such-bucket-kubesnap"');
      expect(err.hint).toContain("create the bucket");
    }
  });

  it("rejects an unknown config key before touching the server", () => {
    const { endpoint } = testEnv().gcs;
    expect(() =>
      parseLocationConfig("gcs", { bucket: TEST_BUCKET, config: { endpoint, credentialsFile: "/k.json" } }),
    ).toThrow(/unknown config key "credentialsFile"/);
  });
});
