import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { ensureLockedBucket } from "../storage/buckets.js";
import { createConfigMaps } from "../workloads.js";

/** Backups on a MinIO bucket with Object Lock: nothing can delete them before they expire. */
describe("a location with object lock", () => {
  const bucket = "kubesnap-locked";

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    const { home } = isolateCli(cluster);
    await ensureLockedBucket(bucket);
    const { s3 } = testEnv();
    const credentials = join(home, "minio-credentials");
    writeFileSync(
      credentials,
      `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`,
    );
    await kubesnapOk(
      "backup-location",
      "create",
      "locked",
      "--provider",
      "s3",
      "--bucket",
      bucket,
      "--prefix",
      uniqueName("engine"),
      "--credential",
      credentials,
      "--default",
      "--config",
      `region=${s3.region},s3Url=${s3.endpoint},s3ForcePathStyle=true,objectLock=compliance`,
    );
  });

  async function backupOf(ttl: string): Promise<string> {
    const cluster = testEnv().clusters[0]!;
    const namespace = uniqueName("locked");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: namespace } } });
    await createConfigMaps(cluster, namespace, 20);
    const name = uniqueName("locked");
    await kubesnapOk("backup", "create", name, "--include-namespaces", namespace, "--ttl", ttl);
    return name;
  }

  it("refuses to delete a backup before it expires, and leaves it whole", async () => {
    const name = await backupOf("1h");
    const refused = await kubesnap("backup", "delete", name, "--confirm");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/retained by object lock until \d{4}-/);
    expect((await kubesnapOk("backup", "get", name)).stdout).toMatch(
      new RegExp(`^${name}\\s+Completed`, "m"),
    );
    expect((await kubesnapOk("backup", "verify", name)).stdout).toMatch(/no problems/);
  });

  it("deletes a backup once its retention has ended, and gc frees its bytes", async () => {
    const name = await backupOf("3s");
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const deleted = await kubesnapOk("backup", "delete", name, "--confirm");
    expect(deleted.stdout).toMatch(new RegExp(`Backup "${name}" deleted; [1-9]\\d* bytes freed`));
    expect((await kubesnap("backup", "get", name)).code).toBe(1);
  });
});
