import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BackupRecord } from "../../src/backup/record.js";
import { Repository } from "../../src/repository/index.js";
import { S3Storage } from "../../src/storage/index.js";
import type { FsBackupVolume } from "../../src/volumes/record.js";
import { testEnv } from "../context.js";
import { uniqueName } from "../kube.js";
import { Api } from "../restore/api.js";
import { createKubesnap, type RunningServer, startServer } from "../server/harness.js";
import {
  boundPod,
  createNode,
  finished,
  type NodeAgentProcess,
  podVolumeObjects,
  removeNamespaceByForce,
  startNodeAgent,
} from "./fs-env.js";

/** A volume policy's fs-backup choice reaches the node agent: no pod annotation is needed. */
describe("file-system backup chosen by a volume policy", () => {
  const env = testEnv();
  const cluster = env.clusters[0]!;
  const api = new Api(cluster);
  const namespace = uniqueName("fsb-policy");
  const node = uniqueName("fsb-policy-node");
  const prefix = uniqueName("fsb-policy");
  const pv = uniqueName("pv-files");
  let work = "";
  let server: RunningServer;
  let agent: NodeAgentProcess;

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "kubesnap-fsb-policy-"));
    server = await startServer(cluster, env.s3, { prefix });
    await createNode(api, node);
    agent = startNodeAgent({
      kubeconfig: cluster.kubeconfig,
      namespace: server.namespace,
      nodeName: node,
      kubeletRoot: join(work, "kubelet"),
    });
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    // A claim bound to a (pre-provisioned) CSI volume of the class the policy names.
    await api.create({
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: pv },
      spec: {
        storageClassName: "shared-nfs",
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        csi: { driver: "nfs.csi.example", volumeHandle: pv },
        claimRef: { namespace, name: "files" },
      },
    });
    await api.create({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "files", namespace },
      spec: {
        storageClassName: "shared-nfs",
        volumeName: pv,
        accessModes: ["ReadWriteOnce"],
        resources: { requests: { storage: "1Gi" } },
      },
    });
    // A pod of the claim, with no backup annotation; its volume is "data".
    const pod = boundPod({ namespace, name: "web", node, volumes: [] });
    const spec = pod.spec as { volumes: unknown[]; containers: { volumeMounts: unknown[] }[] };
    spec.volumes.push({ name: "data", persistentVolumeClaim: { claimName: "files" } });
    spec.containers[0]?.volumeMounts.push({ name: "data", mountPath: "/data" });
    const created = await api.create(pod);
    // Where the kubelet mounts a CSI volume for the pod.
    const dir = join(
      work,
      "kubelet",
      "pods",
      created.metadata.uid ?? "",
      "volumes",
      "kubernetes.io~csi",
      pv,
      "mount",
    );
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "report.txt"), "chosen by policy\n");
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    await removeNamespaceByForce(api, namespace);
    await api.remove({ apiVersion: "v1", kind: "Node", name: node }).catch(() => undefined);
    await api.remove({ apiVersion: "v1", kind: "PersistentVolume", name: pv }).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  it("copies the claim's volume from the pod that mounts it", async () => {
    await createKubesnap(server.client, server.namespace, "backups", {
      kind: "Backup",
      metadata: { name: "by-policy" },
      spec: {
        includedNamespaces: [namespace],
        volumePolicies: [{ conditions: { storageClass: ["shared-nfs"] }, action: { type: "fs-backup" } }],
      },
    });
    const backup = await finished(server.client, server.namespace, "backups", "by-policy");
    const [seen] = await podVolumeObjects(server.client, server.namespace, "podvolumebackups", "by-policy");
    expect(backup.status?.phase, JSON.stringify([backup.status, seen?.status])).toBe("Completed");
    const [pvb] = await podVolumeObjects(server.client, server.namespace, "podvolumebackups", "by-policy");
    expect(pvb?.spec).toMatchObject({ volume: "data", pod: { name: "web", namespace } });
    expect(pvb?.status?.phase).toBe("Completed");

    const repository = await Repository.open(
      new S3Storage({
        bucket: env.s3.bucket,
        prefix,
        region: env.s3.region,
        s3Url: env.s3.endpoint,
        s3ForcePathStyle: true,
        credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
      }),
    );
    const record = (await repository.readManifest("by-policy")).body as BackupRecord;
    const copied = (record.volumes ?? []).filter((v): v is FsBackupVolume => v.kind === "fs-backup");
    expect(copied.map((v) => v.pvc)).toEqual(["files"]);
    // Copied, so not also snapshotted or reported as skipped.
    expect((record.volumes ?? []).filter((v) => v.kind !== "fs-backup")).toEqual([]);
  });
});
