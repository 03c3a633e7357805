import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { parseAllDocuments } from "yaml";
import type { KubeClient } from "../src/cluster/client.js";
import { connect } from "../src/cluster/connect.js";
import { isKubesnapError } from "../src/core/errors.js";
import type { KubeObject } from "../src/core/kube-types.js";
import { type Binaries, binary } from "./build.js";
import type { CsiInfo } from "./env-info.js";
import { probe } from "./http.js";
import { repoRoot } from "./paths.js";
import { type Service, sleep, startService } from "./process.js";

const run = promisify(execFile);

export const CSI_DRIVER = "hostpath.csi.kubesnap.io";
const STORAGE_CLASS = "csi-hostpath";
const SNAPSHOT_CLASS = "csi-hostpath-snapclass";
/** The module that ships the VolumeSnapshot CRDs the snapshot controller was built against. */
const CRD_MODULE = "github.com/kubernetes-csi/external-snapshotter/client/v8";

/**
 * A CSI stack for one cluster, as processes without a kubelet: the VolumeSnapshot CRDs, the
 * snapshot controller, our hostpath driver on a unix socket with the csi-provisioner and
 * csi-snapshotter sidecars beside it, a StorageClass and a VolumeSnapshotClass labelled
 * kubesnap.io/default. Volumes are provisioned and snapshotted for real (as directories under
 * stateDir); nothing is ever mounted, so tests read and write those directories directly.
 */
export async function startCsi(opts: {
  readonly clusterDir: string;
  readonly logDir: string;
  readonly name: string;
  readonly kubeconfig: string;
  readonly tools: {
    readonly snapshotter: Binaries;
    readonly provisioner: Binaries;
    readonly hostpath: Binaries;
  };
  readonly services: Service[];
}): Promise<CsiInfo> {
  const { clusterDir, logDir, name, kubeconfig, tools, services } = opts;
  const client = await connect({ kubeconfig });
  try {
    await installCrds(client);
    const stateDir = join(clusterDir, "csi");
    await mkdir(stateDir, { recursive: true });
    // Unix socket paths are limited to 107 bytes; the cluster directory is short enough for tests.
    const socket = join(clusterDir, "csi.sock");
    const driver = await startService(
      {
        name: `${name}-csi-hostpath`,
        ports: 0,
        command: binary(tools.hostpath, "csi-hostpath"),
        args: () => ["--endpoint", `unix://${socket}`, "--statedir", stateDir, "--drivername", CSI_DRIVER],
        ready: async () => existsSync(socket),
        describe: () => undefined,
      },
      { logDir },
    );
    services.push(driver.service);
    // The sidecars and the controller open no port of their own but metrics, which say they run.
    const sidecar = async (process: string, command: string, args: string[]) => {
      const started = await startService(
        {
          name: `${name}-${process}`,
          ports: 1,
          command,
          args: ([port]) => [...args, "--kubeconfig", kubeconfig, "--http-endpoint", `127.0.0.1:${port}`],
          ready: async ([port]) => (await probe(`http://127.0.0.1:${port}/metrics`)) === 200,
          describe: () => undefined,
        },
        { logDir },
      );
      services.push(started.service);
    };
    const csiAddress = ["--csi-address", socket];
    await Promise.all([
      sidecar("snapshot-controller", binary(tools.snapshotter, "snapshot-controller"), []),
      sidecar("csi-snapshotter", binary(tools.snapshotter, "csi-snapshotter"), csiAddress),
      sidecar("csi-provisioner", binary(tools.provisioner, "csi-provisioner"), csiAddress),
      createClasses(client),
    ]);
    return { driver: CSI_DRIVER, storageClass: STORAGE_CLASS, snapshotClass: SNAPSHOT_CLASS, stateDir };
  } finally {
    client.close();
  }
}

/** The CRD YAMLs from the Go module cache (the build downloaded the module), all six of them. */
async function crdDocuments(): Promise<KubeObject[]> {
  const { stdout } = await run("go", ["mod", "download", "-json", CRD_MODULE], {
    cwd: join(repoRoot(), "testenv", "go", "snapshotter"),
    env: { ...process.env, GOFLAGS: "-mod=readonly" },
  });
  const dir = join((JSON.parse(stdout) as { Dir: string }).Dir, "config", "crd");
  // The group-snapshot CRDs too: without them both snapshot processes wait 30 s for them at start.
  const files = [
    "snapshot.storage.k8s.io_volumesnapshotclasses.yaml",
    "snapshot.storage.k8s.io_volumesnapshotcontents.yaml",
    "snapshot.storage.k8s.io_volumesnapshots.yaml",
    "groupsnapshot.storage.k8s.io_volumegroupsnapshotclasses.yaml",
    "groupsnapshot.storage.k8s.io_volumegroupsnapshotcontents.yaml",
    "groupsnapshot.storage.k8s.io_volumegroupsnapshots.yaml",
  ];
  const texts = await Promise.all(files.map((file) => readFile(join(dir, file), "utf8")));
  return texts.flatMap((text) =>
    parseAllDocuments(text)
      .map((doc) => doc.toJS() as KubeObject | null)
      .filter((doc): doc is KubeObject => doc !== null),
  );
}

async function installCrds(client: KubeClient): Promise<void> {
  const crds = await crdDocuments();
  const path = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
  for (const crd of crds) await createOnce(client, path, crd);
  // The snapshot controller exits when the CRDs are not served yet.
  const deadline = Date.now() + 30_000;
  for (const crd of crds) {
    for (;;) {
      const live = await client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `${path}/${crd.metadata.name}`,
      );
      if (live.status?.conditions?.some((c) => c.type === "Established" && c.status === "True")) break;
      if (Date.now() > deadline) throw new Error(`testenv: CRD ${crd.metadata.name} not Established in 30 s`);
      await sleep(100);
    }
  }
}

async function createClasses(client: KubeClient): Promise<void> {
  await createOnce(client, "/apis/storage.k8s.io/v1/storageclasses", {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: STORAGE_CLASS },
    provisioner: CSI_DRIVER,
    reclaimPolicy: "Delete",
    // No scheduler and no nodes: a claim must be provisioned without waiting for a pod.
    volumeBindingMode: "Immediate",
  });
  await createOnce(client, "/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses", {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name: SNAPSHOT_CLASS, labels: { "kubesnap.io/default": "true" } },
    driver: CSI_DRIVER,
    deletionPolicy: "Delete",
  });
}

/** Creates an object; one left by an earlier start of the same environment is fine. */
async function createOnce(client: KubeClient, path: string, object: KubeObject): Promise<void> {
  try {
    await client.request({ method: "POST", path, body: JSON.stringify(object) });
  } catch (err) {
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
  }
}
