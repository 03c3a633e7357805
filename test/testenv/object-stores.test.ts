/**
 * The three object stores of the test environment, through their vendors' own SDKs:
 * what the storage drivers may rely on (a 16 MiB round trip, ranged reads, a create that
 * refuses to overwrite), proven against the servers before any driver uses them.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import {
  DeleteObjectCommand,
  GetObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from "@aws-sdk/client-s3";
import { BlobServiceClient, RestError } from "@azure/storage-blob";
import { ApiError, Storage as GcsClient } from "@google-cloud/storage";
import { afterAll, describe, expect, it } from "vitest";
import { testEnv } from "../context.js";

const big = randomBytes(16 * 1024 * 1024);
const digest = (b: Uint8Array) => createHash("sha256").update(b).digest("hex");

/** The error a promise rejects with; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.fail("expected the request to be refused"),
    (e: unknown) => e,
  );
}

describe("MinIO through @aws-sdk/client-s3", () => {
  const env = testEnv().s3;
  const client = new S3Client({
    endpoint: env.endpoint,
    region: env.region,
    forcePathStyle: true,
    credentials: { accessKeyId: env.accessKeyId, secretAccessKey: env.secretAccessKey },
  });
  const key = `testenv-smoke/${randomUUID()}`;
  const read = async (range?: string) => {
    const res = await client.send(new GetObjectCommand({ Bucket: env.bucket, Key: key, Range: range }));
    return Buffer.from((await res.Body?.transformToByteArray()) ?? []);
  };

  afterAll(async () => {
    await client.send(new DeleteObjectCommand({ Bucket: env.bucket, Key: key }));
    client.destroy();
  });

  it("round-trips a 16 MiB object and serves a range of it", async () => {
    await client.send(new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: big }));
    expect(digest(await read())).toBe(digest(big));
    expect(await read("bytes=1000-1999")).toEqual(big.subarray(1000, 2000));
  });

  it("refuses to overwrite with If-None-Match: * (412)", async () => {
    const second = client.send(
      new PutObjectCommand({ Bucket: env.bucket, Key: key, Body: Buffer.from("x"), IfNoneMatch: "*" }),
    );
    const err = await rejection(second);
    expect(err).toBeInstanceOf(S3ServiceException);
    expect((err as S3ServiceException).$metadata.httpStatusCode).toBe(412);
    expect(digest(await read())).toBe(digest(big));
  });
});

describe("fake-gcs-server through @google-cloud/storage", () => {
  const env = testEnv().gcs;
  // A custom apiEndpoint makes the client skip authentication, as the fake server expects.
  const gcs = new GcsClient({ apiEndpoint: env.endpoint, projectId: env.projectId });
  const bucket = gcs.bucket(`kubesnap-smoke-${randomUUID()}`);
  const file = bucket.file("smoke/big.bin");

  afterAll(async () => {
    await bucket.deleteFiles({ force: true });
    await bucket.delete();
  });

  it("round-trips a 16 MiB object and serves a range of it", async () => {
    await bucket.create();
    await file.save(big, { resumable: false });
    const [whole] = await file.download();
    expect(digest(whole)).toBe(digest(big));
    // `end` is inclusive, as in an HTTP range.
    const [part] = await file.download({ start: 1000, end: 1999 });
    expect(part).toEqual(big.subarray(1000, 2000));
  });

  it("creates with ifGenerationMatch=0 only when absent (412 otherwise)", async () => {
    const fresh = bucket.file("smoke/create-once");
    await fresh.save(Buffer.from("first"), { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } });
    const again = fresh.save(Buffer.from("second"), {
      resumable: false,
      preconditionOpts: { ifGenerationMatch: 0 },
    });
    const err = await rejection(again);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe(412);
    const [content] = await fresh.download();
    expect(content.toString()).toBe("first");
  });
});

describe("Azurite through @azure/storage-blob", () => {
  const env = testEnv().azure;
  const service = BlobServiceClient.fromConnectionString(env.connectionString);
  const container = service.getContainerClient(`kubesnap-smoke-${randomUUID()}`);
  const blob = container.getBlockBlobClient("smoke/big.bin");

  afterAll(async () => {
    await container.deleteIfExists();
  });

  it("round-trips a 16 MiB object and serves a range of it", async () => {
    await container.create();
    await blob.uploadData(big);
    expect(digest(await blob.downloadToBuffer())).toBe(digest(big));
    expect(await blob.downloadToBuffer(1000, 1000)).toEqual(big.subarray(1000, 2000));
  });

  it("creates with If-None-Match: * only when absent (409 BlobAlreadyExists otherwise)", async () => {
    const fresh = container.getBlockBlobClient("smoke/create-once");
    await fresh.upload("first", 5, { conditions: { ifNoneMatch: "*" } });
    const err = await rejection(fresh.upload("second", 6, { conditions: { ifNoneMatch: "*" } }));
    expect(err).toBeInstanceOf(RestError);
    expect((err as RestError).statusCode).toBe(409);
    expect((await fresh.downloadToBuffer()).toString()).toBe("first");
  });
});
