/**
 * The server's file-system step against a real API server: the PodVolumeBackups it hands to
 * node agents, its wait for them, and what it records. No node agent runs: the test writes
 * each PodVolumeBackup's status through the API as an agent would, or leaves it unanswered
 * for the timeout (a parameter: a second or two here) to pass. (test/volumes/fs.test.ts runs
 * real node agents.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup, PodVolumeBackup, PodVolumeBackupStatus } from "../../src/api/index.js";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import type { KubeObject, ResourceType } from "../../src/core/kube-types.js";
import { RunLog } from "../../src/report/log.js";
import { Results } from "../../src/report/results.js";
import { serverPodVolumeStep } from "../../src/server/pod-volume-backups.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api, type Obj } from "../restore/api.js";
import { boundPod, createNode, podVolumeObjects } from "../volumes/fs-env.js";
import { deleteNamespace } from "../workloads.js";
import { kubesnapNamespace } from "./harness.js";

const cluster = testEnv().clusters[0]!;
const api = new Api(cluster);
const PODS: ResourceType = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };

describe("the server's file-system step", () => {
  let client: KubeClient;
  /** The server's namespace: Backups and PodVolumeBackups. */
  let namespace: string;
  const shop = uniqueName("shop");
  /** A Node object, so that pods may be bound to it; no node agent runs for it. */
  const node = uniqueName("pvb-node");

  beforeAll(async () => {
    client = await connect({ kubeconfig: cluster.kubeconfig });
    namespace = await kubesnapNamespace(client, "pvb-step");
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: shop } });
    await createNode(api, node);
  });
  afterAll(async () => {
    // No kubelet ever confirms a pod's deletion here: forced, so that the namespace can go.
    await api.send("DELETE", `/api/v1/namespaces/${shop}/pods?gracePeriodSeconds=0`).catch(() => undefined);
    await deleteNamespace(cluster, shop);
    if (namespace) await deleteNamespace(cluster, namespace);
    await api.remove({ apiVersion: "v1", kind: "Node", name: node });
    client?.close();
  });

  /** A Backup object, as the server's backup is run for one: the PodVolumeBackups' owner. */
  async function backupObject(): Promise<Backup> {
    return client.request<Backup>({
      method: "POST",
      path: `/apis/kubesnap.io/v1/namespaces/${namespace}/backups`,
      body: JSON.stringify({
        apiVersion: "kubesnap.io/v1",
        kind: "Backup",
        metadata: { name: uniqueName("nightly") },
        spec: { includedNamespaces: [shop] },
      }),
    });
  }

  /** A pod as the API server keeps it (its UID names its volumes' directory on the node). */
  async function pod(name: string, volumes: string[], options: { bound: boolean; annotated: boolean }) {
    const object = boundPod({
      namespace: shop,
      name,
      node,
      volumes,
      ...(options.annotated
        ? { annotations: { "backup.kubesnap.io/backup-volumes": volumes.join(",") } }
        : {}),
    });
    // Not scheduled: testenv runs no scheduler, so it stays Pending.
    if (!options.bound) delete (object.spec as { nodeName?: string }).nodeName;
    return (await api.create(object)) as Obj & KubeObject;
  }

  function step(backup: Backup, options: { timeoutMs: number; defaultVolumesToFsBackup: boolean }) {
    return serverPodVolumeStep({
      client,
      namespace,
      backup,
      storageLocation: "default",
      retainUntil: new Date("2027-01-01T00:00:00Z"),
      pollMs: 100,
      ...options,
    });
  }

  /** What the node agent writes when it has copied a volume. */
  const finish = (pvb: KubeObject, status: PodVolumeBackupStatus) =>
    client.request({
      method: "PATCH",
      path: `/apis/kubesnap.io/v1/namespaces/${namespace}/podvolumebackups/${pvb.metadata.name}/status`,
      body: JSON.stringify({ status }),
      contentType: "application/merge-patch+json",
    });

  const pvbsOf = async (backup: Backup) =>
    (await podVolumeObjects(
      client,
      namespace,
      "podvolumebackups",
      backup.metadata.name,
    )) as unknown as PodVolumeBackup[];

  it("hands each chosen volume to its node's agent, waits for it, and records how it went", async () => {
    const backup = await backupObject();
    const web = await pod("web", ["data", "logs"], { bound: true, annotated: true });
    const pending = await pod("pending", ["cache"], { bound: false, annotated: true });
    const fsStep = step(backup, { timeoutMs: 60_000, defaultVolumesToFsBackup: false });
    fsStep.noteItem(web, PODS);
    fsStep.noteItem(pending, PODS);
    const results = new Results();
    let settled = false;
    const running = fsStep.run({ results, log: new RunLog(() => new Date()) });
    const done = () => {
      settled = true;
    };
    running.then(done, done);

    const handed = await eventually("two PodVolumeBackups", async () => {
      const pvbs = await pvbsOf(backup);
      return pvbs.length === 2 ? pvbs : undefined;
    });
    const byVolume = (volume: string) => handed.find((p) => p.spec.volume === volume)!;
    const uid = web.metadata.uid;
    expect(handed.map((p) => [p.spec.volume, p.spec.node, p.spec.snapshotName]).sort()).toEqual([
      ["data", node, `${backup.metadata.name}_fs_${uid}_data`],
      ["logs", node, `${backup.metadata.name}_fs_${uid}_logs`],
    ]);
    expect(handed[0]?.metadata.ownerReferences?.[0]).toMatchObject({
      kind: "Backup",
      uid: backup.metadata.uid,
    });
    expect(handed[0]?.metadata.labels).toMatchObject({ "kubesnap.io/pod-uid": uid });

    await finish(byVolume("data"), { phase: "Completed", files: 3, bytes: 30, errorCount: 0 });
    // One of two finished: still waiting for the other.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    await finish(byVolume("logs"), {
      phase: "PartiallyFailed",
      files: 1,
      bytes: 5,
      errorCount: 1,
      errors: ["/app.log: EACCES: permission denied"],
    });
    const records = await running;

    expect(records.map((r) => [r.volume, r.phase, r.files, r.errors])).toEqual([
      ["data", "Completed", 3, 0],
      ["logs", "PartiallyFailed", 1, 1],
    ]);
    expect(results.toJSON().errors.namespaces[shop]).toEqual([
      expect.stringMatching(/pending.*volumes cache cannot be copied: the pod is not scheduled to a node/),
      expect.stringMatching(
        new RegExp(`web.*volume logs on node ${node}: 1 paths could not be copied: /app.log: EACCES`),
      ),
    ]);
  });

  it("gives up after the timeout, marking what no agent finished as Failed", async () => {
    const backup = await backupObject();
    const idle = await pod("idle", ["data"], { bound: true, annotated: false });
    const fsStep = step(backup, { timeoutMs: 1_500, defaultVolumesToFsBackup: true });
    fsStep.noteItem(idle, PODS);
    const results = new Results();
    const started = performance.now();
    const [record, ...more] = await fsStep.run({ results, log: new RunLog(() => new Date()) });
    const ms = performance.now() - started;

    expect(more).toEqual([]);
    expect(record).toMatchObject({ volume: "data", phase: "Failed" });
    expect(record?.message).toMatch(/no node agent finished it within --fs-backup-timeout \(1\.5s\)/);
    expect(results.errors).toBe(1);
    expect(ms).toBeGreaterThanOrEqual(1_500);
    expect(ms).toBeLessThan(3_000);
    // Failed on the API server too, so that an agent that starts later leaves it alone.
    const [stored] = await pvbsOf(backup);
    expect(stored?.status).toMatchObject({ phase: "Failed", message: record?.message });
  });
});
