/**
 * Storage on Google Cloud Storage (or fake-gcs-server), under a bucket and an optional
 * name prefix. Create-if-absent is a write with `ifGenerationMatch: 0`, which GCS grants
 * only when no live object has the name. The SDK is loaded on first use: it takes a
 * noticeable part of a second to import, and most CLI commands never touch GCS.
 */

import { createRequire } from "node:module";
import type { Bucket, Storage as GcsClient, GetFilesResponse, StorageOptions } from "@google-cloud/storage";
import { KubesnapError } from "../core/errors.js";
import type { GcsLocation, GcsServiceAccountKey } from "./location.js";
import {
  type ErrorFacts,
  isTransient,
  missingBucket,
  objectNotFound,
  readErrorFacts,
  type TransientSignals,
  unavailable,
} from "./sdk-errors.js";
import { type ByteRange, checkByteRange, type ObjectInfo, type Storage } from "./storage.js";

export type GcsOptions = Omit<GcsLocation, "provider">;

export type GcsOperation = "read" | "write" | "stat" | "list" | "delete";

const pageSize = 1000;

export class GcsStorage implements Storage {
  readonly description: string;
  readonly #options: GcsOptions;
  /** "" or "prefix/": prepended to every name. */
  readonly #keyPrefix: string;
  #bucket: Promise<Bucket> | undefined;
  #bucketSeen = false;

  constructor(options: GcsOptions) {
    this.#options = options;
    this.#keyPrefix = options.prefix === undefined ? "" : `${options.prefix}/`;
    this.description = `gs://${options.bucket}${options.prefix === undefined ? "" : `/${options.prefix}`}`;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const file = (await this.#client()).file(this.#key(key));
    try {
      // One request per object: packs are a few MiB, below what needs a resumable upload.
      await file.save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), { resumable: false });
    } catch (err) {
      throw await this.#error(err, "write", key);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const file = (await this.#client()).file(this.#key(key));
    try {
      await file.save(Buffer.from(body.buffer, body.byteOffset, body.byteLength), {
        resumable: false,
        preconditionOpts: { ifGenerationMatch: 0 },
      });
      return true;
    } catch (err) {
      if (errorFacts(err).status === 412) return false;
      throw await this.#error(err, "write", key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    if (range !== undefined) checkByteRange(range);
    // A zero-length range has no inclusive end to ask for; the object must still exist.
    if (range?.length === 0) {
      if ((await this.stat(key)) === undefined) throw this.#notFound(key);
      return new Uint8Array(0);
    }
    const file = (await this.#client()).file(this.#key(key));
    try {
      // GCS's `end` is inclusive, like an HTTP Range header.
      const [contents] = await file.download(
        range === undefined ? {} : { start: range.offset, end: range.offset + range.length - 1 },
      );
      return new Uint8Array(contents.buffer, contents.byteOffset, contents.byteLength);
    } catch (err) {
      // 416: the object exists but the range starts at or past its end.
      if (range !== undefined && errorFacts(err).status === 416) return new Uint8Array(0);
      throw await this.#error(err, "read", key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const file = (await this.#client()).file(this.#key(key));
    try {
      const [metadata] = await file.getMetadata();
      return {
        key,
        size: Number(metadata.size ?? 0),
        lastModified: new Date(metadata.updated ?? 0),
      };
    } catch (err) {
      if (errorFacts(err).status !== 404) throw await this.#error(err, "stat", key);
    }
    await this.#checkBucketExists("stat", key);
    return undefined;
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const bucket = await this.#client();
    let pageToken: string | undefined;
    do {
      let response: GetFilesResponse;
      try {
        response = await bucket.getFiles({
          prefix: this.#keyPrefix + prefix,
          autoPaginate: false,
          maxResults: pageSize,
          ...(pageToken === undefined ? {} : { pageToken }),
        });
      } catch (err) {
        throw await this.#error(err, "list", prefix);
      }
      const [files, next] = response;
      // The SDK's typing says an object, but after the last page `next` is null.
      pageToken = (next as { pageToken?: string } | null)?.pageToken;
      for (const file of files) {
        yield {
          key: file.name.slice(this.#keyPrefix.length),
          size: Number(file.metadata.size ?? 0),
          lastModified: new Date(file.metadata.updated ?? 0),
        };
      }
    } while (pageToken !== undefined);
  }

  async delete(key: string): Promise<void> {
    const file = (await this.#client()).file(this.#key(key));
    try {
      await file.delete();
      return;
    } catch (err) {
      // GCS answers 404 for an absent object; deleting it is still a success for us.
      if (errorFacts(err).status !== 404) throw await this.#error(err, "delete", key);
    }
    await this.#checkBucketExists("delete", key);
  }

  #client(): Promise<Bucket> {
    this.#bucket ??= openBucket(this.#options);
    return this.#bucket;
  }

  /**
   * GCS answers a bare 404 for an object in a missing bucket too. Ask once per instance
   * whether the bucket exists, so a missing bucket is reported as such rather than as a
   * missing object (or, for stat and delete, silently as nothing there).
   */
  async #checkBucketExists(operation: GcsOperation, key: string): Promise<void> {
    if (this.#bucketSeen) return;
    const bucket = await this.#client();
    let exists = true;
    try {
      [exists] = await bucket.exists();
    } catch (err) {
      // 403: the key may use objects but not read bucket metadata; we cannot tell, so trust the 404.
      if (errorFacts(err).status !== 403) throw gcsError(err, this.#context(operation, key));
    }
    if (!exists) throw missingBucket(this.#where(operation, key), this.#options.bucket);
    this.#bucketSeen = true;
  }

  #key(key: string): string {
    return this.#keyPrefix + key;
  }

  #where(operation: GcsOperation, key: string): string {
    return `Cannot ${operation} "${key}" in ${this.description}`;
  }

  #context(operation: GcsOperation, key: string): { where: string; bucket: string } {
    return { where: this.#where(operation, key), bucket: this.#options.bucket };
  }

  #notFound(key: string): KubesnapError {
    return objectNotFound(this.#where("read", key));
  }

  async #error(err: unknown, operation: GcsOperation, key: string): Promise<KubesnapError> {
    if (errorFacts(err).status === 404) await this.#checkBucketExists(operation, key);
    return gcsError(err, this.#context(operation, key));
  }
}

async function openBucket(options: GcsOptions): Promise<Bucket> {
  const { Storage, IdempotencyStrategy } = await import("@google-cloud/storage");
  const projectId = options.projectId ?? options.credentials?.projectId;
  const config: StorageOptions = {
    // Without a timeout a dead endpoint hangs a backup forever instead of failing it.
    timeout: 120_000,
    retryOptions: {
      autoRetry: true,
      // Back-off doubles from 2 s, so 3 retries give up after about 15 s.
      maxRetries: 3,
      // The SDK's default retries no plain upload, but repeating put only rewrites the same
      // bytes. A repeated putIfAbsent cannot overwrite either; if the first attempt landed and
      // only its answer was lost, it reports false, as S3's retried conditional PUT does.
      idempotencyStrategy: IdempotencyStrategy.RetryAlways,
    },
    ...(projectId === undefined ? {} : { projectId }),
    // The SDK sends no credentials to a custom endpoint, which suits emulators.
    ...(options.endpoint === undefined ? {} : { apiEndpoint: options.endpoint }),
    ...(options.credentials === undefined ? {} : { authClient: serviceAccountClient(options.credentials) }),
  };
  const client: GcsClient = new Storage(config);
  return client.bucket(options.bucket);
}

type AuthClient = NonNullable<StorageOptions["authClient"]>;

/**
 * A JWT client for a service-account key. The SDK's `credentials` option would do the same
 * but prints a deprecation warning each time a client is made. google-auth-library is the
 * SDK's dependency, not ours, so it is loaded from where the SDK finds it: the very copy
 * the SDK was built with.
 */
function serviceAccountClient(key: GcsServiceAccountKey): AuthClient {
  const fromSdk = createRequire(createRequire(import.meta.url).resolve("@google-cloud/storage"));
  const { JWT } = fromSdk("google-auth-library") as {
    JWT: new (options: { email: string; key: string; scopes: string[] }) => AuthClient;
  };
  return new JWT({
    email: key.clientEmail,
    key: key.privateKey,
    scopes: ["https://www.googleapis.com/auth/devstorage.read_write"],
  });
}

/**
 * Turns an SDK, auth-library or network error into a KubesnapError. `where` says what
 * failed; the server's words are only echoed for unexpected errors, never for
 * authentication failures (they may name the service account or carry token details).
 */
export function gcsError(err: unknown, context: { where: string; bucket: string }): KubesnapError {
  if (err instanceof KubesnapError) return err;
  const { where } = context;
  const facts = errorFacts(err);
  const { status, message } = facts;
  const reason = reasonOf(err);
  if (status === 404) return objectNotFound(where, err);
  const denied = accessDeniedHint({ status, reason, message });
  if (denied !== undefined) {
    return new KubesnapError("AccessDenied", `${where}: access denied${reason ? ` (${reason})` : ""}`, {
      hint: denied,
      cause: err,
    });
  }
  if (isTransient(facts, busy)) return unavailable(where, facts, err);
  return new KubesnapError("Internal", `${where}: ${message}`, { cause: err });
}

const accessHint =
  "check that the service account may read, write, list and delete objects in the bucket (e.g. roles/storage.objectAdmin)";

function accessDeniedHint(facts: {
  status: number | undefined;
  reason: string | undefined;
  message: string;
}): string | undefined {
  const { status, reason, message } = facts;
  // google-auth-library's own failures: no credentials found, or a key Google refuses.
  if (message.includes("Could not load the default credentials")) {
    return "give a service-account key with --credential, or set GOOGLE_APPLICATION_CREDENTIALS";
  }
  if (reason === "invalid_grant" || reason === "invalid_client" || reason === "unauthorized_client") {
    return "Google refused the service-account key; it may be deleted, disabled or malformed; create a new key";
  }
  if (status === 401) return "the credentials were not accepted; check the service-account key";
  if (status === 403) return accessHint;
  return undefined;
}

/** A request aborted or timed out on our side, or on the server's (408). */
const busy: TransientSignals = { names: ["AbortError", "TimeoutError"], statuses: [408] };

/**
 * The HTTP status is an ApiError's numeric code or a Gaxios response's status; a string code
 * is Node's network error code.
 */
function errorFacts(err: unknown): ErrorFacts {
  return readErrorFacts(err, (error) => {
    const { code, status, response } = error as {
      code?: unknown;
      status?: unknown;
      response?: { status?: unknown };
    };
    return { status: [code, status, response?.status].find((s) => typeof s === "number"), code };
  });
}

/** GCS's errors[0].reason, or an OAuth error ("invalid_grant"). */
function reasonOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const record = err as { errors?: { reason?: unknown }[]; response?: { data?: { error?: unknown } } };
  const reason = Array.isArray(record.errors) ? record.errors[0]?.reason : record.response?.data?.error;
  return typeof reason === "string" ? reason : undefined;
}
