/**
 * The bucket (fake-gcs-server) and container (Azurite) that the gcs and azure tests share.
 * The test environment starts both servers empty, so each test file makes them on first
 * use; making them is idempotent, since several files may ask at once.
 */
import { generateKeyPairSync } from "node:crypto";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { BlobServiceClient } from "@azure/storage-blob";
import { Storage } from "@google-cloud/storage";
import { testEnv } from "../context.js";

export const TEST_BUCKET = "kubesnap-tests";

export async function ensureGcsBucket(): Promise<string> {
  const { endpoint, projectId } = testEnv().gcs;
  const bucket = new Storage({ apiEndpoint: endpoint, projectId }).bucket(TEST_BUCKET);
  const [exists] = await bucket.exists();
  if (!exists) {
    await bucket.create().catch((err: unknown) => {
      // Another test file made it between our check and our create.
      if ((err as { code?: unknown }).code !== 409) throw err;
    });
  }
  return TEST_BUCKET;
}

export async function ensureAzureContainer(): Promise<string> {
  const { connectionString } = testEnv().azure;
  await BlobServiceClient.fromConnectionString(connectionString)
    .getContainerClient(TEST_BUCKET)
    .createIfNotExists();
  return TEST_BUCKET;
}

/** The content of a well-formed service-account key file, for a server that checks no keys. */
export function fakeServiceAccountKey(): string {
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 2048 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  return JSON.stringify({
    type: "service_account",
    project_id: testEnv().gcs.projectId,
    client_email: "kubesnap-tests@kubesnap-test.iam.gserviceaccount.com",
    private_key: privateKey,
  });
}

/** A MinIO bucket created with Object Lock (which also turns on versioning). */
export async function ensureLockedBucket(name: string): Promise<void> {
  const { s3 } = testEnv();
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: name, ObjectLockEnabledForBucket: true }));
  } catch (err) {
    if ((err as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw err;
  } finally {
    client.destroy();
  }
}
