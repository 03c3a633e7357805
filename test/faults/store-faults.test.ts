import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FaultProxy, type Faults, startFaultProxy } from "../../testenv/faults/index.js";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";

const CONFIG_MAPS = 300;

/**
 * kubesnap → fault proxy → MinIO. Each test has its own proxy (with a fixed seed, so a run
 * can be repeated) and its own location in front of it; the proxy's counts show the faults
 * really happened, since a run that met none would prove nothing.
 */
describe("an object store that fails under kubesnap", () => {
  const proxies: FaultProxy[] = [];
  let home = "";
  let source = "";

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    home = isolateCli(cluster).home;
    const { s3 } = testEnv();
    writeFileSync(
      join(home, "minio-credentials"),
      `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`,
    );
    source = uniqueName("faults-src");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: source } } });
    await createConfigMaps(cluster, source, CONFIG_MAPS);
  });
  afterAll(async () => {
    await Promise.all(proxies.map((p) => p.close()));
  });

  /** A location named `name` behind a new proxy, whose faults start once the location exists. */
  async function faultyLocation(name: string, faults: Partial<Faults>, seed: number) {
    const { s3 } = testEnv();
    const proxy = await startFaultProxy({ target: s3.endpoint, seed });
    proxies.push(proxy);
    const prefix = uniqueName("faults");
    await kubesnapOk(
      "backup-location",
      "create",
      name,
      "--provider",
      "s3",
      "--bucket",
      s3.bucket,
      "--prefix",
      prefix,
      "--credential",
      join(home, "minio-credentials"),
      "--config",
      // A short idle timeout, so that a stalled request costs seconds here rather than minutes.
      `region=${s3.region},s3Url=${proxy.url},s3ForcePathStyle=true,idleTimeout=2s`,
    );
    proxy.setFaults(faults);
    return { proxy, prefix };
  }

  it("with 10% of requests failing, a backup and a restore still complete through retries", async () => {
    const { proxy } = await faultyLocation("errors", { errorRate: 0.1 }, 1);
    const backup = uniqueName("errors");
    const created = await kubesnapOk(
      "backup",
      "create",
      backup,
      "--include-namespaces",
      source,
      "--storage-location",
      "errors",
    );
    expect(created.stdout).toContain(`Backup "${backup}" finished: Completed`);
    const afterBackup = proxy.counts;

    const target = uniqueName("faults-dst");
    const restored = await kubesnapOk(
      "restore",
      "create",
      "--from-backup",
      backup,
      "--namespace-mappings",
      `${source}:${target}`,
    );
    expect(restored.stdout).toMatch(/finished: Completed, \d+ items restored, 0 errors/);
    const { core } = clients(testEnv().clusters[0]!);
    const copies = await core.listNamespacedConfigMap({ namespace: target, labelSelector: "kind=filler" });
    expect(copies.items).toHaveLength(CONFIG_MAPS);
    for (const copy of copies.items) {
      expect(copy.data?.payload).toBe(`${copy.metadata?.name}:`.padEnd(1024, "x"));
    }
    // Both runs met errors, or this test proved nothing.
    expect(afterBackup.errored).toBeGreaterThan(0);
    expect(proxy.counts.errored).toBeGreaterThan(afterBackup.errored);
  });

  it("with the store gone for the whole backup, the backup fails with the reason and commits nothing", async () => {
    const { proxy, prefix } = await faultyLocation("gone", { down: true }, 2);
    const backup = uniqueName("gone");
    const result = await kubesnap(
      "backup",
      "create",
      backup,
      "--include-namespaces",
      source,
      "--storage-location",
      "gone",
    );
    expect(result.code).not.toBe(0);
    const message = result.stderr.trim();
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain('Backup location "gone"');
    expect(message).toMatch(/unreachable/);
    expect(proxy.counts.refused).toBeGreaterThan(0);

    proxy.setFaults({ down: false });
    await expectNothingCommitted(prefix, backup);
  });

  it("when the store goes away during the backup, the backup fails and commits nothing", async () => {
    const { proxy, prefix } = await faultyLocation("vanishing", {}, 4);
    const backup = uniqueName("vanishing");
    // The repository's first 9 requests open it and take the snapshot lock; the next come
    // only once the items are collected. Going down in between fails the backup's writes.
    const watch = setInterval(() => {
      if (proxy.counts.forwarded >= 9) proxy.setFaults({ down: true });
    }, 1);
    const result = await kubesnap(
      "backup",
      "create",
      backup,
      "--include-namespaces",
      source,
      "--storage-location",
      "vanishing",
    );
    clearInterval(watch);
    expect(result.code).not.toBe(0);
    const message = result.stderr.trim();
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toMatch(/Cannot \w+ ".*" in s3:\/\/.*: the object store is unreachable/);
    expect(proxy.counts.refused).toBeGreaterThan(0);

    proxy.setFaults({ down: false });
    await expectNothingCommitted(prefix, backup);
  });

  /** `backup get` does not know the backup, and the bucket holds no manifest for it. */
  async function expectNothingCommitted(prefix: string, backup: string): Promise<void> {
    const listed = await kubesnapOk("backup", "get");
    expect(listed.stdout).not.toContain(backup);
    const { s3 } = testEnv();
    const bucket = new S3Client({
      endpoint: s3.endpoint,
      region: s3.region,
      forcePathStyle: true,
      credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    });
    try {
      const objects = await bucket.send(
        new ListObjectsV2Command({ Bucket: s3.bucket, Prefix: `${prefix}/snapshots/${backup}/` }),
      );
      // Side files uploaded before the store went away may stay (gc takes them once stale);
      // what must not exist is the manifest, which alone makes a backup.
      const keys = (objects.Contents ?? []).map((o) => o.Key ?? "");
      expect(keys.filter((key) => /\/manifest[^/]*$/.test(key))).toEqual([]);
    } finally {
      bucket.destroy();
    }
  }

  it("a request the store takes and never answers is timed out and retried", async () => {
    const { proxy } = await faultyLocation("stalls", { stallRate: 0.05 }, 3);
    const backup = uniqueName("stalls");
    const started = Date.now();
    const created = await kubesnapOk(
      "backup",
      "create",
      backup,
      "--include-namespaces",
      source,
      "--storage-location",
      "stalls",
    );
    expect(created.stdout).toContain(`Backup "${backup}" finished: Completed`);
    expect(proxy.counts.stalled).toBeGreaterThan(0);
    // Cut after the 2 s idleTimeout, not after the 2-minute default or never.
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
