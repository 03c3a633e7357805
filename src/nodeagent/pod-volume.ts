/**
 * The node agent's look at one pod volume: the pod as the API server has it now (still
 * the same pod, on this node?), and the volume's directory under the kubelet's root.
 */
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import { findVolumeDir, podVolume } from "./volume-path.js";

const PODS: ResourceType = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };
const CLAIMS: ResourceType = {
  group: "",
  version: "v1",
  resource: "persistentvolumeclaims",
  kind: "PersistentVolumeClaim",
  namespaced: true,
};

export interface PodRef {
  readonly namespace: string;
  readonly name: string;
  readonly uid: string;
}

/** The pod, or undefined when it is gone or was replaced by another of the same name. */
export async function readPod(client: KubeClient, ref: PodRef): Promise<KubeObject | undefined> {
  try {
    const pod = await client.get<KubeObject>(
      resourcePath(PODS, { namespace: ref.namespace, name: ref.name }),
    );
    return pod.metadata.uid === ref.uid ? pod : undefined;
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}

export function nodeOf(pod: KubeObject): string | undefined {
  return (pod.spec as { nodeName?: string } | undefined)?.nodeName;
}

/**
 * The directory of the pod's volume, or undefined while the kubelet has not made it yet.
 * The kubelet names it after the volume, or for a PVC after the PersistentVolume bound to
 * the claim. Throws when the volume cannot be there at all (no such volume, an unbound claim).
 */
export async function volumeDir(
  client: KubeClient,
  where: { pod: KubeObject; volume: string; kubeletRoot: string },
): Promise<string | undefined> {
  const { pod, volume } = where;
  const source = podVolume(pod, volume);
  if (!source) throw new KubesnapError("InvalidInput", `the pod has no volume "${volume}"`);
  let dirName = volume;
  if (source.claim) {
    const pvc = await client.get<KubeObject>(
      resourcePath(CLAIMS, { namespace: pod.metadata.namespace, name: source.claim }),
    );
    const bound = (pvc.spec as { volumeName?: string } | undefined)?.volumeName;
    if (!bound) {
      throw new KubesnapError(
        "InvalidInput",
        `its PersistentVolumeClaim ${source.claim} is not bound to a volume`,
      );
    }
    dirName = bound;
  }
  return findVolumeDir(where.kubeletRoot, pod.metadata.uid ?? "", dirName);
}
