import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Repository } from "../../src/repository/index.js";
import { S3Storage } from "../../src/storage/index.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";
import { deleteNamespace, deployNginx } from "../workloads.js";
import { createKubesnap, getKubesnap, listKubesnap, type RunningServer, startServer } from "./harness.js";

type Status = { phase?: string; failureReason?: string; validationErrors?: string[]; errors?: string[] };
type Obj = {
  metadata: { name: string; labels?: Record<string, string> };
  status?: Status & Record<string, unknown>;
};

describe("kubesnap server (controllers against real clusters and MinIO)", () => {
  const prefix = uniqueName("server");
  let one: RunningServer;
  let workload = "";

  const bucket = () => {
    const { s3 } = testEnv();
    return Repository.open(
      new S3Storage({
        bucket: s3.bucket,
        prefix,
        region: s3.region,
        s3Url: s3.endpoint,
        s3ForcePathStyle: true,
        credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
      }),
    );
  };
  const phaseOf = (server: RunningServer, resource: string, name: string, phases: string[]) =>
    eventually(
      `${resource}/${name} to reach ${phases.join(" or ")}`,
      async () => {
        const object = await getKubesnap<Obj>(server.client, server.namespace, resource, name);
        return object?.status?.phase && phases.includes(object.status.phase) ? object : undefined;
      },
      90_000,
    );

  beforeAll(async () => {
    one = await startServer(testEnv().clusters[0]!, testEnv().s3, { prefix });
    workload = uniqueName("served");
    await deployNginx(testEnv().clusters[0]!, workload);
  });
  afterAll(async () => {
    await one?.stop();
  });

  it("runs a Backup and a Restore created as objects", async () => {
    await createKubesnap(one.client, one.namespace, "backups", {
      kind: "Backup",
      metadata: { name: "nginx" },
      spec: { includedNamespaces: [workload] },
    });
    const backup = await phaseOf(one, "backups", "nginx", ["Completed", "PartiallyFailed", "Failed"]);
    expect(backup.status).toMatchObject({ phase: "Completed" });
    expect(backup.metadata.labels?.["kubesnap.io/storage-location"]).toBe("default");
    expect((await (await bucket()).listSnapshots()).map((s) => s.name)).toContain("nginx");

    await deleteNamespace(testEnv().clusters[0]!, workload);
    await createKubesnap(one.client, one.namespace, "restores", {
      kind: "Restore",
      metadata: { name: "nginx-back" },
      spec: { backupName: "nginx" },
    });
    const restore = await phaseOf(one, "restores", "nginx-back", ["Completed", "PartiallyFailed", "Failed"]);
    expect(restore.status).toMatchObject({ phase: "Completed" });
    const deployment = await clients(testEnv().clusters[0]!).apps.readNamespacedDeployment({
      namespace: workload,
      name: "nginx-deployment",
    });
    expect(deployment.spec?.replicas).toBe(2);
    expect(one.logs()).not.toContain(testEnv().s3.secretAccessKey);
  });

  it("refuses a Backup whose location does not exist, with the reason", async () => {
    await createKubesnap(one.client, one.namespace, "backups", {
      kind: "Backup",
      metadata: { name: "nowhere" },
      spec: { storageLocation: "no-such-location" },
    });
    const refused = await phaseOf(one, "backups", "nowhere", ["FailedValidation"]);
    expect(refused.status?.validationErrors?.join(" ")).toContain(
      'BackupStorageLocation "no-such-location" not found',
    );
  });

  it("deletes a backup when its TTL passes, from the cluster and from the bucket", async () => {
    await createKubesnap(one.client, one.namespace, "backups", {
      kind: "Backup",
      metadata: { name: "short-lived" },
      spec: { includedNamespaces: [workload], ttl: "5s" },
    });
    await phaseOf(one, "backups", "short-lived", ["Completed"]);
    await eventually(
      "the expired backup to leave the cluster",
      async () =>
        (await getKubesnap(one.client, one.namespace, "backups", "short-lived")) ? undefined : true,
      90_000,
    );
    expect((await (await bucket()).listSnapshots()).map((s) => s.name)).not.toContain("short-lived");
  });

  it("runs a schedule: named, labelled backups that never overlap; keep rules; pause stops it", async () => {
    await createKubesnap(one.client, one.namespace, "schedules", {
      kind: "Schedule",
      metadata: { name: "often" },
      spec: { schedule: "@every 3s", template: { includedNamespaces: [workload] }, keep: { keepLast: 2 } },
    });
    const ofSchedule = async () =>
      (await listKubesnap<Obj>(one.client, one.namespace, "backups")).filter(
        (b) => b.metadata.labels?.["kubesnap.io/schedule-name"] === "often",
      );
    await eventually(
      "three scheduled backups to have run",
      async () => {
        const done = (
          await one.client.get<{ items: Obj[] }>(
            `/apis/kubesnap.io/v1/namespaces/${one.namespace}/deletebackuprequests`,
          )
        ).items;
        return done.length >= 1 ? true : undefined;
      },
      90_000,
    );
    const backups = await ofSchedule();
    for (const b of backups) expect(b.metadata.name).toMatch(/^often-\d{14}$/);
    const spans = backups
      .filter((b) => b.status?.startTimestamp && b.status.completionTimestamp)
      .map(
        (b) =>
          [
            Date.parse(String(b.status?.startTimestamp)),
            Date.parse(String(b.status?.completionTimestamp)),
          ] as const,
      )
      .sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < spans.length; i++) expect(spans[i]![0]).toBeGreaterThanOrEqual(spans[i - 1]![1]);
    // keepLast 2: the older ones were asked to be deleted, and go.
    await eventually(
      "only the two newest scheduled backups to remain",
      async () => {
        const finished = (await ofSchedule()).filter((b) => b.status?.phase === "Completed");
        return finished.length <= 2 ? true : undefined;
      },
      90_000,
    );

    await one.client.request({
      method: "PATCH",
      path: `/apis/kubesnap.io/v1/namespaces/${one.namespace}/schedules/often`,
      body: JSON.stringify({ spec: { paused: true } }),
      contentType: "application/merge-patch+json",
    });
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const before = (await ofSchedule()).map((b) => b.metadata.name).sort();
    await new Promise((resolve) => setTimeout(resolve, 7000));
    const after = (await ofSchedule()).map((b) => b.metadata.name).filter((n) => !before.includes(n));
    expect(after).toEqual([]);
  });

  it("migrates: a second cluster's server with the bucket ReadOnly lists the backup, restores it, and writes nothing", async () => {
    const two = await startServer(testEnv().clusters[1]!, testEnv().s3, { prefix, accessMode: "ReadOnly" });
    try {
      const synced = await eventually(
        "cluster 2 to list cluster 1's backup",
        async () => getKubesnap<Obj>(two.client, two.namespace, "backups", "nginx"),
        30_000,
      );
      expect(synced.status?.phase).toBe("Completed");

      await createKubesnap(two.client, two.namespace, "restores", {
        kind: "Restore",
        metadata: { name: "migrated" },
        spec: { backupName: "nginx" },
      });
      const restore = await phaseOf(two, "restores", "migrated", ["Completed", "PartiallyFailed", "Failed"]);
      expect(restore.status).toMatchObject({ phase: "Completed" });
      const migrated = await clients(testEnv().clusters[1]!).apps.readNamespacedDeployment({
        namespace: workload,
        name: "nginx-deployment",
      });
      expect(migrated.spec?.template.spec?.containers[0]?.image).toBe("nginx:1.27");

      // Restore-only mode: no backup is written, nothing is deleted.
      await createKubesnap(two.client, two.namespace, "backups", {
        kind: "Backup",
        metadata: { name: "not-here" },
        spec: {},
      });
      const refused = await phaseOf(two, "backups", "not-here", ["FailedValidation"]);
      expect(refused.status?.validationErrors?.join(" ")).toContain("ReadOnly");
      await createKubesnap(two.client, two.namespace, "deletebackuprequests", {
        kind: "DeleteBackupRequest",
        metadata: { name: "try-delete" },
        spec: { backupName: "nginx" },
      });
      const request = await phaseOf(two, "deletebackuprequests", "try-delete", ["Processed"]);
      expect(request.status?.errors?.join(" ")).toContain("ReadOnly");
      // A schedule's due run is skipped, and its status says why.
      await createKubesnap(two.client, two.namespace, "schedules", {
        kind: "Schedule",
        metadata: { name: "read-only" },
        spec: { schedule: "@every 1h", template: {} },
      });
      const skipped = await eventually("the schedule to report its skipped run", async () => {
        const s = await getKubesnap<Obj & { status?: { message?: string } }>(
          two.client,
          two.namespace,
          "schedules",
          "read-only",
        );
        return s?.status?.message ? s.status.message : undefined;
      });
      expect(skipped).toMatch(/was skipped: its location is ReadOnly/);
      expect((await (await bucket()).listSnapshots()).map((s) => s.name)).toContain("nginx");
      expect((await (await bucket()).listSnapshots()).map((s) => s.name)).not.toContain("not-here");
    } finally {
      await two.stop();
    }
  });
});
