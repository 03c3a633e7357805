/**
 * Where a storage location keeps its objects, and the one validator that turns the
 * user's (provider, bucket, prefix, config) — the shape of Velero's BackupStorageLocation —
 * into that. Pure: no I/O, no SDKs, so a bad location fails before anything is touched.
 *
 * Adding a provider: add its variant to StorageLocation and an entry to `parsers` below;
 * the compiler then points at the one other table that needs it (the driver in index.ts).
 */
import { isAbsolute, join } from "node:path";
import { parseDuration } from "../core/duration.js";
import { KubesnapError } from "../core/errors.js";

export interface FileLocation {
  readonly provider: "file";
  /** Absolute path of the directory that holds the objects. */
  readonly path: string;
}

export interface S3Location {
  readonly provider: "s3";
  readonly bucket: string;
  /** Key prefix inside the bucket, without leading or trailing '/'. */
  readonly prefix?: string;
  readonly region?: string;
  /** Endpoint of an S3-compatible server (MinIO, Ceph…); AWS when absent. */
  readonly s3Url?: string;
  readonly s3ForcePathStyle?: boolean;
  /** Static keys; the SDK's default chain (env, profile, IRSA, instance role) when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** How long a request may pass no bytes either way before it is cut and retried. */
  readonly idleTimeoutMs?: number;
  /**
   * Object lock (the bucket must have it enabled): objects are written with this retention
   * mode and a retain-until date; deletes remove versions, which the store refuses while retained.
   */
  readonly objectLock?: "COMPLIANCE" | "GOVERNANCE";
}

export interface GcsLocation {
  readonly provider: "gcs";
  readonly bucket: string;
  /** Object name prefix inside the bucket, without leading or trailing '/'. */
  readonly prefix?: string;
  /** Endpoint of a GCS emulator (fake-gcs-server); Google Cloud Storage when absent. */
  readonly endpoint?: string;
  readonly projectId?: string;
  /** A service-account key; the SDK's default chain (GOOGLE_APPLICATION_CREDENTIALS, metadata server) when absent. */
  readonly credentials?: GcsServiceAccountKey;
}

export interface GcsServiceAccountKey {
  readonly clientEmail: string;
  readonly privateKey: string;
  readonly projectId?: string;
}

export interface AzureLocation {
  readonly provider: "azure";
  readonly container: string;
  /** Blob name prefix inside the container, without leading or trailing '/'. */
  readonly prefix?: string;
  readonly storageAccount: string;
  /** Blob service URL (Azurite: http://127.0.0.1:10000/devstoreaccount1); https://ACCOUNT.blob.core.windows.net when absent. */
  readonly blobEndpoint?: string;
  /** From a credentials file; the AZURE_STORAGE_* environment variables when absent. */
  readonly credentials?: AzureCredentials;
}

export type AzureCredentials =
  | { readonly kind: "connectionString"; readonly connectionString: string }
  | { readonly kind: "accountKey"; readonly accountKey: string }
  | { readonly kind: "sasToken"; readonly sasToken: string };

export type StorageLocation = FileLocation | S3Location | GcsLocation | AzureLocation;
export type StorageProvider = StorageLocation["provider"];

export interface LocationInput {
  /** For "file", the absolute directory; for object stores, the bucket name. */
  readonly bucket?: string | undefined;
  readonly prefix?: string | undefined;
  /** Provider-specific settings, as strings (they come from flags and CRD maps). */
  readonly config?: Readonly<Record<string, string>> | undefined;
}

type Parser<P extends StorageProvider> = (input: LocationInput) => Extract<StorageLocation, { provider: P }>;

const parsers: { readonly [P in StorageProvider]: Parser<P> } = {
  file: parseFileLocation,
  s3: parseS3Location,
  gcs: parseGcsLocation,
  azure: parseAzureLocation,
};

export const storageProviders = Object.keys(parsers) as readonly StorageProvider[];

/** Validates a location; throws one InvalidInput that names the bad field and the fix. */
export function parseLocationConfig(provider: string, input: LocationInput): StorageLocation {
  if (!isProvider(provider)) {
    throw new KubesnapError("InvalidInput", `Unknown storage provider "${provider}"`, {
      hint: `use one of: ${storageProviders.join(", ")}`,
    });
  }
  return parsers[provider](input);
}

function isProvider(name: string): name is StorageProvider {
  return Object.hasOwn(parsers, name);
}

function parseFileLocation(input: LocationInput): FileLocation {
  rejectUnknownConfig("file", input.config, []);
  const dir = input.bucket ?? "";
  if (dir === "") {
    throw invalid("file", "bucket is missing", "set bucket to the absolute path of the backup directory");
  }
  // The server and the CLI run in different working directories; a relative path would
  // silently mean two different places.
  if (!isAbsolute(dir)) {
    throw invalid(
      "file",
      `bucket "${dir}" is not an absolute path`,
      "give the directory as an absolute path",
    );
  }
  const prefix = normalizePrefix("file", input.prefix);
  return { provider: "file", path: prefix === undefined ? dir : join(dir, prefix) };
}

const s3ConfigKeys = [
  "region",
  "s3Url",
  "s3ForcePathStyle",
  "accessKeyId",
  "secretAccessKey",
  "idleTimeout",
  "objectLock",
] as const;

function parseS3Location(input: LocationInput): S3Location {
  const config = input.config ?? {};
  rejectUnknownConfig("s3", config, s3ConfigKeys);
  const bucket = input.bucket ?? "";
  if (bucket === "") throw invalid("s3", "bucket is missing", "set bucket to the name of an existing bucket");
  // S3's naming rules; checking here turns a confusing signature or DNS error into a clear one.
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || bucket.includes("..")) {
    throw invalid(
      "s3",
      `bucket "${bucket}" is not a valid bucket name`,
      "use 3-63 lowercase letters, digits, '.' or '-'; a prefix goes in prefix, not in bucket",
    );
  }
  const prefix = normalizePrefix("s3", input.prefix);
  const { region, s3Url, s3ForcePathStyle, accessKeyId, secretAccessKey, idleTimeout, objectLock } = config;
  if (region === "") throw invalid("s3", "config region is empty", "set region (e.g. us-east-1) or omit it");
  if (s3Url !== undefined) {
    checkUrl("s3", {
      field: "s3Url",
      value: s3Url,
      example: "http://minio.example:9000",
      credentialsGo: "in accessKeyId and secretAccessKey",
    });
  }
  if ((accessKeyId === undefined) !== (secretAccessKey === undefined)) {
    throw invalid(
      "s3",
      "config has only one of accessKeyId and secretAccessKey",
      "give both, or neither to use the default credential chain",
    );
  }
  return {
    provider: "s3",
    bucket,
    ...(prefix === undefined ? {} : { prefix }),
    ...(region === undefined ? {} : { region }),
    ...(s3Url === undefined ? {} : { s3Url }),
    ...(s3ForcePathStyle === undefined
      ? {}
      : { s3ForcePathStyle: parseBoolean("s3ForcePathStyle", s3ForcePathStyle) }),
    ...(accessKeyId === undefined || secretAccessKey === undefined
      ? {}
      : { credentials: { accessKeyId, secretAccessKey } }),
    ...(idleTimeout === undefined ? {} : { idleTimeoutMs: parseIdleTimeout(idleTimeout) }),
    ...lockMode(objectLock),
  };
}

/** config objectLock: "compliance" (or "true"), "governance", or "false". */
function lockMode(value: string | undefined): Pick<S3Location, "objectLock"> {
  switch (value?.toLowerCase()) {
    case undefined:
    case "false":
      return {};
    case "true":
    case "compliance":
      return { objectLock: "COMPLIANCE" };
    case "governance":
      return { objectLock: "GOVERNANCE" };
    default:
      throw invalid(
        "s3",
        `config objectLock "${value}" is not a lock mode`,
        "use compliance (no one can delete before the date), governance, or false",
      );
  }
}

function parseIdleTimeout(value: string): number {
  const ms = parseDuration(value, { what: "s3 config idleTimeout" });
  // 0 would switch the timeout off, and one hung request would then hang the backup for good.
  if (ms < 1) throw invalid("s3", `config idleTimeout is "${value}"`, "give at least 1ms, e.g. 30s or 2m");
  return ms;
}

const gcsConfigKeys = ["endpoint", "projectId"] as const;

function parseGcsLocation(input: LocationInput): GcsLocation {
  const config = input.config ?? {};
  rejectUnknownConfig("gcs", config, gcsConfigKeys);
  const bucket = input.bucket ?? "";
  if (bucket === "")
    throw invalid("gcs", "bucket is missing", "set bucket to the name of an existing bucket");
  // GCS allows up to 222 characters when the name has dots (each part at most 63), else 63.
  const parts = bucket.split(".");
  const shapeOk = /^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket) && !bucket.includes("..");
  const lengthOk = bucket.length >= 3 && bucket.length <= 222 && parts.every((p) => p.length <= 63);
  if (!shapeOk || !lengthOk) {
    throw invalid(
      "gcs",
      `bucket "${bucket}" is not a valid bucket name`,
      "use 3-63 lowercase letters, digits, '.', '-' or '_'; a prefix goes in prefix, not in bucket",
    );
  }
  const prefix = normalizePrefix("gcs", input.prefix);
  const { endpoint, projectId } = config;
  if (endpoint !== undefined) {
    checkUrl("gcs", {
      field: "endpoint",
      value: endpoint,
      example: "http://127.0.0.1:4443 (fake-gcs-server)",
      credentialsGo: "in the credentials file",
    });
  }
  if (projectId === "") throw invalid("gcs", "config projectId is empty", "set projectId or omit it");
  return {
    provider: "gcs",
    bucket,
    ...(prefix === undefined ? {} : { prefix }),
    // The SDK appends "/storage/v1" to the endpoint; a trailing '/' would double it.
    ...(endpoint === undefined ? {} : { endpoint: endpoint.replace(/\/+$/, "") }),
    ...(projectId === undefined ? {} : { projectId }),
  };
}

const azureConfigKeys = ["storageAccount", "blobEndpoint"] as const;

function parseAzureLocation(input: LocationInput): AzureLocation {
  const config = input.config ?? {};
  rejectUnknownConfig("azure", config, azureConfigKeys);
  const container = input.bucket ?? "";
  if (container === "") {
    throw invalid("azure", "bucket is missing", "set bucket to the name of an existing blob container");
  }
  if (!/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(container) || container.includes("--")) {
    throw invalid(
      "azure",
      `bucket "${container}" is not a valid container name`,
      "use 3-63 lowercase letters, digits or single '-'; a prefix goes in prefix, not in bucket",
    );
  }
  const prefix = normalizePrefix("azure", input.prefix);
  const { storageAccount, blobEndpoint } = config;
  if (storageAccount === undefined || storageAccount === "") {
    throw invalid(
      "azure",
      "config storageAccount is missing",
      "set storageAccount to the storage account name",
    );
  }
  if (!/^[a-z0-9]{3,24}$/.test(storageAccount)) {
    throw invalid(
      "azure",
      `config storageAccount "${storageAccount}" is not a valid account name`,
      "use the account name (3-24 lowercase letters or digits), not its URL",
    );
  }
  if (blobEndpoint !== undefined) {
    checkUrl("azure", {
      field: "blobEndpoint",
      value: blobEndpoint,
      example: "http://127.0.0.1:10000/devstoreaccount1 (Azurite)",
      credentialsGo: "in the credentials file",
    });
  }
  return {
    provider: "azure",
    container,
    ...(prefix === undefined ? {} : { prefix }),
    storageAccount,
    ...(blobEndpoint === undefined ? {} : { blobEndpoint: blobEndpoint.replace(/\/+$/, "") }),
  };
}

/** Trims '/' at both ends; rejects '.' and '..' segments, which would escape or alias keys. */
function normalizePrefix(provider: StorageProvider, prefix: string | undefined): string | undefined {
  const trimmed = (prefix ?? "").replace(/^\/+|\/+$/g, "");
  if (trimmed === "") return undefined;
  if (trimmed.split("/").some((s) => s === "" || s === "." || s === "..")) {
    throw invalid(
      provider,
      `prefix "${prefix}" has an empty, '.' or '..' segment`,
      "use a plain path like backups/prod",
    );
  }
  return trimmed;
}

/**
 * Endpoints are plain http(s) URLs. Credentials (user:password, or a SAS token or key in the
 * query) belong in the credentials, so a URL carrying them is refused and never echoed.
 */
function checkUrl(
  provider: StorageProvider,
  endpoint: {
    readonly field: string;
    readonly value: string;
    readonly example: string;
    readonly credentialsGo: string;
  },
): void {
  const { field, value, example, credentialsGo } = endpoint;
  let url: URL | undefined;
  try {
    url = new URL(value);
  } catch {
    url = undefined;
  }
  if (url !== undefined && (url.username !== "" || url.password !== "" || url.search !== "")) {
    throw invalid(
      provider,
      `config ${field} contains credentials or a query`,
      `give the bare URL; credentials go ${credentialsGo}`,
    );
  }
  if (url === undefined || (url.protocol !== "http:" && url.protocol !== "https:")) {
    throw invalid(provider, `config ${field} "${value}" is not an http(s) URL`, `use e.g. ${example}`);
  }
}

function parseBoolean(field: string, value: string): boolean {
  if (value === "true") return true;
  if (value === "false") return false;
  throw invalid("s3", `config ${field} is "${value}"`, `set ${field} to "true" or "false"`);
}

function rejectUnknownConfig(
  provider: StorageProvider,
  config: Readonly<Record<string, string>> | undefined,
  known: readonly string[],
): void {
  // A typo such as "s3URL" would otherwise be ignored and the driver would quietly talk to AWS.
  const unknown = Object.keys(config ?? {}).find((k) => !known.includes(k));
  if (unknown === undefined) return;
  const fix =
    known.length === 0 ? `the ${provider} provider takes no config` : `known keys: ${known.join(", ")}`;
  throw invalid(provider, `unknown config key "${unknown}"`, fix);
}

function invalid(provider: StorageProvider, what: string, hint: string): KubesnapError {
  return new KubesnapError("InvalidInput", `Invalid ${provider} storage location: ${what}`, { hint });
}
