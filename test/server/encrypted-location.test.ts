import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { S3Storage } from "../../src/storage/index.js";
import { kubesnap } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";
import { readableViews } from "../storage/leaks.js";
import { deleteNamespace } from "../workloads.js";
import { createKubesnap, getKubesnap, type RunningServer, startServer } from "./harness.js";

type Obj = { status?: { phase?: string; failureReason?: string } };

/** A BackupStorageLocation whose spec.encryptionKey names a Secret: the server seals everything. */
describe("an encrypted BackupStorageLocation on MinIO", () => {
  let server: RunningServer;
  const prefix = uniqueName("sealed-bsl");
  const secretValue = `server-s3cr3t-${randomBytes(6).toString("hex")}`;
  const namespace = uniqueName("sealed-app");

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    server = await startServer(cluster, testEnv().s3, { prefix: uniqueName("plain") });
    const { s3 } = testEnv();
    await server.client.request({
      method: "POST",
      path: `/api/v1/namespaces/${server.namespace}/secrets`,
      body: JSON.stringify({
        metadata: { name: "repo-key" },
        data: { key: randomBytes(32).toString("base64") },
      }),
    });
    await createKubesnap(server.client, server.namespace, "backupstoragelocations", {
      kind: "BackupStorageLocation",
      metadata: { name: "sealed" },
      spec: {
        provider: "s3",
        objectStorage: { bucket: s3.bucket, prefix },
        config: { region: s3.region, s3Url: s3.endpoint, s3ForcePathStyle: "true" },
        credential: { name: "cloud-credentials", key: "cloud" },
        encryptionKey: { name: "repo-key", key: "key" },
        validationFrequency: "2s",
      },
    });
    const { core } = clients(cluster);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "db" }, stringData: { password: secretValue } },
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("backs up and restores through the server, and the bucket holds no readable byte of the Secret", async () => {
    const cli = (...args: string[]) =>
      kubesnap("--kubeconfig", testEnv().clusters[0]!.kubeconfig, "-n", server.namespace, ...args);
    const backup = await cli(
      "backup",
      "create",
      "sealed-1",
      "--include-namespaces",
      namespace,
      "--storage-location",
      "sealed",
      "--wait",
    );
    expect(backup.code, backup.stdout + backup.stderr).toBe(0);

    await deleteNamespace(testEnv().clusters[0]!, namespace);
    const restore = await cli("restore", "create", "sealed-1-r", "--from-backup", "sealed-1", "--wait");
    expect(restore.code, restore.stdout + restore.stderr).toBe(0);
    const secret = await clients(testEnv().clusters[0]!).core.readNamespacedSecret({ name: "db", namespace });
    expect(Buffer.from(secret.data?.password ?? "", "base64").toString()).toBe(secretValue);
    expect((await cli("backup", "logs", "sealed-1")).stdout).toContain("starting backup sealed-1");

    const { s3 } = testEnv();
    const bucket = new S3Storage({
      bucket: s3.bucket,
      prefix,
      region: s3.region,
      s3Url: s3.endpoint,
      s3ForcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    const needles = [secretValue, Buffer.from(secretValue).toString("base64")];
    let objects = 0;
    for await (const info of bucket.list("")) {
      objects++;
      const views = readableViews(Buffer.from(await bucket.get(info.key)));
      for (const needle of needles)
        expect(
          views.some((v) => v.includes(needle)),
          info.key,
        ).toBe(false);
    }
    expect(objects).toBeGreaterThan(3);
  });

  it("fails a backup at once when the key Secret is wrong, saying so", async () => {
    await server.client.request({
      method: "PATCH",
      path: `/api/v1/namespaces/${server.namespace}/secrets/repo-key`,
      body: JSON.stringify({ data: { key: randomBytes(32).toString("base64") } }),
      contentType: "application/merge-patch+json",
    });
    // A new resourceVersion of the location makes the server open it afresh, with the new key.
    await server.client.request({
      method: "PATCH",
      path: `/apis/kubesnap.io/v1/namespaces/${server.namespace}/backupstoragelocations/sealed`,
      body: JSON.stringify({ metadata: { annotations: { touched: "1" } } }),
      contentType: "application/merge-patch+json",
    });
    const location = await eventually("the location to be Unavailable", async () => {
      const l = await getKubesnap<Obj & { status?: { message?: string } }>(
        server.client,
        server.namespace,
        "backupstoragelocations",
        "sealed",
      );
      return l?.status?.phase === "Unavailable" ? l : undefined;
    });
    expect(location.status?.message).toMatch(/key does not open/i);
    await createKubesnap(server.client, server.namespace, "backups", {
      kind: "Backup",
      metadata: { name: "sealed-wrong-key" },
      spec: { includedNamespaces: ["kube-public"], storageLocation: "sealed" },
    });
    const failed = await eventually("the backup to fail", async () => {
      const b = await getKubesnap<Obj>(server.client, server.namespace, "backups", "sealed-wrong-key");
      return b?.status?.phase === "Failed" ? b : undefined;
    });
    expect(failed.status?.failureReason).toMatch(/key does not open/i);
    expect(failed.status?.failureReason).not.toMatch(/corrupt/i);
  });
});
