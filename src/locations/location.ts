import { createPrivateKey } from "node:crypto";
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import { KubesnapError } from "../core/errors.js";
import { MIN_USER_KEY_BYTES } from "../repository/index.js";
import {
  type AzureCredentials,
  azureCredentialsFrom,
  azureCredentialVariables,
  type GcsServiceAccountKey,
  openStorage,
  parseLocationConfig,
  type Storage,
  type StorageLocation,
} from "../storage/index.js";

export type AccessMode = "ReadWrite" | "ReadOnly";

/**
 * A named storage location, as `backup-location create` records it. Credentials are never
 * stored here, only the path of a file that holds them.
 */
export interface BackupLocation {
  readonly name: string;
  readonly provider: string;
  /** Bucket name; for the file provider, the directory. */
  readonly bucket: string;
  readonly prefix?: string;
  readonly config: Readonly<Record<string, string>>;
  /**
   * Path of a credentials file: AWS-style for s3, a service-account JSON key for gcs,
   * AZURE_STORAGE_* lines for azure.
   */
  readonly credentialFile?: string;
  /** Path of the file whose bytes are the key that encrypts the location's repository. */
  readonly encryptionKeyFile?: string;
  readonly accessMode: AccessMode;
  readonly default: boolean;
}

export function parseAccessMode(value: string): AccessMode {
  if (value === "ReadWrite" || value === "ReadOnly") return value;
  throw new KubesnapError("InvalidInput", `Invalid access mode "${value}"`, {
    hint: "use ReadWrite or ReadOnly",
  });
}

/**
 * Opens a location's storage: validates it and creates the driver. Credentials come from
 * the location's credential file (local mode), or are passed in (the server reads them
 * from a Secret).
 */
export async function openLocation(location: BackupLocation, credentialsText?: string): Promise<Storage> {
  const parsed = parseLocationConfig(location.provider, {
    bucket: location.bucket,
    prefix: location.prefix,
    config: location.config,
  });
  if (parsed.provider === "file") return openStorage(parsed);
  const text = credentialsText ?? (location.credentialFile ? await readCredentialFile(location) : undefined);
  return openStorage(text === undefined ? parsed : withCredentials(parsed, text, location.name));
}

/** The location with the credentials read from `text`, in its provider's format. */
function withCredentials(
  parsed: Exclude<StorageLocation, { provider: "file" }>,
  text: string,
  locationName: string,
): StorageLocation {
  switch (parsed.provider) {
    case "s3":
      return { ...parsed, credentials: parseAwsCredentials(text, locationName) };
    case "gcs":
      return { ...parsed, credentials: parseGcsKey(text, locationName) };
    case "azure":
      return { ...parsed, credentials: parseAzureCredentials(text, locationName) };
  }
}

/**
 * Checks credentials text the way the server will read it, for a provider given by name
 * (install does this before it puts the text in a Secret). Errors never quote the text.
 */
export function checkCredentials(provider: string, text: string, locationName: string): void {
  if (provider === "s3") parseAwsCredentials(text, locationName);
  else if (provider === "gcs") parseGcsKey(text, locationName);
  else if (provider === "azure") parseAzureCredentials(text, locationName);
  else
    throw new KubesnapError("InvalidInput", `The ${provider} provider takes no credentials`, {
      hint: "drop --secret-file",
    });
}

/** Refuses to write to a restore-only location, before any work starts. */
export function assertWritable(location: BackupLocation): void {
  if (location.accessMode === "ReadOnly") {
    throw new KubesnapError(
      "ReadOnly",
      `Backup location "${location.name}" is ReadOnly (restore-only mode)`,
      {
        hint: `pick another with --storage-location, or run \`kubesnap backup-location set ${location.name} --access-mode ReadWrite\``,
      },
    );
  }
}

/**
 * An encryption key file, checked now (readable, long enough), with its absolute path:
 * later commands may run from another directory.
 */
export async function readKeyFile(path: string): Promise<{ path: string; key: Uint8Array }> {
  const absolute = resolve(path);
  const key = await readFile(absolute).catch((err: unknown) => {
    throw new KubesnapError("InvalidInput", `Cannot read the encryption key file ${absolute}`, {
      hint: "create one with `head -c 32 /dev/urandom > FILE` and keep a copy somewhere safe",
      cause: err,
    });
  });
  if (key.length < MIN_USER_KEY_BYTES) {
    throw new KubesnapError(
      "InvalidInput",
      `The encryption key file ${absolute} holds ${key.length} bytes; a key needs at least ${MIN_USER_KEY_BYTES}`,
      { hint: "create one with `head -c 32 /dev/urandom > FILE`" },
    );
  }
  return { path: absolute, key };
}

/** The location's encryption key, or undefined when it names no key file. */
export async function readEncryptionKey(location: BackupLocation): Promise<Uint8Array | undefined> {
  const file = location.encryptionKeyFile;
  if (!file) return undefined;
  try {
    return await readFile(file);
  } catch (err) {
    throw new KubesnapError(
      "InvalidInput",
      `Cannot read the encryption key file ${file} of location "${location.name}"`,
      {
        hint: `restore the file, or point the location at the key with \`kubesnap backup-location set ${location.name} --encryption-key-file FILE\``,
        cause: err,
      },
    );
  }
}

async function readCredentialFile(location: BackupLocation): Promise<string> {
  const file = location.credentialFile ?? "";
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new KubesnapError(
      "InvalidInput",
      `Cannot read the credential file ${file} of location "${location.name}"`,
      {
        hint: "point --credential at a readable credentials file",
        cause: err,
      },
    );
  }
}

/**
 * Reads `aws_access_key_id` / `aws_secret_access_key` from AWS-style credentials text
 * ([default] profile, or the first profile). Errors name the location, never the content.
 */
export function parseAwsCredentials(
  text: string,
  locationName: string,
): { accessKeyId: string; secretAccessKey: string } {
  const values = new Map<string, string>();
  let section = "";
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    const header = /^\[(.+)\]$/.exec(line);
    if (header) section = header[1] ?? "";
    const pair = /^([a-z_]+)\s*=\s*(.*)$/.exec(line);
    if (pair && (section === "" || section === "default" || !values.has(pair[1] ?? ""))) {
      values.set(pair[1] ?? "", pair[2] ?? "");
    }
  }
  const accessKeyId = values.get("aws_access_key_id");
  const secretAccessKey = values.get("aws_secret_access_key");
  if (!accessKeyId || !secretAccessKey) {
    throw new KubesnapError(
      "InvalidInput",
      `The credentials of location "${locationName}" lack aws_access_key_id or aws_secret_access_key`,
      {
        hint: "write them under a [default] profile",
      },
    );
  }
  return { accessKeyId, secretAccessKey };
}

/**
 * Reads a Google service-account JSON key (what `gcloud iam service-accounts keys create`
 * writes). Errors name the location and the field, never the content.
 */
export function parseGcsKey(text: string, locationName: string): GcsServiceAccountKey {
  const fail = (what: string, hint: string) =>
    new KubesnapError("InvalidInput", `The credentials of location "${locationName}" ${what}`, { hint });
  let key: unknown;
  try {
    key = JSON.parse(text);
  } catch {
    throw fail("are not JSON", "give the service-account key file as downloaded from Google Cloud");
  }
  const record = (typeof key === "object" && key !== null ? key : {}) as Record<string, unknown>;
  const { type, client_email: clientEmail, private_key: privateKey, project_id: projectId } = record;
  if (type !== "service_account" || typeof clientEmail !== "string" || typeof privateKey !== "string") {
    throw fail(
      "are not a service-account key (type, client_email and private_key)",
      "create a key with `gcloud iam service-accounts keys create`, or leave out --credential to use GOOGLE_APPLICATION_CREDENTIALS",
    );
  }
  // A damaged key would otherwise only fail at the first request, deep inside the auth library.
  try {
    createPrivateKey(privateKey);
  } catch {
    throw fail("hold a private_key that is not a PEM private key", "download the key again");
  }
  return { clientEmail, privateKey, ...(typeof projectId === "string" ? { projectId } : {}) };
}

/**
 * Reads Azure credentials from env-file text: NAME=value lines (blank lines and # comments
 * skipped, one pair of quotes around the value dropped), where NAME is one of
 * azureCredentialVariables; the first of them that is set wins. Errors name the location
 * and the line number, never the content.
 */
export function parseAzureCredentials(text: string, locationName: string): AzureCredentials {
  const variables: Record<string, string> = {};
  for (const [index, raw] of text.split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) continue;
    const pair = /^([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)$/.exec(line);
    if (!pair) {
      throw new KubesnapError(
        "InvalidInput",
        `Line ${index + 1} of the credentials of location "${locationName}" is not NAME=value`,
        { hint: "write one variable per line, e.g. AZURE_STORAGE_ACCOUNT_KEY=..." },
      );
    }
    variables[pair[1] ?? ""] = (pair[2] ?? "").replace(/^(["'])(.*)\1$/, "$2");
  }
  const credentials = azureCredentialsFrom(variables);
  if (credentials === undefined) {
    throw new KubesnapError(
      "InvalidInput",
      `The credentials of location "${locationName}" set none of ${azureCredentialVariables.join(", ")}`,
      { hint: "write one of them as NAME=value on its own line" },
    );
  }
  return credentials;
}
