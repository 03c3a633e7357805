import { describe, expect, it } from "vitest";
import { isKubesnapError, type KubesnapError } from "../core/errors.js";
import { type LocationInput, parseLocationConfig } from "./location.js";

function invalid(provider: string, input: LocationInput): KubesnapError {
  try {
    parseLocationConfig(provider, input);
  } catch (err) {
    if (isKubesnapError(err, "InvalidInput")) return err;
    throw err;
  }
  throw new Error("expected InvalidInput");
}

describe("parseLocationConfig", () => {
  it("lists the known providers when the provider is unknown", () => {
    const err = invalid("ftp", { bucket: "b" });
    expect(err.message).toContain('"ftp"');
    expect(err.hint).toBe("use one of: file, s3, gcs, azure");
  });

  it("does not take inherited object keys for providers", () => {
    expect(invalid("toString", {}).message).toContain('"toString"');
  });

  describe("file", () => {
    it("takes the directory from bucket and joins the prefix", () => {
      expect(parseLocationConfig("file", { bucket: "/backups" })).toEqual({
        provider: "file",
        path: "/backups",
      });
      expect(parseLocationConfig("file", { bucket: "/backups", prefix: "/prod/" })).toEqual({
        provider: "file",
        path: "/backups/prod",
      });
    });

    it("requires an absolute directory", () => {
      expect(invalid("file", {}).message).toContain("bucket is missing");
      expect(invalid("file", { bucket: "backups" }).message).toContain("not an absolute path");
    });

    it("rejects config keys and prefixes that climb out", () => {
      expect(invalid("file", { bucket: "/b", config: { region: "x" } }).hint).toContain("takes no config");
      expect(invalid("file", { bucket: "/b", prefix: "../etc" }).message).toContain("'..'");
    });
  });

  describe("s3", () => {
    it("parses every setting", () => {
      const location = parseLocationConfig("s3", {
        bucket: "velero-backups",
        prefix: "cluster-a/",
        config: {
          region: "eu-west-1",
          s3Url: "http://minio.example:9000",
          s3ForcePathStyle: "true",
          accessKeyId: "AKIA",
          secretAccessKey: "s3cr3t",
          idleTimeout: "1m30s",
        },
      });
      expect(location).toEqual({
        provider: "s3",
        bucket: "velero-backups",
        prefix: "cluster-a",
        region: "eu-west-1",
        s3Url: "http://minio.example:9000",
        s3ForcePathStyle: true,
        credentials: { accessKeyId: "AKIA", secretAccessKey: "s3cr3t" },
        idleTimeoutMs: 90_000,
      });
    });

    it("leaves out what is not given, so the SDK defaults apply", () => {
      expect(parseLocationConfig("s3", { bucket: "b12", prefix: "" })).toEqual({
        provider: "s3",
        bucket: "b12",
      });
    });

    it("names the bad field and the fix", () => {
      expect(invalid("s3", {}).message).toContain("bucket is missing");
      expect(invalid("s3", { bucket: "My_Bucket" }).hint).toContain("lowercase");
      expect(invalid("s3", { bucket: "bucket/with/prefix" }).hint).toContain("prefix goes in prefix");
      expect(invalid("s3", { bucket: "b12", config: { s3URL: "http://x" } }).message).toContain('"s3URL"');
      expect(invalid("s3", { bucket: "b12", config: { s3URL: "http://x" } }).hint).toContain("s3Url");
      expect(invalid("s3", { bucket: "b12", config: { s3Url: "minio:9000" } }).message).toContain("s3Url");
      expect(invalid("s3", { bucket: "b12", config: { s3ForcePathStyle: "yes" } }).hint).toContain('"true"');
      expect(invalid("s3", { bucket: "b12", config: { region: "" } }).message).toContain("region");
      expect(invalid("s3", { bucket: "b12", config: { accessKeyId: "AKIA" } }).message).toContain(
        "only one of accessKeyId and secretAccessKey",
      );
      expect(invalid("s3", { bucket: "b12", config: { idleTimeout: "30" } }).message).toContain(
        "idleTimeout",
      );
      expect(invalid("s3", { bucket: "b12", config: { idleTimeout: "0s" } }).hint).toContain("at least");
    });

    it("never echoes credentials carried in s3Url", () => {
      const err = invalid("s3", { bucket: "b12", config: { s3Url: "http://user:pa55@minio:9000" } });
      expect(`${err.message} ${err.hint}`).not.toContain("pa55");
    });
  });

  describe("gcs", () => {
    it("parses every setting", () => {
      const location = parseLocationConfig("gcs", {
        bucket: "velero.backups_eu",
        prefix: "/cluster-a",
        config: { endpoint: "http://127.0.0.1:4443/", projectId: "my-project" },
      });
      expect(location).toEqual({
        provider: "gcs",
        bucket: "velero.backups_eu",
        prefix: "cluster-a",
        endpoint: "http://127.0.0.1:4443",
        projectId: "my-project",
      });
      expect(parseLocationConfig("gcs", { bucket: "b12" })).toEqual({ provider: "gcs", bucket: "b12" });
    });

    it("names the bad field and the fix", () => {
      expect(invalid("gcs", {}).message).toContain("bucket is missing");
      expect(invalid("gcs", { bucket: "Backups" }).hint).toContain("lowercase");
      expect(invalid("gcs", { bucket: "b12/prod" }).hint).toContain("prefix goes in prefix");
      expect(invalid("gcs", { bucket: `${"a".repeat(64)}` }).message).toContain("not a valid bucket name");
      expect(invalid("gcs", { bucket: "b12", config: { region: "eu" } }).message).toContain('"region"');
      expect(invalid("gcs", { bucket: "b12", config: { region: "eu" } }).hint).toBe(
        "known keys: endpoint, projectId",
      );
      expect(invalid("gcs", { bucket: "b12", config: { endpoint: "fake-gcs:4443" } }).message).toContain(
        "endpoint",
      );
      expect(invalid("gcs", { bucket: "b12", config: { projectId: "" } }).message).toContain("projectId");
    });

    it("accepts long dotted bucket names, as GCS does", () => {
      const bucket = `${"a".repeat(60)}.${"b".repeat(60)}.example.com`;
      expect(parseLocationConfig("gcs", { bucket })).toEqual({ provider: "gcs", bucket });
    });
  });

  describe("azure", () => {
    it("parses every setting, with the bucket as the container", () => {
      const location = parseLocationConfig("azure", {
        bucket: "velero-backups",
        prefix: "cluster-a/",
        config: {
          storageAccount: "devstoreaccount1",
          blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
        },
      });
      expect(location).toEqual({
        provider: "azure",
        container: "velero-backups",
        prefix: "cluster-a",
        storageAccount: "devstoreaccount1",
        blobEndpoint: "http://127.0.0.1:10000/devstoreaccount1",
      });
    });

    it("names the bad field and the fix", () => {
      const account = { storageAccount: "acct1" };
      expect(invalid("azure", { config: account }).message).toContain("bucket is missing");
      expect(invalid("azure", { bucket: "a--b", config: account }).message).toContain(
        "not a valid container",
      );
      expect(invalid("azure", { bucket: "My.Container", config: account }).hint).toContain("lowercase");
      expect(invalid("azure", { bucket: "c12" }).message).toContain("storageAccount is missing");
      expect(
        invalid("azure", { bucket: "c12", config: { storageAccount: "acct1.blob.core.windows.net" } }).hint,
      ).toContain("not its URL");
      expect(invalid("azure", { bucket: "c12", config: { ...account, resourceGroup: "rg" } }).hint).toBe(
        "known keys: storageAccount, blobEndpoint",
      );
      expect(
        invalid("azure", {
          bucket: "c12",
          config: { ...account, blobEndpoint: "acct1.blob.core.windows.net" },
        }).message,
      ).toContain("blobEndpoint");
    });

    it("refuses a blobEndpoint carrying a SAS token, without echoing it", () => {
      const blobEndpoint = "https://acct1.blob.core.windows.net/?sv=2024&sig=s3cr3tsig";
      const err = invalid("azure", { bucket: "c12", config: { storageAccount: "acct1", blobEndpoint } });
      expect(err.message).toContain("contains credentials");
      expect(`${err.message} ${err.hint}`).not.toContain("s3cr3tsig");
    });
  });
});
