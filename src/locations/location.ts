import { readFile } from "node:fs/promises";
import { KubesnapError } from "../core/errors.js";
import { openStorage, parseLocationConfig, type Storage } from "../storage/index.js";

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
  /** Path of an AWS-style credentials file (s3). */
  readonly credentialFile?: string;
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
  if (parsed.provider !== "s3") return openStorage(parsed);
  const text = credentialsText ?? (location.credentialFile ? await readCredentialFile(location) : undefined);
  return openStorage(
    text === undefined ? parsed : { ...parsed, credentials: parseAwsCredentials(text, location.name) },
  );
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

async function readCredentialFile(location: BackupLocation): Promise<string> {
  const file = location.credentialFile ?? "";
  try {
    return await readFile(file, "utf8");
  } catch (err) {
    throw new KubesnapError(
      "InvalidInput",
      `Cannot read the credential file ${file} of location "${location.name}"`,
      {
        hint: "point --credential at a readable AWS-style credentials file",
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
