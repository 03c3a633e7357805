import { generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { isKubesnapError, type KubesnapError } from "../core/errors.js";
import {
  assertWritable,
  type BackupLocation,
  openLocation,
  parseAccessMode,
  parseAwsCredentials,
  parseAzureCredentials,
  parseGcsKey,
} from "./location.js";

describe("AWS-style credentials", () => {
  it("reads the default profile", () => {
    const text =
      "[other]\naws_access_key_id=o\naws_secret_access_key=os\n[default]\naws_access_key_id = k\naws_secret_access_key = s\n";
    expect(parseAwsCredentials(text, "minio")).toEqual({ accessKeyId: "k", secretAccessKey: "s" });
  });

  it("names the location, never the content, when a key is missing", () => {
    expect(() => parseAwsCredentials("[default]\naws_access_key_id=visible-key\n", "minio")).toThrow(
      /location "minio" lack aws_access_key_id or aws_secret_access_key/,
    );
    try {
      parseAwsCredentials("[default]\naws_access_key_id=visible-key\n", "minio");
    } catch (err) {
      expect(String(err)).not.toContain("visible-key");
    }
  });
});

describe("Google service-account keys", () => {
  const privateKey = generateKeyPairSync("rsa", { modulusLength: 1024 })
    .privateKey.export({ type: "pkcs8", format: "pem" })
    .toString();
  const key = {
    type: "service_account",
    project_id: "p1",
    client_email: "backup@p1.iam.gserviceaccount.com",
    private_key: privateKey,
  };

  it("reads the email, the private key and the project", () => {
    expect(parseGcsKey(JSON.stringify(key), "gcs")).toEqual({
      clientEmail: "backup@p1.iam.gserviceaccount.com",
      privateKey,
      projectId: "p1",
    });
  });

  it("names the location and the problem, never the content", () => {
    const cases = [
      ["not json at all, secret-ish", "are not JSON"],
      [JSON.stringify({ ...key, type: "authorized_user" }), "not a service-account key"],
      [JSON.stringify({ ...key, private_key: "-----BEGIN PRIVATE KEY-----\nsecret-ish\n" }), "not a PEM"],
    ] as const;
    for (const [text, problem] of cases) {
      const err = failure(() => parseGcsKey(text, "gcs"));
      expect(err.message).toContain('location "gcs"');
      expect(err.message).toContain(problem);
      expect(`${err.message} ${err.hint}`).not.toContain("secret-ish");
    }
  });
});

describe("Azure credentials files", () => {
  it("reads NAME=value lines, skipping comments and dropping quotes", () => {
    const text = '# for the backups\n\nAZURE_STORAGE_ACCOUNT_KEY = "a2V5PT0="\nAZURE_RESOURCE_GROUP=rg\n';
    expect(parseAzureCredentials(text, "azure")).toEqual({ kind: "accountKey", accountKey: "a2V5PT0=" });
    const connection =
      "AZURE_STORAGE_CONNECTION_STRING=AccountName=a;AccountKey=k==;BlobEndpoint=http://h/a;";
    expect(parseAzureCredentials(connection, "azure")).toEqual({
      kind: "connectionString",
      connectionString: "AccountName=a;AccountKey=k==;BlobEndpoint=http://h/a;",
    });
  });

  it("names the location and the line, never the content", () => {
    const bad = failure(() => parseAzureCredentials("AZURE_STORAGE_ACCOUNT_KEY=k\nsecret-ish\n", "azure"));
    expect(bad.message).toBe('Line 2 of the credentials of location "azure" is not NAME=value');
    const none = failure(() => parseAzureCredentials("AZURE_STORAGE_ACCOUNT_ACCESS_KEY=secret-ish", "azure"));
    expect(none.message).toContain("set none of AZURE_STORAGE_CONNECTION_STRING");
    expect(`${none.message} ${none.hint}`).not.toContain("secret-ish");
  });

  it("are checked when a location is opened", async () => {
    const location: BackupLocation = {
      name: "azure",
      provider: "azure",
      bucket: "backups",
      config: { storageAccount: "acct1" },
      accessMode: "ReadWrite",
      default: false,
    };
    await expect(openLocation(location, "AZURE_STORAGE_SAS_TOKEN=sv=1&sig=x")).resolves.toHaveProperty(
      "description",
      "azure://acct1/backups",
    );
    await expect(openLocation(location, "nothing useful")).rejects.toThrow(/Line 1 of the credentials/);
  });
});

describe("access modes", () => {
  const location: BackupLocation = {
    name: "archive",
    provider: "file",
    bucket: "/x",
    config: {},
    accessMode: "ReadOnly",
    default: false,
  };

  it("refuses backups to a ReadOnly location with the way out", () => {
    expect(() => assertWritable(location)).toThrow(/"archive" is ReadOnly/);
    expect(() => assertWritable({ ...location, accessMode: "ReadWrite" })).not.toThrow();
  });

  it("accepts only the two modes", () => {
    expect(parseAccessMode("ReadOnly")).toBe("ReadOnly");
    expect(() => parseAccessMode("readonly")).toThrow(/Invalid access mode "readonly"/);
  });
});

function failure(fn: () => unknown): KubesnapError {
  try {
    fn();
  } catch (err) {
    if (isKubesnapError(err, "InvalidInput")) return err;
    throw err;
  }
  throw new Error("expected InvalidInput");
}
