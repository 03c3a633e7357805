import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { type BackupLocation, openLocation } from "../../src/locations/location.js";
import { type AzureOptions, AzureStorage, parseLocationConfig } from "../../src/storage/index.js";
import { testEnv } from "../context.js";
import { ensureAzureContainer, TEST_BUCKET } from "./buckets.js";
import { describeStorageConformance } from "./conformance.js";
import { failure, operations } from "./failures.js";

/** The test Azurite, under a location prefix so name mapping below the container is exercised too. */
function azurite(overrides: Partial<AzureOptions> = {}): AzureStorage {
  const { endpoint, accountName, accountKey } = testEnv().azure;
  return new AzureStorage({
    container: TEST_BUCKET,
    prefix: "storage-tests/azure",
    storageAccount: accountName,
    blobEndpoint: endpoint,
    credentials: { kind: "accountKey", accountKey },
    ...overrides,
  });
}

/** A location as `backup-location create` records it, opened with `credentials` as its file's text. */
function openAzurite(credentials: string, prefix: string) {
  const { endpoint, accountName } = testEnv().azure;
  const location: BackupLocation = {
    name: "azurite",
    provider: "azure",
    bucket: TEST_BUCKET,
    prefix,
    config: { storageAccount: accountName, blobEndpoint: endpoint },
    accessMode: "ReadWrite",
    default: false,
  };
  return openLocation(location, credentials);
}

describeStorageConformance("azure (Azurite)", async () => {
  await ensureAzureContainer();
  return azurite();
});

describe("azure storage", () => {
  it("is opened from a location with each kind of credentials and keeps objects under its prefix", async () => {
    await ensureAzureContainer();
    const { accountName, accountKey, connectionString } = testEnv().azure;
    const sas = generateAccountSASQueryParameters(
      {
        expiresOn: new Date(Date.now() + 3_600_000),
        permissions: AccountSASPermissions.parse("rwdlc"),
        resourceTypes: AccountSASResourceTypes.parse("sco").toString(),
        services: AccountSASServices.parse("b").toString(),
      },
      new StorageSharedKeyCredential(accountName, accountKey),
    ).toString();
    const files = {
      "account key": `AZURE_STORAGE_ACCOUNT_KEY=${accountKey}\n`,
      "connection string": `# Azurite\nAZURE_STORAGE_CONNECTION_STRING="${connectionString}"\n`,
      "SAS token": `AZURE_STORAGE_SAS_TOKEN=?${sas}\n`,
    };
    for (const [kind, text] of Object.entries(files)) {
      const storage = await openAzurite(text, "/storage-tests/opened/");
      expect(storage.description).toBe(`azure://${accountName}/${TEST_BUCKET}/storage-tests/opened`);
      const key = `k-${Date.now()}`;
      await storage.put(key, new Uint8Array([1, 2, 3]));
      expect((await azurite({ prefix: "storage-tests" }).stat(`opened/${key}`))?.size, kind).toBe(3);
      await storage.delete(key);
    }
  });

  it("maps a wrong account key to AccessDenied without echoing credentials", async () => {
    await ensureAzureContainer();
    const wrongKey = Buffer.from("wrong-key-0123456789-wrong-key").toString("base64");
    const storage = azurite({ credentials: { kind: "accountKey", accountKey: wrongKey } });
    for (const attempt of operations(storage)) {
      const err = await failure(attempt.run());
      expect(err.code, attempt.name).toBe("AccessDenied");
      expect(err.message).toContain(storage.description);
      expect(`${err.message} ${err.hint}`).not.toContain(wrongKey);
      expect(err.hint).toContain("account key or SAS token");
    }
  });

  it("maps a missing container to NotFound naming the container, for every operation", async () => {
    const storage = azurite({ container: "no-such-container-kubesnap" });
    for (const attempt of operations(storage)) {
      const err = await failure(attempt.run());
      expect(err.code, attempt.name).toBe("NotFound");
      expect(err.message, attempt.name).toContain('container "no-such-container-kubesnap"');
      expect(err.hint).toContain("create the container");
    }
  });

  it("refuses a connection string for another storage account", async () => {
    const { connectionString } = testEnv().azure;
    const storage = await openAzurite(
      `AZURE_STORAGE_CONNECTION_STRING=${connectionString.replace("AccountName=devstoreaccount1", "AccountName=other")}`,
      "storage-tests/other",
    );
    const err = await failure(storage.stat("k"));
    expect(err.code).toBe("InvalidInput");
    expect(err.message).toContain('storage account "other"');
  });

  it("rejects an unknown config key before touching the server", () => {
    const { accountName } = testEnv().azure;
    expect(() =>
      parseLocationConfig("azure", {
        bucket: TEST_BUCKET,
        config: { storageAccount: accountName, resourceGroup: "rg" },
      }),
    ).toThrow(/unknown config key "resourceGroup"/);
  });
});
