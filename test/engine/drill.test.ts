import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";
import { ensureAzureContainer, ensureGcsBucket, fakeServiceAccountKey } from "../storage/buckets.js";
import { deleteNamespace, deployNginx } from "../workloads.js";

describe("the disaster drill: back up, delete, restore", () => {
  let home = "";
  beforeAll(async () => {
    home = isolateCli(testEnv().clusters[0]!).home;
    const { s3 } = testEnv();
    const credentials = join(home, "minio-credentials");
    writeFileSync(
      credentials,
      `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`,
    );
    await kubesnapOk(
      "backup-location",
      "create",
      "minio",
      "--provider",
      "s3",
      "--bucket",
      s3.bucket,
      "--prefix",
      uniqueName("drill"),
      "--credential",
      credentials,
      "--config",
      `region=${s3.region},s3Url=${s3.endpoint},s3ForcePathStyle=true`,
    );

    const { gcs, azure } = testEnv();
    const gcsKey = join(home, "gcs-key.json");
    writeFileSync(gcsKey, fakeServiceAccountKey());
    await kubesnapOk(
      "backup-location",
      "create",
      "fake-gcs",
      "--provider",
      "gcs",
      "--bucket",
      await ensureGcsBucket(),
      "--prefix",
      uniqueName("drill"),
      "--credential",
      gcsKey,
      "--config",
      `endpoint=${gcs.endpoint},projectId=${gcs.projectId}`,
    );

    const azureCredentials = join(home, "azure-credentials");
    writeFileSync(azureCredentials, `AZURE_STORAGE_ACCOUNT_KEY=${azure.accountKey}\n`);
    await kubesnapOk(
      "backup-location",
      "create",
      "azurite",
      "--provider",
      "azure",
      "--bucket",
      await ensureAzureContainer(),
      "--prefix",
      uniqueName("drill"),
      "--credential",
      azureCredentials,
      "--config",
      `storageAccount=${azure.accountName},blobEndpoint=${azure.endpoint}`,
    );
  });

  it.each([
    ["the embedded default (file)", "default"],
    ["MinIO (s3)", "minio"],
    ["fake-gcs-server (gcs)", "fake-gcs"],
    ["Azurite (azure)", "azurite"],
  ])("works on %s", async (_label, location) => {
    const cluster = testEnv().clusters[0]!;
    const { core, apps } = clients(cluster);
    const namespace = uniqueName("nginx-example");
    await deployNginx(cluster, namespace);
    const before = await apps.readNamespacedDeployment({ namespace, name: "nginx-deployment" });
    const oldPods = (await core.listNamespacedPod({ namespace })).items.map((p) => p.metadata?.uid);

    const backup = uniqueName("nginx-backup");
    await kubesnapOk(
      "backup",
      "create",
      backup,
      "--selector",
      "app=nginx",
      "--include-namespaces",
      namespace,
      "--storage-location",
      location,
    );
    const listed = await kubesnapOk("backup", "get", backup);
    expect(listed.stdout).toMatch(new RegExp(`^${backup}\\s+Completed\\s+0\\s+0\\s`, "m"));

    await deleteNamespace(cluster, namespace);

    const restore = await kubesnapOk("restore", "create", "--from-backup", backup);
    expect(restore.stdout).toContain("Completed");
    const restores = await kubesnapOk("restore", "get");
    expect(restores.stdout).toMatch(new RegExp(`^${backup}-\\d{14}\\s+${backup}\\s+Completed\\s`, "m"));

    const after = await apps.readNamespacedDeployment({ namespace, name: "nginx-deployment" });
    expect(after.spec).toEqual(before.spec);
    expect(after.metadata?.uid).not.toBe(before.metadata?.uid);
    const service = await core.readNamespacedService({ namespace, name: "my-nginx" });
    expect(service.spec?.type).toBe("LoadBalancer");
    // Owned objects were left to their controllers: a new ReplicaSet and new Pods appear.
    const pods = await eventually("the controller-manager to recreate the Pods", async () => {
      const list = await core.listNamespacedPod({ namespace });
      return list.items.length === 2 ? list.items : undefined;
    });
    expect(pods.some((p) => oldPods.includes(p.metadata?.uid))).toBe(false);
    const replicaSets = await apps.listNamespacedReplicaSet({ namespace });
    expect(replicaSets.items).toHaveLength(1);
    expect(replicaSets.items[0]?.metadata?.ownerReferences?.[0]?.uid).toBe(after.metadata?.uid);
  });
});
