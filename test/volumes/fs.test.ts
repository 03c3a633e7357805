import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeOnePercent, type DataSet, makeDataSet } from "../../bench/fsb-data.js";
import type { BackupRecord } from "../../src/backup/record.js";
import { Repository } from "../../src/repository/index.js";
import { S3Storage } from "../../src/storage/index.js";
import { describeTree, expectSameTree } from "../../src/volumes/fs/testing.test-helper.js";
import type { FsBackupVolume } from "../../src/volumes/record.js";
import { kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api } from "../restore/api.js";
import { createKubesnap, getKubesnap, type RunningServer, startServer } from "../server/harness.js";
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

const GiB = 1024 * 1024 * 1024;

/**
 * File-system volume backup end to end: a pod's volume in cluster 1 (1 GiB: one large file,
 * 10,000 small files, a sparse file, symlinks), copied by the node agent of its node, and
 * restored by the node agent of cluster 2 into the restored pod's volume, through the
 * bucket the two clusters' servers share.
 */
describe("file-system volume backup", () => {
  const env = testEnv();
  const [first, second] = env.clusters;
  const source = new Api(first!);
  const target = new Api(second!);
  const prefix = uniqueName("fsb");
  const namespace = uniqueName("fsb");
  const nodes = [uniqueName("fsb-node-a"), uniqueName("fsb-node-b")];
  let work: string;
  let servers: RunningServer[] = [];
  let agents: NodeAgentProcess[] = [];
  let volume: string;
  let podUid: string;
  let set: DataSet;

  const repository = () =>
    Repository.open(
      new S3Storage({
        bucket: env.s3.bucket,
        prefix,
        region: env.s3.region,
        s3Url: env.s3.endpoint,
        s3ForcePathStyle: true,
        credentials: { accessKeyId: env.s3.accessKeyId, secretAccessKey: env.s3.secretAccessKey },
      }),
    );
  const agentOn = (i: number) =>
    startNodeAgent({
      kubeconfig: env.clusters[i]!.kubeconfig,
      namespace: servers[i]!.namespace,
      nodeName: nodes[i]!,
      kubeletRoot: join(work, `kubelet-${i}`),
    });
  const backup = async (name: string) => {
    const server = servers[0]!;
    await createKubesnap(server.client, server.namespace, "backups", {
      kind: "Backup",
      metadata: { name },
      spec: { includedNamespaces: [namespace] },
    });
    return name;
  };
  const pvbOf = async (backupName: string) => {
    const [pvb] = await podVolumeObjects(
      servers[0]!.client,
      servers[0]!.namespace,
      "podvolumebackups",
      backupName,
    );
    return pvb;
  };

  beforeAll(async () => {
    work = await mkdtemp(join(tmpdir(), "kubesnap-fsb-test-"));
    servers = [await startServer(first!, env.s3, { prefix }), await startServer(second!, env.s3, { prefix })];
    await createNode(source, nodes[0]!);
    await createNode(target, nodes[1]!);
    agents = [agentOn(0), agentOn(1)];
    await source.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    const pod = await source.create(
      boundPod({
        namespace,
        name: "files",
        node: nodes[0]!,
        volumes: ["data", "scratch"],
        annotations: { "backup.kubesnap.io/backup-volumes": "data" },
      }),
    );
    podUid = pod.metadata.uid ?? "";
    volume = await kubeletVolumeDir(join(work, "kubelet-0"), podUid, "data");
    await kubeletVolumeDir(join(work, "kubelet-0"), podUid, "scratch");
    set = await makeDataSet(join(volume, "set"), GiB);
  });

  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await Promise.all(servers.map((s) => s.stop()));
    for (const api of [source, target]) await removeNamespaceByForce(api, namespace);
    for (const [i, api] of [source, target].entries()) {
      await api.remove({ apiVersion: "v1", kind: "Node", name: nodes[i]! }).catch(() => undefined);
    }
    await rm(work, { recursive: true, force: true });
  });

  it("commits no snapshot when the node agent is killed mid-copy, and the backup ends PartiallyFailed", async () => {
    const name = await backup(`${namespace}-killed`);
    await eventually(
      "the node agent to report progress",
      async () => {
        const pvb = await pvbOf(name);
        const progress = pvb?.status?.progress as { bytesDone?: number } | undefined;
        return (progress?.bytesDone ?? 0) > 0 ? true : undefined;
      },
      120_000,
    );
    await agents[0]!.stop("SIGKILL");
    agents[0] = agentOn(0);
    const pvb = await finished(
      servers[0]!.client,
      servers[0]!.namespace,
      "podvolumebackups",
      (await pvbOf(name))!.metadata.name,
    );
    expect(pvb.status).toMatchObject({ phase: "Failed" });
    expect(String(pvb.status?.message)).toMatch(
      /stopped while copying volume data of pod .*\/files; nothing was committed/,
    );
    const done = await finished(servers[0]!.client, servers[0]!.namespace, "backups", name);
    expect(done.status?.phase).toBe("PartiallyFailed");
    const names = (await (await repository()).listSnapshots()).map((s) => s.name);
    expect(names).toContain(name);
    expect(names.filter((n) => n.startsWith(`${name}_fs_`))).toEqual([]);
  });

  let full: { bytesWritten: number };

  it("copies 1 GiB of mixed files through the node agent and records the volume in the backup", async () => {
    const name = await backup(`${namespace}-full`);
    const done = await finished(servers[0]!.client, servers[0]!.namespace, "backups", name);
    expect(done.status).toMatchObject({ phase: "Completed", errors: 0 });
    const pvb = (await pvbOf(name))!;
    expect(pvb.status).toMatchObject({ phase: "Completed", files: 10_002, bytes: set.bytes, errorCount: 0 });
    full = { bytesWritten: pvb.status?.bytesWritten as number };
    const record = (await (await repository()).readManifest(name)).body as BackupRecord;
    const copied = record.volumes?.filter((v): v is FsBackupVolume => v.kind === "fs-backup");
    expect(copied).toEqual([
      expect.objectContaining({
        namespace,
        pod: "files",
        podUid,
        volume: "data",
        node: nodes[0],
        snapshot: `${name}_fs_${podUid}_data`,
        phase: "Completed",
        files: 10_002,
        bytes: set.bytes,
      }),
    ]);
    // Only the annotated volume; and the pod volume snapshot is no backup of its own.
    const listed = await kubesnapOk(
      "-n",
      servers[0]!.namespace,
      "--kubeconfig",
      first!.kubeconfig,
      "backup",
      "describe",
      name,
      "--details",
    );
    expect(listed.stdout).toMatch(/Pod Volume Backups/);
    expect(listed.stdout).toMatch(
      new RegExp(`${namespace}/files data +Completed +${set.bytes} of ${set.bytes} bytes`),
    );
  });

  let incrementalName: string;

  it("writes under 3% of the first backup's bytes after 1% of the files changed", async () => {
    await changeOnePercent(join(volume, "set"), set);
    incrementalName = await backup(`${namespace}-incr`);
    const done = await finished(servers[0]!.client, servers[0]!.namespace, "backups", incrementalName);
    expect(done.status?.phase).toBe("Completed");
    const written = (await pvbOf(incrementalName))!.status?.bytesWritten as number;
    expect(written / full.bytesWritten).toBeLessThan(0.03);
  });

  it("restores into cluster 2 through the shared bucket, byte for byte, with modes, owners, times, links and holes", async () => {
    const server = servers[1]!;
    await eventually("the backup to be synced into cluster 2", async () =>
      (await getKubesnap(server.client, server.namespace, "backups", incrementalName)) ? true : undefined,
    );
    const restoreName = `${namespace}-restore`;
    await createKubesnap(server.client, server.namespace, "restores", {
      kind: "Restore",
      metadata: { name: restoreName },
      spec: { backupName: incrementalName, includedNamespaces: [namespace] },
    });
    const pod = await eventually("the restored pod", () =>
      target.find({ apiVersion: "v1", kind: "Pod", namespace, name: "files" }),
    );
    const init = (pod.spec as { initContainers?: { name: string; args: string[] }[] }).initContainers?.[0];
    expect(init?.name).toBe("kubesnap-restore-wait");
    // No scheduler or kubelet in the test clusters: the test binds the pod and makes its volume directory.
    const restoredVolume = await kubeletVolumeDir(join(work, "kubelet-1"), pod.metadata.uid ?? "", "data");
    const markers = await kubeletVolumeDir(
      join(work, "kubelet-1"),
      pod.metadata.uid ?? "",
      "kubesnap-restore-wait",
    );
    await bindPod(target, { namespace, name: "files" }, nodes[1]!);
    const done = await finished(server.client, server.namespace, "restores", restoreName, 600_000);
    expect(done.status).toMatchObject({ phase: "Completed", errors: 0 });
    expect(await readFile(join(markers, "data"), "utf8")).toBe("ok\n");
    expectSameTree(await describeTree(join(restoredVolume, "set")), await describeTree(join(volume, "set")));
    const sparse = (await describeTree(join(restoredVolume, "set"))).find((i) => i.path === "disk.img");
    expect(sparse?.allocated).toBeLessThan(8 * 1024 * 1024);
  });

  it("leaves the volume it was not asked for", async () => {
    const pvbs = await podVolumeObjects(
      servers[0]!.client,
      servers[0]!.namespace,
      "podvolumebackups",
      `${namespace}-full`,
    );
    expect(pvbs.map((p) => (p.spec as { volume: string }).volume)).toEqual(["data"]);
  });
});
