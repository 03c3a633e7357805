import { randomBytes } from "node:crypto";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { type Binaries, binary } from "./build.js";
import type { AzureInfo, GcsInfo, S3Info } from "./env-info.js";
import { probe } from "./http.js";
import { type Service, startService } from "./process.js";

interface StoreOptions {
  readonly dir: string;
  readonly logDir: string;
  readonly services: Service[];
}

const S3_BUCKET = "kubesnap";

/** MinIO with a bucket "kubesnap", credentials made fresh for this environment. */
export async function startMinio(minio: Binaries, opts: StoreOptions): Promise<S3Info> {
  const accessKeyId = "kubesnap-test";
  const secretAccessKey = randomBytes(18).toString("hex");
  const data = join(opts.dir, "minio");
  await mkdir(data, { recursive: true });
  const { service, info } = await startService(
    {
      name: "minio",
      ports: 2,
      command: binary(minio, "minio"),
      args: ([api, console]) => [
        "server",
        data,
        "--address",
        `127.0.0.1:${api}`,
        "--console-address",
        `127.0.0.1:${console}`,
        "--quiet",
      ],
      ready: async ([api]) => (await probe(`http://127.0.0.1:${api}/minio/health/ready`)) === 200,
      describe: ([api]) => `http://127.0.0.1:${api}`,
    },
    {
      logDir: opts.logDir,
      env: { MINIO_ROOT_USER: accessKeyId, MINIO_ROOT_PASSWORD: secretAccessKey, MINIO_BROWSER: "off" },
    },
  );
  opts.services.push(service);
  const s3: S3Info = { endpoint: info, region: "us-east-1", accessKeyId, secretAccessKey, bucket: S3_BUCKET };
  const client = new S3Client({
    endpoint: s3.endpoint,
    region: s3.region,
    forcePathStyle: true,
    credentials: { accessKeyId, secretAccessKey },
  });
  try {
    await client.send(new CreateBucketCommand({ Bucket: S3_BUCKET }));
  } catch (err) {
    // The SDK retries a create whose answer was slow; the retry then finds the bucket made.
    if ((err as { name?: string }).name !== "BucketAlreadyOwnedByYou") throw err;
  } finally {
    client.destroy();
  }
  return s3;
}

/** fake-gcs-server on a filesystem backend, answering plain HTTP. */
export async function startFakeGcs(gcs: Binaries, opts: StoreOptions): Promise<GcsInfo> {
  const root = join(opts.dir, "gcs");
  await mkdir(root, { recursive: true });
  const { service, info } = await startService(
    {
      name: "fake-gcs-server",
      ports: 1,
      command: binary(gcs, "fake-gcs-server"),
      args: ([port]) => [
        "-scheme",
        "http",
        "-host",
        "127.0.0.1",
        "-port",
        String(port),
        "-backend",
        "filesystem",
        "-filesystem-root",
        root,
        "-public-host",
        `127.0.0.1:${port}`,
        "-external-url",
        `http://127.0.0.1:${port}`,
        "-log-level",
        "warn",
      ],
      ready: async ([port]) => (await probe(`http://127.0.0.1:${port}/storage/v1/b`)) === 200,
      describe: ([port]) => `http://127.0.0.1:${port}`,
    },
    { logDir: opts.logDir },
  );
  opts.services.push(service);
  return { endpoint: info, projectId: "kubesnap-test" };
}

/** Azurite's well-known development account: public test credentials, not secrets. */
const AZURITE_ACCOUNT = "devstoreaccount1";
const AZURITE_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** Azurite's blob service, from the npm package, run by the same Node as the environment. */
export async function startAzurite(opts: StoreOptions): Promise<AzureInfo> {
  const location = join(opts.dir, "azurite");
  await mkdir(location, { recursive: true });
  const main = join(
    dirname(createRequire(import.meta.url).resolve("azurite/package.json")),
    "dist/src/blob/main.js",
  );
  const { service, info } = await startService(
    {
      name: "azurite",
      ports: 1,
      command: process.execPath,
      args: ([port]) => [
        main,
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        String(port),
        "--location",
        location,
        "--silent",
        "--skipApiVersionCheck",
        "--loose",
        "--disableProductStyleUrl",
      ],
      // Any HTTP answer (even 400 for the bare path) means the server is listening.
      ready: async ([port]) => (await probe(`http://127.0.0.1:${port}/${AZURITE_ACCOUNT}?comp=list`)) > 0,
      describe: ([port]) => `http://127.0.0.1:${port}/${AZURITE_ACCOUNT}`,
    },
    { logDir: opts.logDir },
  );
  opts.services.push(service);
  const connectionString =
    `DefaultEndpointsProtocol=http;AccountName=${AZURITE_ACCOUNT};AccountKey=${AZURITE_KEY};` +
    `BlobEndpoint=${info};`;
  return { endpoint: info, accountName: AZURITE_ACCOUNT, accountKey: AZURITE_KEY, connectionString };
}
