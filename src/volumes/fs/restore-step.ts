/**
 * The file-system step of a restore, as the restore engine sees it. A restored pod whose
 * volumes have file-system backups gets an init container that waits for them (pure,
 * withRestoreWait); once the pod exists, its volumes are handed to the node agents (server)
 * or reported as not restored (a local run, which cannot reach node agents, and adds no
 * init container, since nothing would ever let the pod start).
 */
import type { KubeObject } from "../../core/kube-types.js";
import type { FsBackupVolume, VolumeRecord } from "../record.js";
import type { PodVolumeRunContext } from "./pod-volume-step.js";

/** A pod as the backup had it (source) and as it is restored (target, with its new UID). */
export interface RestoredPod {
  readonly source: { readonly namespace: string; readonly name: string };
  readonly target: { readonly namespace: string; readonly name: string; readonly uid: string };
}

export interface PodVolumeRestoreStep {
  /** The pod to create: with the waiting init container when it has file-system volumes. Pure. */
  prepare(source: RestoredPod["source"], pod: KubeObject): KubeObject;
  /** The pod was created: its volumes' files are to be restored. */
  created(pod: RestoredPod): Promise<void>;
  /** After everything is created: waits for the volumes; problems go to results. */
  finish(ctx: PodVolumeRunContext): Promise<void>;
}

/** The init container a restore adds, and the emptyDir volume it waits in for the node agent's markers. */
export const RESTORE_WAIT = "kubesnap-restore-wait";
/** Where the init container mounts that volume. */
export const RESTORE_WAIT_MOUNT = "/kubesnap-restore";

/** The backup's file-system volumes, by source pod ("namespace/name"). */
export function fsVolumesByPod(volumes: readonly VolumeRecord[] | undefined): Map<string, FsBackupVolume[]> {
  const byPod = new Map<string, FsBackupVolume[]>();
  for (const record of volumes ?? []) {
    // A volume that failed has no snapshot to restore from.
    if (record.kind !== "fs-backup" || record.phase === "Failed") continue;
    const key = `${record.namespace}/${record.pod}`;
    byPod.set(key, [...(byPod.get(key) ?? []), record]);
  }
  return byPod;
}

/**
 * Adds, as the first init container (so later ones see the files too), one that runs
 * `kubesnap restore-wait` until the node agent has left a marker for each restored volume in
 * an emptyDir of its own (see src/nodeagent/marker.ts). It mounts only that emptyDir, and
 * its security settings pass the restricted Pod Security level, so it never stops a pod
 * that would otherwise be admitted.
 */
export function withRestoreWait(
  pod: KubeObject,
  options: { readonly volumes: readonly string[]; readonly image: string },
): KubeObject {
  const spec = withoutRestoreWait(pod).spec as { initContainers?: object[]; volumes?: object[] };
  const wait = {
    name: RESTORE_WAIT,
    image: options.image,
    args: ["restore-wait", "--markers", RESTORE_WAIT_MOUNT, ...options.volumes],
    volumeMounts: [{ name: RESTORE_WAIT, mountPath: RESTORE_WAIT_MOUNT, readOnly: true }],
    securityContext: {
      allowPrivilegeEscalation: false,
      runAsNonRoot: true,
      capabilities: { drop: ["ALL"] },
      seccompProfile: { type: "RuntimeDefault" },
    },
    resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
  };
  return {
    ...pod,
    spec: {
      ...spec,
      initContainers: [wait, ...(spec.initContainers ?? [])],
      volumes: [...(spec.volumes ?? []), { name: RESTORE_WAIT, emptyDir: {} }],
    },
  };
}

/**
 * A pod backed up after an earlier restore carries that restore's init container and marker
 * volume; restored without file-system volumes to wait for, it must not wait forever.
 */
export function withoutRestoreWait(pod: KubeObject): KubeObject {
  const spec = (pod.spec ?? {}) as { initContainers?: { name: string }[]; volumes?: { name: string }[] };
  const ours = (list: { name: string }[] | undefined) => list?.some((x) => x.name === RESTORE_WAIT) === true;
  // Untouched unless an earlier restore's are there: an empty list the pod never had would
  // count as a difference from the live pod (existing-resource checks).
  if (!ours(spec.initContainers) && !ours(spec.volumes)) return pod;
  const without = (list: { name: string }[] | undefined) =>
    (list ?? []).filter((x) => x.name !== RESTORE_WAIT);
  const { initContainers: _i, volumes: _v, ...rest } = spec;
  const initContainers = without(spec.initContainers);
  const volumes = without(spec.volumes);
  return {
    ...pod,
    spec: {
      ...rest,
      ...(initContainers.length > 0 ? { initContainers } : {}),
      ...(volumes.length > 0 ? { volumes } : {}),
    },
  };
}

/**
 * A local restore: the pods come back with empty volumes where the backup copied files,
 * and the restore says so for each, as a warning.
 */
export function localPodVolumeRestoreStep(
  volumes: readonly VolumeRecord[] | undefined,
): PodVolumeRestoreStep {
  const byPod = fsVolumesByPod(volumes);
  const missed: { pod: RestoredPod; volumes: FsBackupVolume[] }[] = [];
  return {
    prepare: (_source, pod) => withoutRestoreWait(pod),
    async created(pod) {
      const records = byPod.get(`${pod.source.namespace}/${pod.source.name}`);
      if (records) missed.push({ pod, volumes: records });
    },
    async finish(ctx) {
      for (const { pod, volumes } of missed) {
        for (const { volume } of volumes) {
          const message =
            `volume ${volume} has a file-system backup, which only the kubesnap server and its node agents ` +
            "restore; the pod was restored without its files";
          const { namespace, name } = pod.target;
          ctx.log.warn(ctx.results.warning({ resource: "pods", namespace, name }, message));
        }
      }
    },
  };
}
