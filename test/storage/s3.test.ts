import { createServer } from "node:net";
import { describe, expect, it } from "vitest";
import { isKubesnapError, type KubesnapError } from "../../src/core/errors.js";
import {
  openStorage,
  parseLocationConfig,
  type S3Options,
  S3Storage,
  type Storage,
} from "../../src/storage/index.js";

import { testEnv } from "../context.js";
import { describeStorageConformance } from "./conformance.js";

/** The test MinIO, under a location prefix so key mapping below the bucket is exercised too. */
function minio(overrides: Partial<S3Options> = {}): S3Storage {
  const { endpoint, region, bucket, accessKeyId, secretAccessKey } = testEnv().s3;
  return new S3Storage({
    bucket,
    prefix: "storage-tests/s3",
    region,
    s3Url: endpoint,
    s3ForcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
    ...overrides,
  });
}

describeStorageConformance("s3 (MinIO)", () => minio());

describe("s3 storage", () => {
  it("is opened from a parsed location and keeps objects under its prefix", async () => {
    const { endpoint, bucket, accessKeyId, secretAccessKey } = testEnv().s3;
    const location = parseLocationConfig("s3", {
      bucket,
      prefix: "/storage-tests/opened/",
      config: { s3Url: endpoint, s3ForcePathStyle: "true", accessKeyId, secretAccessKey },
    });
    const storage = openStorage(location);
    expect(storage.description).toBe(`s3://${bucket}/storage-tests/opened`);
    const key = `k-${Date.now()}`;
    await storage.put(key, new Uint8Array([1, 2, 3]));
    const whole = minio({ prefix: "storage-tests" });
    expect((await whole.stat(`opened/${key}`))?.size).toBe(3);
    await storage.delete(key);
  });

  it("maps a wrong secret key to AccessDenied without echoing credentials", async () => {
    const { accessKeyId } = testEnv().s3;
    const wrongSecret = "wrong-secret-0123456789";
    const storage = minio({ credentials: { accessKeyId, secretAccessKey: wrongSecret } });
    for (const attempt of operations(storage)) {
      const err = await failure(attempt.run());
      expect(err.code, attempt.name).toBe("AccessDenied");
      expect(err.message).toContain(storage.description);
      expect(`${err.message} ${err.hint}`).not.toContain(wrongSecret);
      expect(`${err.message} ${err.hint}`).not.toContain(accessKeyId);
    }
  });

  it("maps an unknown access key to AccessDenied", async () => {
    const storage = minio({ credentials: { accessKeyId: "nobody", secretAccessKey: "nothing-at-all" } });
    const err = await failure(storage.get("anything"));
    expect(err.code).toBe("AccessDenied");
    expect(err.hint).toContain("accessKeyId");
  });

  it("maps a missing bucket to NotFound naming the bucket, for every operation", async () => {
    const storage = minio({ bucket: "no-such-bucket-kubesnap" });
    for (const attempt of operations(storage)) {
      const err = await failure(attempt.run());
      expect(err.code, attempt.name).toBe("NotFound");
      expect(err.message, attempt.name).toContain('bucket "no-such-bucket-kubesnap"');
      expect(err.hint).toContain("create the bucket");
    }
  });

  it("maps an endpoint nobody listens on to Unavailable", async () => {
    const port = await closedPort();
    const storage = minio({ s3Url: `http://127.0.0.1:${port}` });
    const err = await failure(storage.get("anything"));
    expect(err.code).toBe("Unavailable");
    expect(err.message).toContain(storage.description);
  });
});

function operations(storage: Storage): { name: string; run: () => Promise<unknown> }[] {
  const body = new Uint8Array([1]);
  return [
    { name: "put", run: () => storage.put("k", body) },
    { name: "putIfAbsent", run: () => storage.putIfAbsent("k", body) },
    { name: "get", run: () => storage.get("k") },
    { name: "get range", run: () => storage.get("k", { offset: 1, length: 2 }) },
    { name: "stat", run: () => storage.stat("k") },
    { name: "list", run: () => storage.list("")[Symbol.asyncIterator]().next() },
    { name: "delete", run: () => storage.delete("k") },
  ];
}

async function failure(promise: Promise<unknown>): Promise<KubesnapError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isKubesnapError(err)) throw new Error(`expected a KubesnapError, got ${String(err)}`);
  return err;
}

/** A loopback port that was free a moment ago and has no listener now. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === "string") throw new Error("no port");
  return address.port;
}
