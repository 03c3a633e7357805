/**
 * Where the kubelet mounts a pod's volume: <kubelet root>/pods/<pod uid>/volumes/<plugin>/<name>,
 * where the plugin directory is the volume's type ("kubernetes.io~empty-dir",
 * "kubernetes.io~nfs", "kubernetes.io~csi", …) and the name is the volume's name in the pod
 * (for a PVC, the name of its PersistentVolume). A CSI volume's files are one level down,
 * in "mount". The node agent finds the plugin directory by looking, as Velero does, since
 * the plugin name depends on the volume's source and driver.
 */
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";

export const DEFAULT_KUBELET_ROOT = "/var/lib/kubelet";
const CSI_PLUGIN = "kubernetes.io~csi";

/** The pod's directory of volumes under the kubelet's root. */
export function podVolumesDir(kubeletRoot: string, podUid: string): string {
  return join(kubeletRoot, "pods", podUid, "volumes");
}

/** A pod volume as the node agent needs it: its name, and its claim when it is a PVC. */
export function podVolume(pod: KubeObject, volume: string): { claim?: string } | undefined {
  const volumes = (
    pod.spec as { volumes?: { name: string; persistentVolumeClaim?: { claimName?: string } }[] }
  )?.volumes;
  const source = volumes?.find((v) => v.name === volume);
  if (!source) return undefined;
  const claim = source.persistentVolumeClaim?.claimName;
  return claim ? { claim } : {};
}

/**
 * Finds the volume's directory, or undefined while the kubelet has not made it (a pod that
 * is not running yet). Names the path it looked in when the pod's directory is there but
 * the volume is not.
 */
export async function findVolumeDir(
  kubeletRoot: string,
  podUid: string,
  dirName: string,
): Promise<string | undefined> {
  const base = podVolumesDir(kubeletRoot, podUid);
  let plugins: string[];
  try {
    plugins = await readdir(base);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  for (const plugin of plugins.sort()) {
    const dir = join(base, plugin, dirName);
    const found = await stat(dir).catch(() => undefined);
    if (!found?.isDirectory()) continue;
    return plugin === CSI_PLUGIN ? join(dir, "mount") : dir;
  }
  return undefined;
}

/** The error for a volume whose directory is not where the kubelet would put it. */
export function volumeDirMissing(kubeletRoot: string, podUid: string, dirName: string): KubesnapError {
  return new KubesnapError(
    "NotFound",
    `the volume's directory is not under ${podVolumesDir(kubeletRoot, podUid)}/*/${dirName}`,
    {
      hint: "check the node agent's --kubelet-root (the kubelet's --root-dir) and that the pod runs on this node",
    },
  );
}
