import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { ensureTool } from "./build.js";
import { startCluster } from "./cluster.js";
import { startCsi } from "./csi.js";
import type { ClusterInfo, CsiInfo, EnvInfo } from "./env-info.js";
import type { Service } from "./process.js";
import { startAzurite, startFakeGcs, startMinio } from "./stores.js";

export interface Environment {
  readonly info: EnvInfo;
  /** Pids of every server, for `down` and the test that proves nothing is left behind. */
  readonly pids: readonly number[];
  stop(): Promise<void>;
}

/**
 * Starts N clusters and one of each object store on loopback, writes DIR/env.json and the
 * kubeconfigs, and returns once everything answers. If any part fails, what had started is
 * stopped before the error is thrown.
 */
export async function startEnvironment(
  dirArg: string,
  opts: {
    clusters?: number;
    /** Also start a CSI stack (testenv/csi.ts) for the first cluster. */
    csi?: boolean;
    log?: (line: string) => void;
  } = {},
): Promise<Environment> {
  const dir = resolve(dirArg);
  const log = opts.log ?? console.error;
  const logDir = join(dir, "logs");
  await mkdir(logDir, { recursive: true });
  const services: Service[] = [];
  const stop = async () => {
    await Promise.all(
      services
        .splice(0)
        .reverse()
        .map((service) => service.stop()),
    );
  };
  try {
    // One build at a time: each Go build already uses every core.
    const kube = await ensureTool("kube", log);
    const etcd = await ensureTool("etcd", log);
    const minio = await ensureTool("minio", log);
    const gcs = await ensureTool("fakegcs", log);
    const csiTools = opts.csi
      ? {
          snapshotter: await ensureTool("snapshotter", log),
          provisioner: await ensureTool("provisioner", log),
          hostpath: await ensureTool("hostpath", log),
        }
      : undefined;
    const started = Date.now();
    const clusterCount = opts.clusters ?? 1;
    const storeOptions = { dir, logDir, services };
    const [clusters, s3, gcsInfo, azure] = await Promise.all([
      Promise.all(
        Array.from(
          { length: clusterCount },
          (_, i): Promise<ClusterInfo> => startCluster({ dir, logDir, index: i + 1, kube, etcd, services }),
        ),
      ),
      startMinio(minio, storeOptions),
      startFakeGcs(gcs, storeOptions),
      startAzurite(storeOptions),
    ]);
    const csi =
      csiTools && clusters[0]
        ? await startCsiStack(clusters[0], { dir, logDir, csiTools, services, log })
        : undefined;
    const info: EnvInfo = {
      dir,
      clusters: clusters.map((cluster, i) => (i === 0 && csi ? { ...cluster, csi } : cluster)),
      s3,
      gcs: gcsInfo,
      azure,
    };
    await writeFile(join(dir, "env.json"), `${JSON.stringify(info, null, 2)}\n`, { mode: 0o600 });
    log(
      `testenv: up in ${((Date.now() - started) / 1000).toFixed(1)} s: ${clusterCount} cluster(s)${csiTools ? " (the first with CSI)" : ""}, MinIO, fake-gcs-server, Azurite; logs in ${logDir}`,
    );
    return { info, pids: services.map((s) => s.pid), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startCsiStack(
  cluster: ClusterInfo,
  opts: {
    dir: string;
    logDir: string;
    csiTools: Parameters<typeof startCsi>[0]["tools"];
    services: Service[];
    log: (line: string) => void;
  },
): Promise<CsiInfo> {
  const started = Date.now();
  const csi = await startCsi({
    clusterDir: join(opts.dir, "cluster-1"),
    logDir: opts.logDir,
    name: "cluster-1",
    kubeconfig: cluster.kubeconfig,
    tools: opts.csiTools,
    services: opts.services,
  });
  opts.log(`testenv: CSI stack (${csi.driver}) up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return csi;
}
