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

/** Opens a location's storage: validates it, reads its credentials, creates the driver. */
export async function openLocation(location: BackupLocation): Promise<Storage> {
  const config: Record<string, string> = { ...location.config };
  let credentials: { accessKeyId: string; secretAccessKey: string } | undefined;
  if (location.credentialFile) credentials = await readAwsCredentials(location.credentialFile, location.name);
  const parsed = parseLocationConfig(location.provider, {
    bucket: location.bucket,
    prefix: location.prefix,
    config,
  });
  return openStorage(parsed.provider === "s3" && credentials ? { ...parsed, credentials } : parsed);
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
 * Reads `aws_access_key_id` / `aws_secret_access_key` from an AWS-style credentials file
 * ([default] profile, or the first profile). Errors name the file, never its content.
 */
export async function readAwsCredentials(
  file: string,
  locationName: string,
): Promise<{ accessKeyId: string; secretAccessKey: string }> {
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (err) {
    throw new KubesnapError(
      "InvalidInput",
      `Cannot read the credential file ${file} of location "${locationName}"`,
      {
        hint: "point --credential at a readable AWS-style credentials file",
        cause: err,
      },
    );
  }
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
      `Credential file ${file} lacks aws_access_key_id or aws_secret_access_key`,
      {
        hint: "write them under a [default] profile",
      },
    );
  }
  return { accessKeyId, secretAccessKey };
}
