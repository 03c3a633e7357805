import { describe, expect, it } from "vitest";
import {
  AzureStorage,
  FileStorage,
  GcsStorage,
  openStorage,
  parseLocationConfig,
  S3Storage,
} from "./index.js";

describe("openStorage", () => {
  it("opens the driver of each provider without touching it", () => {
    const file = openStorage(parseLocationConfig("file", { bucket: "/nonexistent/kubesnap" }));
    expect(file).toBeInstanceOf(FileStorage);
    expect(file.description).toBe("file:///nonexistent/kubesnap");
    const s3 = openStorage(
      parseLocationConfig("s3", { bucket: "backups", prefix: "a/b", config: { region: "eu-west-1" } }),
    );
    expect(s3).toBeInstanceOf(S3Storage);
    expect(s3.description).toBe("s3://backups/a/b");
    const gcs = openStorage(parseLocationConfig("gcs", { bucket: "backups", prefix: "a" }));
    expect(gcs).toBeInstanceOf(GcsStorage);
    expect(gcs.description).toBe("gs://backups/a");
    const azure = openStorage(
      parseLocationConfig("azure", { bucket: "backups", config: { storageAccount: "acct1" } }),
    );
    expect(azure).toBeInstanceOf(AzureStorage);
    expect(azure.description).toBe("azure://acct1/backups");
  });
});
