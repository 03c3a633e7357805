/**
 * Storage on Azure Blob Storage (or Azurite), under a container and an optional name
 * prefix. Create-if-absent is an upload with `If-None-Match: *`. The SDK is loaded on first
 * use: it takes a noticeable part of a second to import, and most CLI commands never touch Azure.
 */
import type { ContainerClient, StoragePipelineOptions } from "@azure/storage-blob";
import { KubesnapError } from "../core/errors.js";
import type { AzureCredentials, AzureLocation } from "./location.js";
import {
  type ErrorFacts,
  isTransient,
  objectNotFound,
  readErrorFacts,
  type TransientSignals,
  unavailable,
} from "./sdk-errors.js";
import { type ByteRange, checkByteRange, type ObjectInfo, type Storage } from "./storage.js";

export type AzureOptions = Omit<AzureLocation, "provider">;

export type AzureOperation = "read" | "write" | "stat" | "list" | "delete";

/**
 * The variables a credentials file (or the environment) may set, in the order they are
 * looked at: the first one set wins.
 */
export const azureCredentialVariables = [
  "AZURE_STORAGE_CONNECTION_STRING",
  "AZURE_STORAGE_ACCOUNT_KEY",
  "AZURE_STORAGE_SAS_TOKEN",
] as const;

/** The credentials among `variables`, or undefined when none of azureCredentialVariables is set. */
export function azureCredentialsFrom(
  variables: Readonly<Record<string, string | undefined>>,
): AzureCredentials | undefined {
  const connectionString = variables.AZURE_STORAGE_CONNECTION_STRING;
  if (connectionString) return { kind: "connectionString", connectionString };
  const accountKey = variables.AZURE_STORAGE_ACCOUNT_KEY;
  if (accountKey) return { kind: "accountKey", accountKey };
  // Portals hand out SAS tokens with and without the leading '?'.
  const sasToken = variables.AZURE_STORAGE_SAS_TOKEN?.replace(/^\?/, "");
  if (sasToken) return { kind: "sasToken", sasToken };
  return undefined;
}

const pageSize = 5000;

export class AzureStorage implements Storage {
  readonly description: string;
  readonly #options: AzureOptions;
  /** "" or "prefix/": prepended to every name. */
  readonly #keyPrefix: string;
  #container: Promise<ContainerClient> | undefined;

  constructor(options: AzureOptions) {
    this.#options = options;
    this.#keyPrefix = options.prefix === undefined ? "" : `${options.prefix}/`;
    const prefix = options.prefix === undefined ? "" : `/${options.prefix}`;
    this.description = `azure://${options.storageAccount}/${options.container}${prefix}`;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const blob = (await this.#client()).getBlockBlobClient(this.#key(key));
    try {
      await blob.upload(body, body.byteLength);
    } catch (err) {
      throw this.#error(err, "write", key);
    }
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const blob = (await this.#client()).getBlockBlobClient(this.#key(key));
    try {
      await blob.upload(body, body.byteLength, { conditions: { ifNoneMatch: "*" } });
      return true;
    } catch (err) {
      // Azure answers 409 BlobAlreadyExists, or 412 when the check happens at commit.
      const { status, code } = errorFacts(err);
      if (status === 412 || (status === 409 && code === "BlobAlreadyExists")) return false;
      throw this.#error(err, "write", key);
    }
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    if (range !== undefined) checkByteRange(range);
    // The SDK reads a count of 0 as "to the end"; the object must still exist.
    if (range?.length === 0) {
      if ((await this.stat(key)) === undefined) throw this.#notFound(key);
      return new Uint8Array(0);
    }
    const blob = (await this.#client()).getBlobClient(this.#key(key));
    try {
      const response =
        range === undefined ? await blob.download() : await blob.download(range.offset, range.length);
      return await readAll(response.readableStreamBody);
    } catch (err) {
      // 416: the object exists but the range starts at or past its end.
      if (range !== undefined && errorFacts(err).status === 416) return new Uint8Array(0);
      throw this.#error(err, "read", key);
    }
  }

  async stat(key: string): Promise<ObjectInfo | undefined> {
    const blob = (await this.#client()).getBlobClient(this.#key(key));
    try {
      const properties = await blob.getProperties();
      return {
        key,
        size: properties.contentLength ?? 0,
        lastModified: properties.lastModified ?? new Date(0),
      };
    } catch (err) {
      if (errorFacts(err).code === "BlobNotFound") return undefined;
      throw this.#error(err, "stat", key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    const pages = (await this.#client())
      .listBlobsFlat({ prefix: this.#keyPrefix + prefix })
      .byPage({ maxPageSize: pageSize });
    for (;;) {
      let page: Awaited<ReturnType<typeof pages.next>>;
      try {
        page = await pages.next();
      } catch (err) {
        throw this.#error(err, "list", prefix);
      }
      if (page.done === true) return;
      for (const item of page.value.segment.blobItems) {
        yield {
          key: item.name.slice(this.#keyPrefix.length),
          size: item.properties.contentLength ?? 0,
          lastModified: item.properties.lastModified,
        };
      }
    }
  }

  async delete(key: string): Promise<void> {
    const blob = (await this.#client()).getBlobClient(this.#key(key));
    try {
      // deleteIfExists turns BlobNotFound into success but still fails on ContainerNotFound.
      await blob.deleteIfExists({ deleteSnapshots: "include" });
    } catch (err) {
      throw this.#error(err, "delete", key);
    }
  }

  #client(): Promise<ContainerClient> {
    this.#container ??= openContainer(this.#options, this.description);
    return this.#container;
  }

  #key(key: string): string {
    return this.#keyPrefix + key;
  }

  #where(operation: AzureOperation, key: string): string {
    return `Cannot ${operation} "${key}" in ${this.description}`;
  }

  #notFound(key: string): KubesnapError {
    return objectNotFound(this.#where("read", key));
  }

  #error(err: unknown, operation: AzureOperation, key: string): KubesnapError {
    return azureError(err, { where: this.#where(operation, key), container: this.#options.container });
  }
}

const pipelineOptions: StoragePipelineOptions = {
  retryOptions: {
    maxTries: 5,
    retryDelayInMs: 500,
    maxRetryDelayInMs: 8_000,
    // Without a timeout a dead endpoint hangs a backup forever instead of failing it.
    tryTimeoutInMs: 120_000,
  },
};

async function openContainer(options: AzureOptions, description: string): Promise<ContainerClient> {
  const { BlobServiceClient, StorageSharedKeyCredential } = await import("@azure/storage-blob");
  const credentials = options.credentials ?? azureCredentialsFrom(process.env);
  if (credentials === undefined) {
    throw new KubesnapError("InvalidInput", `No credentials for ${description}`, {
      hint: `give the location a credentials file (--credential; on the server, spec.credential), or set one of ${azureCredentialVariables.join(", ")}`,
    });
  }
  const endpoint = options.blobEndpoint ?? `https://${options.storageAccount}.blob.core.windows.net`;
  switch (credentials.kind) {
    case "connectionString": {
      checkConnectionAccount(credentials.connectionString, options.storageAccount);
      let service: InstanceType<typeof BlobServiceClient>;
      try {
        service = BlobServiceClient.fromConnectionString(credentials.connectionString, pipelineOptions);
      } catch (err) {
        // The SDK's words could quote the string, so only the cause keeps them.
        throw new KubesnapError("InvalidInput", `The connection string for ${description} is malformed`, {
          hint: "copy it again from the storage account's Access keys page",
          cause: err,
        });
      }
      return service.getContainerClient(options.container);
    }
    case "accountKey": {
      const key = new StorageSharedKeyCredential(options.storageAccount, credentials.accountKey);
      return new BlobServiceClient(endpoint, key, pipelineOptions).getContainerClient(options.container);
    }
    case "sasToken":
      return new BlobServiceClient(
        `${endpoint}?${credentials.sasToken}`,
        undefined,
        pipelineOptions,
      ).getContainerClient(options.container);
  }
}

/** A connection string for another account would quietly write somewhere the location does not name. */
function checkConnectionAccount(connectionString: string, storageAccount: string): void {
  const account = /(?:^|;)\s*AccountName=([^;]*)/i.exec(connectionString)?.[1]?.trim();
  if (account === undefined || account === storageAccount) return;
  throw new KubesnapError(
    "InvalidInput",
    `The connection string is for storage account "${account}", but the location names "${storageAccount}"`,
    { hint: "set config storageAccount to the connection string's account, or use that account's string" },
  );
}

async function readAll(stream: NodeJS.ReadableStream | undefined): Promise<Uint8Array> {
  if (stream === undefined) return new Uint8Array(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(typeof chunk === "string" ? Buffer.from(chunk) : chunk);
  const all = Buffer.concat(chunks);
  return new Uint8Array(all.buffer, all.byteOffset, all.byteLength);
}

/**
 * Turns an SDK or network error into a KubesnapError. `where` says what failed; the
 * server's own message is only echoed for unexpected errors, never for authentication failures.
 */
export function azureError(err: unknown, context: { where: string; container: string }): KubesnapError {
  if (err instanceof KubesnapError) return err;
  const { where, container } = context;
  const facts = errorFacts(err);
  const { name, status, code, message } = facts;
  if (code === "ContainerNotFound") {
    return new KubesnapError("NotFound", `${where}: container "${container}" does not exist`, {
      hint: "create the container, or fix the bucket (container) name and storageAccount of the storage location",
      cause: err,
    });
  }
  if (status === 404) return objectNotFound(where, err);
  if (status === 401 || status === 403) {
    return new KubesnapError("AccessDenied", `${where}: access denied (${code ?? status})`, {
      hint: accessDeniedHint(code),
      cause: err,
    });
  }
  if (isTransient(facts, busy)) {
    return unavailable(
      where,
      facts,
      err,
      "check blobEndpoint (or storageAccount) and the network; the request was already retried",
    );
  }
  return new KubesnapError("Internal", `${where}: ${code ?? name}: ${message}`, { cause: err });
}

function accessDeniedHint(code: string | undefined): string {
  switch (code) {
    // A wrong account key or a bad SAS signature; Azurite says AuthorizationFailure.
    case "AuthenticationFailed":
    case "AuthorizationFailure":
      return "the account key or SAS token was not accepted (or the account's firewall refused us); check the credentials and storageAccount";
    case "AuthorizationPermissionMismatch":
    case "AuthorizationResourceTypeMismatch":
    case "AuthorizationServiceMismatch":
      return "the SAS token must allow read, write, list and delete on the container's objects";
    default:
      return "check the credentials and that they allow reading, writing, listing and deleting in the container";
  }
}

/** Azure's words for "busy", and a request aborted or timed out on our side or the server's (408). */
const busy: TransientSignals = {
  codes: ["ServerBusy", "OperationTimedOut"],
  names: ["AbortError", "TimeoutError"],
  statuses: [408],
};

/**
 * A RestError keeps the HTTP status in statusCode, and Azure's error code ("BlobNotFound"…)
 * or Node's network code in code.
 */
function errorFacts(err: unknown): ErrorFacts {
  return readErrorFacts(err, (error) => {
    const { code, statusCode, details } = error as {
      code?: unknown;
      statusCode?: unknown;
      details?: { errorCode?: unknown };
    };
    // A HEAD answer has no body, so its error code only arrives in details (from the header).
    return { status: statusCode, code: typeof code === "string" ? code : details?.errorCode };
  });
}
