/**
 * Storage on Amazon S3 or an S3-compatible server (MinIO, Ceph RGW…), under a bucket
 * and an optional key prefix. Create-if-absent relies on the server honouring
 * `If-None-Match: *` on PutObject (AWS since 2024, MinIO); a server that ignores it
 * would turn putIfAbsent into an overwrite, so the conformance suite checks it.
 */
import type { ListObjectsV2CommandOutput, S3Client, S3ClientConfig } from "@aws-sdk/client-s3";
import { KubesnapError } from "../core/errors.js";
import type { S3Location } from "./location.js";
import {
  deleteVersions,
  extendRetention,
  type LockMode,
  type LockTarget,
  retainedUntil,
  retentionFields,
} from "./s3-lock.js";
import {
  type ErrorFacts,
  isTransient,
  missingBucket,
  objectNotFound,
  readErrorFacts,
  type TransientSignals,
  unavailable,
} from "./sdk-errors.js";
import { type ByteRange, checkByteRange, type ObjectInfo, type PutOptions, type Storage } from "./storage.js";

export type S3Options = Omit<S3Location, "provider">;

type Sdk = typeof import("@aws-sdk/client-s3");
let sdkModule: Promise<Sdk> | undefined;
const loadSdk = () => {
  sdkModule ??= import("@aws-sdk/client-s3");
  return sdkModule;
};

interface S3Connection {
  readonly sdk: Sdk;
  readonly client: S3Client;
}

export type S3Operation = "read" | "write" | "stat" | "list" | "delete";

/** Long enough for a busy server to answer; a hung one costs this much per attempt. */
const defaultIdleTimeoutMs = 120_000;

/** Concurrent conditional writes to one key may get 409 from AWS, which asks for a retry. */
const conditionalConflictAttempts = 5;

export class S3Storage implements Storage {
  readonly description: string;
  readonly #config: S3ClientConfig;
  #connection: Promise<S3Connection> | undefined;
  readonly #bucket: string;
  /** "" or "prefix/": prepended to every key. */
  readonly #keyPrefix: string;
  readonly #lock: LockMode | undefined;
  #bucketSeen = false;

  constructor(options: S3Options) {
    this.#bucket = options.bucket;
    this.#keyPrefix = options.prefix === undefined ? "" : `${options.prefix}/`;
    this.description = `s3://${options.bucket}${options.prefix === undefined ? "" : `/${options.prefix}`}`;
    this.#config = clientConfig(options);
    this.#lock = options.objectLock;
    if (this.#lock) {
      this.retainedUntil = async (key) =>
        retainedUntil(await this.#target(key)).catch((err: unknown) => {
          throw this.#error(err, "stat", key);
        });
      const mode = this.#lock;
      this.retain = async (key, until) =>
        extendRetention(await this.#target(key), mode, until).catch((err: unknown) => {
          throw this.#error(err, "write", key);
        });
    }
  }

  /** Present only with object lock (see s3-lock.ts). */
  readonly retainedUntil?: (key: string) => Promise<Date | undefined>;
  readonly retain?: (key: string, until: Date) => Promise<void>;

  async put(key: string, body: Uint8Array, options?: PutOptions): Promise<void> {
    try {
      const { client, sdk } = await this.#connect();
      await client.send(
        new sdk.PutObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(key),
          Body: body,
          ...this.#retention(options),
        }),
      );
    } catch (err) {
      throw this.#error(err, "write", key);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array, options?: PutOptions): Promise<boolean> {
    const { client, sdk } = await this.#connect();
    const command = new sdk.PutObjectCommand({
      Bucket: this.#bucket,
      Key: this.#key(key),
      Body: body,
      IfNoneMatch: "*",
      ...this.#retention(options),
    });
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(command);
        return true;
      } catch (err) {
        const { name, status } = errorFacts(err);
        if (status === 412 || name === "PreconditionFailed") return false;
        const conflict = status === 409 && name === "ConditionalRequestConflict";
        if (!conflict || attempt >= conditionalConflictAttempts) throw this.#error(err, "write", key);
      }
    }
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    if (range !== undefined) checkByteRange(range);
    // "bytes=5-4" is not a valid range and S3 would answer with the whole object.
    if (range?.length === 0) {
      if ((await this.stat(key)) === undefined) throw this.#notFound(key);
      return new Uint8Array(0);
    }
    const rangeHeader =
      range === undefined ? undefined : `bytes=${range.offset}-${range.offset + range.length - 1}`;
    try {
      const { client, sdk } = await this.#connect();
      const response = await client.send(
        new sdk.GetObjectCommand({
          Bucket: this.#bucket,
          Key: this.#key(key),
          ...(rangeHeader === undefined ? {} : { Range: rangeHeader }),
        }),
      );
      return (await response.Body?.transformToByteArray()) ?? new Uint8Array(0);
    } catch (err) {
      // 416: the object exists but the range starts at or past its end.
      if (range !== undefined && errorFacts(err).status === 416) return new Uint8Array(0);
      throw this.#error(err, "read", key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    try {
      const { client, sdk } = await this.#connect();
      const head = await client.send(
        new sdk.HeadObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }),
      );
      return { key, size: head.ContentLength ?? 0, lastModified: head.LastModified ?? new Date(0) };
    } catch (err) {
      if (errorFacts(err).status !== 404) throw this.#error(err, "stat", key);
    }
    await this.#checkBucketExists(key);
    return undefined;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await this.#listPage(prefix, token);
      } catch (err) {
        throw this.#error(err, "list", prefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined) continue;
        yield {
          key: object.Key.slice(this.#keyPrefix.length),
          size: object.Size ?? 0,
          lastModified: object.LastModified ?? new Date(0),
        };
      }
      token = page.IsTruncated === true ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  async delete(key: string): Promise<void> {
    // S3 answers 204 for an absent key, so delete is idempotent without a check.
    try {
      if (this.#lock) await deleteVersions(await this.#target(key), this.#where("delete", key));
      else {
        const { client, sdk } = await this.#connect();
        await client.send(new sdk.DeleteObjectCommand({ Bucket: this.#bucket, Key: this.#key(key) }));
      }
    } catch (err) {
      throw this.#error(err, "delete", key);
    }
  }

  #retention(options: PutOptions | undefined) {
    return this.#lock && options?.retainUntil ? retentionFields(this.#lock, options.retainUntil) : {};
  }

  async #target(key: string): Promise<LockTarget> {
    return { ...(await this.#connect()), bucket: this.#bucket, key: this.#key(key) };
  }

  /** The SDK is loaded on first use: it costs ~35 MB and ~0.2 s, which a file location never needs. */
  #connect(): Promise<S3Connection> {
    this.#connection ??= loadSdk().then((sdk) => ({ sdk, client: new sdk.S3Client(this.#config) }));
    return this.#connection;
  }

  async #listPage(prefix: string, token: string | undefined): Promise<ListObjectsV2CommandOutput> {
    const { client, sdk } = await this.#connect();
    return client.send(
      new sdk.ListObjectsV2Command({
        Bucket: this.#bucket,
        Prefix: this.#keyPrefix + prefix,
        ...(token === undefined ? {} : { ContinuationToken: token }),
      }),
    );
  }

  /**
   * A HEAD answer has no body, so a missing bucket and a missing key both look like a bare
   * 404. Ask once per instance whether the bucket exists, so stat() of a missing bucket
   * reports the bucket rather than claiming the object is merely absent.
   */
  async #checkBucketExists(key: string): Promise<void> {
    if (this.#bucketSeen) return;
    try {
      const { client, sdk } = await this.#connect();
      await client.send(new sdk.HeadBucketCommand({ Bucket: this.#bucket }));
    } catch (err) {
      if (errorFacts(err).status === 404) throw missingBucket(this.#where("stat", key), this.#bucket, err);
      // 403 and the like: we cannot tell, and the object HEAD already said 404.
      if (errorFacts(err).status !== 403) throw this.#error(err, "stat", key);
    }
    this.#bucketSeen = true;
  }

  #key(key: string): string {
    return this.#keyPrefix + key;
  }

  #where(operation: S3Operation, key: string): string {
    return `Cannot ${operation} "${key}" in ${this.description}`;
  }

  #notFound(key: string): KubesnapError {
    return objectNotFound(this.#where("read", key));
  }

  #error(err: unknown, operation: S3Operation, key: string): KubesnapError {
    return s3Error(err, { where: this.#where(operation, key), bucket: this.#bucket });
  }
}

function clientConfig(options: S3Options): S3ClientConfig {
  // An S3-compatible endpoint has no regions of its own, but the SDK must sign with one.
  const region = options.region ?? (options.s3Url === undefined ? undefined : "us-east-1");
  return {
    maxAttempts: 5,
    // Without timeouts a dead endpoint hangs a backup forever instead of failing it. The
    // socket timeout is one of inactivity, not of the whole request: an 8 MiB pack on a slow
    // link keeps bytes moving, while a server that took a request and hung sends none. The
    // SDK retries its TimeoutError like any other passing fault.
    requestHandler: {
      connectionTimeout: 10_000,
      socketTimeout: options.idleTimeoutMs ?? defaultIdleTimeoutMs,
    },
    ...(region === undefined ? {} : { region }),
    ...(options.s3Url === undefined ? {} : { endpoint: options.s3Url }),
    ...(options.s3ForcePathStyle === undefined ? {} : { forcePathStyle: options.s3ForcePathStyle }),
    ...(options.credentials === undefined ? {} : { credentials: { ...options.credentials } }),
    // The SDK's default CRC trailers (since 3.729) are rejected by many S3-compatible
    // servers; the repository verifies content hashes itself, so only send what S3 requires.
    ...(options.s3Url === undefined
      ? {}
      : { requestChecksumCalculation: "WHEN_REQUIRED", responseChecksumValidation: "WHEN_REQUIRED" }),
  };
}

/**
 * Turns an SDK or network error into a KubesnapError. `where` says what failed
 * ("Cannot read "k" in s3://bucket/prefix"); the server's own message is only echoed for
 * unexpected errors, and never for authentication failures.
 */
export function s3Error(err: unknown, context: { where: string; bucket: string }): KubesnapError {
  if (err instanceof KubesnapError) return err;
  const { where, bucket } = context;
  const facts = errorFacts(err);
  const { name, status, message } = facts;
  if (name === "NoSuchBucket") return missingBucket(where, bucket, err);
  if (name === "NoSuchKey" || name === "NotFound" || status === 404) return objectNotFound(where, err);
  const denied = accessDeniedHint(name);
  if (denied !== undefined || status === 403) {
    return new KubesnapError("AccessDenied", `${where}: access denied (${name})`, {
      hint: denied ?? accessHint,
      cause: err,
    });
  }
  if (name === "PermanentRedirect" || name === "AuthorizationHeaderMalformed" || status === 301) {
    return new KubesnapError("InvalidInput", `${where}: the bucket is in another region`, {
      hint: `set the region of the storage location to the region of bucket "${bucket}"`,
      cause: err,
    });
  }
  if (isTransient(facts, busy)) return unavailable(where, facts, err);
  return new KubesnapError("Internal", `${where}: ${name}: ${message}`, { cause: err });
}

const accessHint =
  "check the credentials and that they allow reading, writing, listing and deleting in the bucket";

function accessDeniedHint(name: string): string | undefined {
  switch (name) {
    case "AccessDenied":
    case "Forbidden":
    case "AllAccessDisabled":
      return accessHint;
    case "InvalidAccessKeyId":
      return "the access key id is not known to the server; check accessKeyId";
    case "SignatureDoesNotMatch":
      return "the secret access key does not match the access key id; check secretAccessKey";
    case "ExpiredToken":
    case "InvalidToken":
    case "TokenRefreshRequired":
      return "the session token has expired or is invalid; refresh the credentials";
    default:
      return undefined;
  }
}

/** The SDK's own timeouts, and S3's words for "busy". */
const busy: TransientSignals = { names: ["TimeoutError", "RequestTimeout", "SlowDown"] };

/** The AWS SDK keeps the HTTP status in $metadata; Node's network errors carry a code. */
function errorFacts(err: unknown): ErrorFacts {
  return readErrorFacts(err, (error) => {
    const { code, $metadata } = error as { code?: unknown; $metadata?: { httpStatusCode?: unknown } };
    return { status: $metadata?.httpStatusCode, code };
  });
}
