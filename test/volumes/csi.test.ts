import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { BackupRecord } from "../../src/backup/record.js";
import type { CsiSnapshotVolume } from "../../src/volumes/record.js";
import { isolateCli, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api } from "../restore/api.js";
import { backupOk, restore } from "../restore/records.js";
import { createKubesnap, getKubesnap, startServer } from "../server/harness.js";
import { deleteNamespace } from "../workloads.js";
import { boundVolume, claim, csiInfo, foreignClaim, SNAPSHOT_API } from "./csi-env.js";

const cluster = testEnv().clusters[0]!;
const api = new Api(cluster);
async function createNamespace(name: string): Promise<void> {
  await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name } });
}

describe("CSI volume snapshots", () => {
  const namespace = uniqueName("csi");
  const backupName = `${namespace}-backup`;
  const data = randomBytes(256 * 1024);
  let original: { pv: string; dir: string };
  let record: BackupRecord;

  beforeAll(async () => {
    isolateCli(cluster);
    await createNamespace(namespace);
    await api.create(claim(namespace, "data", { storageClassName: csiInfo(cluster).storageClass }));
    original = await boundVolume(api, namespace, "data");
    // No kubelet mounts the volume: the test writes into the driver's directory for it.
    mkdirSync(join(original.dir, "nested"), { recursive: true });
    writeFileSync(join(original.dir, "nested", "data.bin"), data);
    const started = Date.now();
    record = await backupOk(backupName, "--include-namespaces", namespace);
    console.info(`csi test: backup with one snapshot took ${Date.now() - started} ms`);
  });

  it("records the snapshot handle and keeps only a retained VolumeSnapshotContent", async () => {
    expect(record.volumes).toEqual([
      {
        kind: "csi-snapshot",
        namespace,
        pvc: "data",
        volumeName: original.pv,
        driver: csiInfo(cluster).driver,
        snapshotHandle: expect.stringMatching(/^snapshot-/),
        restoreSize: "1Mi",
        class: csiInfo(cluster).snapshotClass,
        content: expect.stringMatching(/^snapcontent-/),
      },
    ]);
    const volume = record.volumes?.[0] as CsiSnapshotVolume;
    expect(
      existsSync(join(csiInfo(cluster).stateDir, "snapshots", volume.snapshotHandle, "nested", "data.bin")),
    ).toBe(true);
    // A VolumeSnapshot left in the namespace would take the snapshot with it when the namespace goes.
    // (by label: a whole-cluster backup of another test may be snapshotting it too)
    expect(
      await api.list(
        { apiVersion: SNAPSHOT_API, kind: "VolumeSnapshot", namespace },
        `kubesnap.io/backup-name=${backupName}`,
      ),
    ).toEqual([]);
    const content = await api.read({
      apiVersion: SNAPSHOT_API,
      kind: "VolumeSnapshotContent",
      name: volume.content,
    });
    expect(content.spec).toMatchObject({ deletionPolicy: "Retain" });
    expect(content.metadata.labels).toMatchObject({ "kubesnap.io/backup-name": backupName });
  });

  it("restores the volume's bytes into a new volume after the namespace is deleted", async () => {
    await deleteNamespace(cluster, namespace);
    // The class's reclaimPolicy Delete removed the volume: nothing old is left to reuse.
    await eventually("the old volume to be deleted", async () =>
      existsSync(original.dir) ? undefined : true,
    );

    const started = Date.now();
    const run = await restore(`${namespace}-restore`, backupName);
    console.info(`csi test: restore from one snapshot took ${Date.now() - started} ms`);
    expect(run.errors).toEqual([]);
    expect(run.record.status.phase).toBe("Completed");

    const restored = await boundVolume(api, namespace, "data");
    expect(restored.pv).not.toBe(original.pv);
    expect(readFileSync(join(restored.dir, "nested", "data.bin")).equals(data)).toBe(true);
    const pvc = await api.read({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name: "data" });
    expect((pvc.spec as { dataSource?: unknown }).dataSource).toEqual({
      apiGroup: "snapshot.storage.k8s.io",
      kind: "VolumeSnapshot",
      name: expect.any(String),
    });
    // The claim is bound: the VolumeSnapshot and content it came from are gone, the backup's snapshot is not.
    const byRestore = `kubesnap.io/restore-name=${namespace}-restore`;
    expect(
      await api.list({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshot", namespace }, byRestore),
    ).toEqual([]);
    await eventually("the restore's VolumeSnapshotContent to go", async () =>
      (await api.list({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent" }, byRestore)).length === 0
        ? true
        : undefined,
    );
    const volume = record.volumes?.[0] as CsiSnapshotVolume;
    expect(existsSync(join(csiInfo(cluster).stateDir, "snapshots", volume.snapshotHandle))).toBe(true);
  });

  it("with --restore-volumes=false gives the claim a new, empty volume and makes no VolumeSnapshot", async () => {
    const target = `${namespace}-nodata`;
    const run = await restore(`${namespace}-nodata`, backupName, [
      "--namespace-mappings",
      `${namespace}:${target}`,
      "--restore-volumes=false",
    ]);
    expect(run.errors).toEqual([]);
    expect(run.describe).toMatch(/Restore volume data:\s+false/);
    const fresh = await boundVolume(api, target, "data");
    expect(fresh.pv).not.toBe(original.pv);
    expect(existsSync(join(fresh.dir, "nested", "data.bin"))).toBe(false);
    const pvc = await api.read({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: target,
      name: "data",
    });
    expect((pvc.spec as { dataSource?: unknown }).dataSource).toBeUndefined();
    expect(
      await api.list(
        { apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent" },
        `kubesnap.io/restore-name=${namespace}-nodata`,
      ),
    ).toEqual([]);
    await deleteNamespace(cluster, target);
  });

  it("deletes the snapshot and its VolumeSnapshotContent with the backup", async () => {
    const volume = record.volumes?.[0] as CsiSnapshotVolume;
    await kubesnapOk("backup", "delete", backupName, "--confirm");
    expect(
      await api.find({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent", name: volume.content }),
    ).toBeUndefined();
    expect(existsSync(join(csiInfo(cluster).stateDir, "snapshots", volume.snapshotHandle))).toBe(false);
    await deleteNamespace(cluster, namespace);
  });
});

describe("a restore into a cluster without the backup's snapshot class", () => {
  it("provisions from the snapshot with the driver's default class instead", async () => {
    isolateCli(cluster);
    const namespace = uniqueName("csi-classless");
    const gone = uniqueName("csi-gone");
    const classRef = (name: string) => ({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotClass", name });
    await api.create({
      ...classRef(gone),
      metadata: { name: gone },
      driver: csiInfo(cluster).driver,
      deletionPolicy: "Delete",
    });
    await createNamespace(namespace);
    await api.create(claim(namespace, "data", { storageClassName: csiInfo(cluster).storageClass }));
    const { dir } = await boundVolume(api, namespace, "data");
    writeFileSync(join(dir, "kept.txt"), "same bytes\n");
    const record = await backupOk(
      `${namespace}-b`,
      "--include-namespaces",
      namespace,
      "--snapshot-class",
      gone,
    );
    expect(record.volumes).toEqual([expect.objectContaining({ kind: "csi-snapshot", class: gone })]);
    // As if restoring into another cluster, which never had these classes.
    for (const name of [gone, `kubesnap-retain-${gone}`])
      await api.remove(classRef(name)).catch(() => undefined);
    await deleteNamespace(cluster, namespace);

    const run = await restore(`${namespace}-r`, `${namespace}-b`);
    expect(run.errors).toEqual([]);
    expect(run.record.status.phase).toBe("Completed");
    const restored = await boundVolume(api, namespace, "data");
    expect(readFileSync(join(restored.dir, "kept.txt"), "utf8")).toBe("same bytes\n");
    await kubesnapOk("backup", "delete", `${namespace}-b`, "--confirm");
    await deleteNamespace(cluster, namespace);
  });
});

describe("volumes that are not snapshotted", () => {
  it("are reported as skipped with the reason: no snapshot class, the volume policy, not bound", async () => {
    const { home } = isolateCli(cluster);
    const namespace = uniqueName("csi-skip");
    await createNamespace(namespace);
    // A CSI volume of a driver that has no VolumeSnapshotClass.
    const pvName = `${namespace}-foreign`;
    await foreignClaim(api, { namespace, name: "foreign", pv: pvName, driver: "foreign.csi.example.com" });
    await api.create(
      claim(namespace, "scratch", { storageClassName: csiInfo(cluster).storageClass }, { tier: "scratch" }),
    );
    // No class by that name provisions it: it stays Pending.
    await api.create(claim(namespace, "pending", { storageClassName: "no-such-class" }));
    await boundVolume(api, namespace, "scratch");
    const policy = join(home, "policy.yaml");
    writeFileSync(
      policy,
      "version: v1\nvolumePolicies:\n  - conditions: { pvcLabels: { tier: scratch } }\n    action: { type: skip }\n",
    );

    const out = await kubesnapOk(
      "backup",
      "create",
      `${namespace}-backup`,
      "--include-namespaces",
      namespace,
      "--volume-policy",
      policy,
      "-o",
      "json",
    );
    const record = JSON.parse(out.stdout) as BackupRecord;
    expect(record.status).toMatchObject({ phase: "Completed", errors: 0, warnings: 2 });
    expect(record.volumes).toEqual([
      {
        kind: "skipped",
        namespace,
        pvc: "foreign",
        volumeName: pvName,
        reason: expect.stringContaining(
          "CSI driver foreign.csi.example.com has no VolumeSnapshotClass labelled kubesnap.io/default=true",
        ),
      },
      {
        kind: "skipped",
        namespace,
        pvc: "pending",
        reason: "the PVC is not bound to a volume: there is no data to snapshot",
      },
      {
        kind: "skipped",
        namespace,
        pvc: "scratch",
        volumeName: expect.any(String),
        reason: "volume policy 1 chose skip",
      },
    ]);
    const logs = (await kubesnapOk("backup", "logs", `${namespace}-backup`)).stdout;
    expect(logs).toContain("volume data not backed up");
    await kubesnapOk("backup", "delete", `${namespace}-backup`, "--confirm");
    await deleteNamespace(cluster, namespace);
    await api.remove({ apiVersion: "v1", kind: "PersistentVolume", name: pvName });
  });
});

describe("CSI snapshots in server mode", () => {
  it("snapshots a Backup object's PVC and deletes the snapshot when the backup expires", async () => {
    const server = await startServer(cluster, testEnv().s3, { prefix: uniqueName("csi-server") });
    try {
      const namespace = uniqueName("csi-served");
      await createNamespace(namespace);
      await api.create(claim(namespace, "data", { storageClassName: csiInfo(cluster).storageClass }));
      await boundVolume(api, namespace, "data");
      await createKubesnap(server.client, server.namespace, "backups", {
        kind: "Backup",
        metadata: { name: namespace },
        spec: {
          includedNamespaces: [namespace],
          ttl: "20s",
          snapshotVolumes: true,
          itemOperationTimeout: "2m",
        },
      });
      const phase = async () =>
        (
          (await getKubesnap(server.client, server.namespace, "backups", namespace))?.status as {
            phase?: string;
          }
        )?.phase;
      expect(
        await eventually("the Backup to finish", async () => {
          const now = await phase();
          return now === "Completed" || now === "PartiallyFailed" || now === "Failed" ? now : undefined;
        }),
      ).toBe("Completed");
      const contents = await api.list(
        { apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent" },
        `kubesnap.io/backup-name=${namespace}`,
      );
      expect(contents).toHaveLength(1);
      const content = contents[0]!;
      const handle = (content.status as { snapshotHandle?: string } | undefined)?.snapshotHandle ?? "";
      expect(existsSync(join(csiInfo(cluster).stateDir, "snapshots", handle))).toBe(true);

      await eventually(
        "the expired Backup to be deleted",
        async () =>
          (await getKubesnap(server.client, server.namespace, "backups", namespace)) ? undefined : true,
        120_000,
      );
      expect(
        await api.find({
          apiVersion: SNAPSHOT_API,
          kind: "VolumeSnapshotContent",
          name: content.metadata.name,
        }),
      ).toBeUndefined();
      expect(existsSync(join(csiInfo(cluster).stateDir, "snapshots", handle))).toBe(false);
      await deleteNamespace(cluster, namespace);
    } finally {
      await server.stop();
    }
  });
});
