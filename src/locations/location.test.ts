import { describe, expect, it } from "vitest";
import { assertWritable, type BackupLocation, parseAccessMode, parseAwsCredentials } from "./location.js";

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
