/**
 * What the CSI snapshot tests share: the CSI stack testenv started on the first cluster
 * (testenv/csi.ts), claims, and volumes of a driver no CSI stack serves.
 */
import { join } from "node:path";
import type { ClusterInfo, CsiInfo } from "../../testenv/env-info.js";
import { eventually } from "../kube.js";
import type { Api, Obj } from "../restore/api.js";

export const SNAPSHOT_API = "snapshot.storage.k8s.io/v1";

export function csiInfo(cluster: ClusterInfo): CsiInfo {
  if (!cluster.csi) {
    throw new Error("the test environment has no CSI stack: start it with `npm run testenv -- up DIR --csi`");
  }
  return cluster.csi;
}

export function claim(namespace: string, name: string, spec: Record<string, unknown>, labels = {}): Obj {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace, labels },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Mi" } }, ...spec },
  };
}

/** The claim once bound, and the directory the hostpath driver keeps its volume in. */
export async function boundVolume(
  api: Api,
  namespace: string,
  name: string,
): Promise<{ pv: string; dir: string }> {
  const bound = await eventually(`PVC ${namespace}/${name} to be Bound`, async () => {
    const pvc = await api.read({ apiVersion: "v1", kind: "PersistentVolumeClaim", namespace, name });
    return (pvc.status as { phase?: string } | undefined)?.phase === "Bound" ? pvc : undefined;
  });
  const pv = (bound.spec as { volumeName: string }).volumeName;
  const volume = await api.read({ apiVersion: "v1", kind: "PersistentVolume", name: pv });
  const handle = (volume.spec as { csi: { volumeHandle: string } }).csi.volumeHandle;
  return { pv, dir: join(csiInfo(api.cluster).stateDir, "volumes", handle) };
}

/**
 * A claim bound by hand to a CSI volume of `driver`, which nothing provisions or snapshots:
 * the PV (named `pv`, Retain) is the caller's to delete.
 */
export async function foreignClaim(
  api: Api,
  options: { namespace: string; name: string; pv: string; driver: string },
): Promise<void> {
  const { namespace, name, pv, driver } = options;
  await api.create({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name: pv },
    spec: {
      capacity: { storage: "1Mi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Retain",
      storageClassName: "",
      csi: { driver, volumeHandle: "vol-1" },
      claimRef: { namespace, name },
    },
  });
  await api.create(claim(namespace, name, { storageClassName: "", volumeName: pv }));
  await boundVolume(api, namespace, name);
}
