import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { OwnerReference } from "../../src/core/kube-types.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api, type Obj } from "../restore/api.js";
import { createKubesnap, type RunningServer, startServer } from "../server/harness.js";
import {
  bindPod,
  createNode,
  finished,
  kubeletVolumeDir,
  type NodeAgentProcess,
  podVolumeObjects,
  removeNamespaceByForce,
  startNodeAgent,
} from "./fs-env.js";

const owners = (pod: Obj) => (pod.metadata.ownerReferences ?? []) as OwnerReference[];

/**
 * The files of a Deployment's pod come back: the restored Deployment's ReplicaSet would make
 * a pod with empty volumes, so the restore brings the backed-up pod itself (before the
 * Deployment), and the new ReplicaSet adopts it instead of making another.
 */
describe("file-system backup of a pod a Deployment owns", () => {
  const env = testEnv();
  const cluster = env.clusters[0]!;
  const api = new Api(cluster);
  const namespace = uniqueName("fsb-owned");
  const restoredNamespace = `${namespace}-r`;
  const node = uniqueName("fsb-owned-node");
  const prefix = uniqueName("fsb-owned");
  let work = "";
  let kubeletRoot = "";
  let server: RunningServer;
  let agent: NodeAgentProcess;
  let original: Obj;

  const podsIn = (ns: string) => api.list({ apiVersion: "v1", kind: "Pod", namespace: ns });

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "kubesnap-fsb-owned-"));
    kubeletRoot = join(work, "kubelet");
    server = await startServer(cluster, env.s3, { prefix });
    await createNode(api, node);
    agent = startNodeAgent({
      kubeconfig: cluster.kubeconfig,
      namespace: server.namespace,
      nodeName: node,
      kubeletRoot,
    });
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    await api.create(deployment(namespace));
    // The controller manager makes the ReplicaSet and its pod; the test schedules it.
    original = await eventually("the Deployment's pod", async () => (await podsIn(namespace))[0]);
    const volume = await kubeletVolumeDir(kubeletRoot, original.metadata.uid ?? "", "data");
    await writeFile(join(volume, "ledger.txt"), "balance: 42\n");
    await bindPod(api, { namespace, name: original.metadata.name }, node);
  });

  afterAll(async () => {
    await agent?.stop();
    await server?.stop();
    for (const ns of [namespace, restoredNamespace]) await removeNamespaceByForce(api, ns);
    await api.remove({ apiVersion: "v1", kind: "Node", name: node }).catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  });

  it("restores the pod with its files, and the new ReplicaSet adopts it instead of making another", async () => {
    await createKubesnap(server.client, server.namespace, "backups", {
      kind: "Backup",
      metadata: { name: "owned" },
      spec: { includedNamespaces: [namespace] },
    });
    const backup = await finished(server.client, server.namespace, "backups", "owned");
    expect(backup.status?.phase).toBe("Completed");
    const [pvb] = await podVolumeObjects(server.client, server.namespace, "podvolumebackups", "owned");
    expect(pvb?.status?.phase).toBe("Completed");

    await createKubesnap(server.client, server.namespace, "restores", {
      kind: "Restore",
      metadata: { name: "owned-restore" },
      spec: {
        backupName: "owned",
        includedNamespaces: [namespace],
        namespaceMapping: { [namespace]: restoredNamespace },
      },
    });
    const pod = await eventually("the restored pod", () =>
      api.find({ apiVersion: "v1", kind: "Pod", namespace: restoredNamespace, name: original.metadata.name }),
    );
    const uid = pod.metadata.uid ?? "";
    const restoredVolume = await kubeletVolumeDir(kubeletRoot, uid, "data");
    const markers = await kubeletVolumeDir(kubeletRoot, uid, "kubesnap-restore-wait");
    await bindPod(api, { namespace: restoredNamespace, name: original.metadata.name }, node);
    const done = await finished(server.client, server.namespace, "restores", "owned-restore");
    expect(done.status).toMatchObject({ phase: "Completed", errors: 0 });
    expect(await readFile(join(restoredVolume, "ledger.txt"), "utf8")).toBe("balance: 42\n");
    expect(await readFile(join(markers, "data"), "utf8")).toBe("ok\n");

    // Same template, same pod-template-hash: the new ReplicaSet has the old one's name and takes the pod.
    const [sourceOwner] = owners(original);
    const adopted = await eventually("the new ReplicaSet to adopt the restored pod", async () => {
      const now = await api.find({
        apiVersion: "v1",
        kind: "Pod",
        namespace: restoredNamespace,
        name: original.metadata.name,
      });
      return now && owners(now).some((o) => o.controller) ? now : undefined;
    });
    expect(owners(adopted)).toEqual([
      expect.objectContaining({ kind: "ReplicaSet", name: sourceOwner?.name, controller: true }),
    ]);
    expect(owners(adopted)[0]?.uid).not.toBe(sourceOwner?.uid);
    // A surplus pod would be made (and the newest deleted) within the ReplicaSet's next sync.
    await sleep(3_000);
    expect((await podsIn(restoredNamespace)).map((p) => p.metadata.uid)).toEqual([uid]);
  });
});

/** One replica, whose "data" volume is chosen for file-system backup by the pod annotation. */
function deployment(namespace: string): Obj {
  const labels = { app: "ledger" };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace },
    spec: {
      replicas: 1,
      selector: { matchLabels: labels },
      template: {
        metadata: { labels, annotations: { "backup.kubesnap.io/backup-volumes": "data" } },
        spec: {
          tolerations: [{ operator: "Exists" }],
          containers: [
            {
              name: "app",
              image: "registry.k8s.io/pause:3.10",
              volumeMounts: [{ name: "data", mountPath: "/data" }],
            },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
        },
      },
    },
  };
}
