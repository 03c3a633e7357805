import { execFileSync } from "node:child_process";
import { chmod, copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomBytes } from "../../src/volumes/fs/testing.test-helper.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api } from "../restore/api.js";
import { createKubesnap, type RunningServer, startServer } from "../server/harness.js";
import {
  bindPod,
  boundPod,
  createNode,
  finished,
  kubeletVolumeDir,
  type NodeAgentProcess,
  podVolumeObjects,
  removeNamespaceByForce,
  startNodeAgent,
} from "./fs-env.js";

const NOBODY = 65534;

/** Tries a tmpfs mount (root in a container may lack CAP_SYS_ADMIN); true when it worked. */
function mountTmpfs(dir: string, bytes: number): boolean {
  try {
    execFileSync("mount", ["-t", "tmpfs", "-o", `size=${bytes}`, "tmpfs", dir], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/**
 * What goes wrong with volumes, and what it makes of a backup or restore: each error names
 * the pod, the volume and the path, and the run ends PartiallyFailed, never Completed.
 */
describe("file-system backup of volumes that cannot be read or written", () => {
  const env = testEnv();
  const cluster = env.clusters[0]!;
  const api = new Api(cluster);
  const namespace = uniqueName("fsb-bad");
  const nodes = { root: uniqueName("fsb-root"), nobody: uniqueName("fsb-nobody") };
  let work: string;
  let server: RunningServer;
  let agents: NodeAgentProcess[] = [];
  const mounts: string[] = [];

  const runBackup = async (name: string) => {
    await createKubesnap(server.client, server.namespace, "backups", {
      kind: "Backup",
      metadata: { name },
      spec: { includedNamespaces: [namespace] },
    });
    const done = await finished(server.client, server.namespace, "backups", name);
    const pvbs = await podVolumeObjects(server.client, server.namespace, "podvolumebackups", name);
    return { done, pvbs };
  };
  const pod = async (name: string, node: string) => {
    const created = await api.create(
      boundPod({
        namespace,
        name,
        node,
        volumes: ["data"],
        annotations: { "backup.kubesnap.io/backup-volumes": "data" },
      }),
    );
    return created.metadata.uid ?? "";
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "kubesnap-fsb-bad-"));
    // The unprivileged agent must get through to its kubelet root and read its kubeconfig.
    await chmod(work, 0o755);
    const kubeconfig = join(work, "kubeconfig");
    await copyFile(cluster.kubeconfig, kubeconfig);
    await chmod(kubeconfig, 0o644);
    server = await startServer(cluster, env.s3, { prefix: uniqueName("fsb-bad") });
    for (const node of Object.values(nodes)) await createNode(api, node);
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    for (const [who, node] of Object.entries(nodes)) {
      const kubeletRoot = join(work, `kubelet-${who}`);
      await mkdir(kubeletRoot, { mode: 0o755 });
      agents.push(
        startNodeAgent({
          kubeconfig,
          namespace: server.namespace,
          nodeName: node,
          kubeletRoot,
          ...(who === "nobody" ? { uid: NOBODY } : {}),
        }),
      );
    }
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await server.stop();
    for (const dir of mounts) execFileSync("umount", [dir], { stdio: "ignore" });
    await removeNamespaceByForce(api, namespace);
    for (const node of Object.values(nodes)) {
      await api.remove({ apiVersion: "v1", kind: "Node", name: node }).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
    agents = [];
  });

  it("a volume whose directory is gone: Failed, naming pod, volume and path; the backup PartiallyFailed", async () => {
    const uid = await pod("vanished", nodes.root);
    const dir = await kubeletVolumeDir(join(work, "kubelet-root"), uid, "data");
    await rm(dir, { recursive: true });
    const { done, pvbs } = await runBackup(`${namespace}-vanished`);
    expect(done.status?.phase).toBe("PartiallyFailed");
    expect(pvbs.map((p) => p.status?.phase)).toEqual(["Failed"]);
    const message = String(pvbs[0]?.status?.message);
    expect(message).toContain(`volume data of pod ${namespace}/vanished on node ${nodes.root}`);
    expect(message).toContain(`${join(work, "kubelet-root", "pods", uid, "volumes")}/*/data`);
    await api.send("DELETE", `/api/v1/namespaces/${namespace}/pods/vanished?gracePeriodSeconds=0`);
  });

  it("unreadable files: PartiallyFailed, each path named; the rest is backed up", async () => {
    const uid = await pod("unreadable", nodes.nobody);
    const dir = await kubeletVolumeDir(join(work, "kubelet-nobody"), uid, "data");
    await chmod(join(work, "kubelet-nobody"), 0o755);
    execFileSync("chmod", ["-R", "a+rX", join(work, "kubelet-nobody")]);
    await writeFile(join(dir, "readable.txt"), "fine");
    await writeFile(join(dir, "secret.key"), "no", { mode: 0o600 });
    await mkdir(join(dir, "locked"), { mode: 0o700 });
    await writeFile(join(dir, "locked", "inside"), "x");
    const { done, pvbs } = await runBackup(`${namespace}-unreadable`);
    expect(done.status?.phase).toBe("PartiallyFailed");
    expect(pvbs[0]?.status).toMatchObject({ phase: "PartiallyFailed", errorCount: 2, files: 1 });
    expect(pvbs[0]?.status?.errors).toEqual([
      "/locked: EACCES: permission denied",
      "/secret.key: EACCES: permission denied",
    ]);
    expect(String(pvbs[0]?.status?.message)).toContain(`volume data of pod ${namespace}/unreadable`);
    await api.send("DELETE", `/api/v1/namespaces/${namespace}/pods/unreadable?gracePeriodSeconds=0`);
  });

  it("a full disk on restore: PartiallyFailed, naming pod, volume and path", async (ctx) => {
    const uid = await pod("source", nodes.root);
    const dir = await kubeletVolumeDir(join(work, "kubelet-root"), uid, "data");
    await writeFile(join(dir, "small.txt"), "fits");
    await writeFile(join(dir, "big.bin"), randomBytes(6 * 1024 * 1024, 1));
    const backupName = `${namespace}-full-disk`;
    const { done } = await runBackup(backupName);
    expect(done.status?.phase).toBe("Completed");

    const restored = `${namespace}-r`;
    const restoreName = `${namespace}-full-disk`;
    await createKubesnap(server.client, server.namespace, "restores", {
      kind: "Restore",
      metadata: { name: restoreName },
      spec: { backupName, includedNamespaces: [namespace], namespaceMapping: { [namespace]: restored } },
    });
    const copy = await eventually("the restored pod", () =>
      api.find({ apiVersion: "v1", kind: "Pod", namespace: restored, name: "source" }),
    );
    const target = await kubeletVolumeDir(join(work, "kubelet-root"), copy.metadata.uid ?? "", "data");
    const markers = await kubeletVolumeDir(
      join(work, "kubelet-root"),
      copy.metadata.uid ?? "",
      "kubesnap-restore-wait",
    );
    if (!mountTmpfs(target, 2 * 1024 * 1024)) {
      ctx.skip("this environment cannot mount a small tmpfs to fill");
    }
    mounts.push(target);
    await bindPod(api, { namespace: restored, name: "source" }, nodes.root);
    const restore = await finished(server.client, server.namespace, "restores", restoreName);
    expect(restore.status?.phase).toBe("PartiallyFailed");
    const [pvr] = await podVolumeObjects(server.client, server.namespace, "podvolumerestores", backupName);
    expect(pvr?.status).toMatchObject({ phase: "PartiallyFailed", errorCount: 1 });
    expect(pvr?.status?.errors).toEqual(["/big.bin: ENOSPC: no space left on device"]);
    expect(String(pvr?.status?.message)).toContain(`volume data of pod ${restored}/source`);
    // The init container's marker says why the pod should not start on this volume.
    expect(await readFile(join(markers, "data"), "utf8")).toMatch(
      /^failed: 1 paths of volume data of pod .*could not be restored/,
    );
    await api
      .send("DELETE", `/api/v1/namespaces/${restored}/pods/source?gracePeriodSeconds=0`)
      .catch(() => undefined);
    await api.remove({ apiVersion: "v1", kind: "Namespace", name: restored }).catch(() => undefined);
  });
});
