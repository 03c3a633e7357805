/**
 * Which volumes of a pod get a file-system backup (pure), as in Velero:
 *
 *   opt-in   the pod's annotation backup.kubesnap.io/backup-volumes=a,b names them;
 *   opt-out  with defaultVolumesToFsBackup, every volume but those the annotation
 *            backup.kubesnap.io/backup-volumes-excludes names, and but the kinds below.
 *
 * Never backed up this way: Secret, ConfigMap, projected and downward-API volumes (the
 * kubelet writes them from API objects the backup already holds) and hostPath volumes
 * (the node's own files, not the pod's; restoring them would write onto the node). Naming
 * one in the opt-in annotation is a warning, as is naming a volume the pod does not have.
 */
import type { KubeObject } from "../../core/kube-types.js";
import { RESTORE_WAIT } from "./restore-step.js";

export const BACKUP_VOLUMES_ANNOTATION = "backup.kubesnap.io/backup-volumes";
export const BACKUP_VOLUMES_EXCLUDES_ANNOTATION = "backup.kubesnap.io/backup-volumes-excludes";

/** A volume to back up: its name in the pod, and its claim when it is a PVC. */
export interface ChosenVolume {
  readonly volume: string;
  readonly pvc?: string;
}

export interface PodVolumeChoice {
  readonly chosen: readonly ChosenVolume[];
  /** Volumes the annotation names that cannot be backed up, with the reason. */
  readonly refused: readonly { readonly volume: string; readonly reason: string }[];
}

interface PodVolume {
  readonly name: string;
  readonly [source: string]: unknown;
}

/** Volume sources whose content the kubelet makes from API objects (or that are the node's). */
const NOT_COPIED: Readonly<Record<string, string>> = {
  secret: "a Secret volume is written by the kubelet from the Secret, which the backup holds",
  configMap: "a ConfigMap volume is written by the kubelet from the ConfigMap, which the backup holds",
  projected: "a projected volume is written by the kubelet from API objects",
  downwardAPI: "a downward-API volume is written by the kubelet from the pod itself",
  hostPath: "a hostPath volume is the node's directory, not the pod's: it is never copied",
};

export function choosePodVolumes(
  pod: KubeObject,
  options: { defaultVolumesToFsBackup: boolean },
): PodVolumeChoice {
  const volumes = ((pod.spec as { volumes?: PodVolume[] } | undefined)?.volumes ?? []).filter(
    (v) => typeof v?.name === "string",
  );
  const annotations = pod.metadata.annotations ?? {};
  const named = listAnnotation(annotations[BACKUP_VOLUMES_ANNOTATION]);
  const chosen: ChosenVolume[] = [];
  const refused: { volume: string; reason: string }[] = [];
  if (named.length > 0) {
    for (const name of named) {
      const volume = volumes.find((v) => v.name === name);
      const reason = volume ? notCopied(volume) : `the pod has no volume "${name}"`;
      if (reason) refused.push({ volume: name, reason });
      else chosen.push(choice(volume as PodVolume));
    }
    return { chosen, refused };
  }
  if (!options.defaultVolumesToFsBackup) return { chosen, refused };
  const excluded = new Set(listAnnotation(annotations[BACKUP_VOLUMES_EXCLUDES_ANNOTATION]));
  for (const volume of volumes) {
    // The marker volume an earlier restore added holds kubesnap's own markers, not the pod's data.
    if (volume.name === RESTORE_WAIT || excluded.has(volume.name) || notCopied(volume)) continue;
    chosen.push(choice(volume));
  }
  return { chosen, refused };
}

function choice(volume: PodVolume): ChosenVolume {
  const claim = (volume.persistentVolumeClaim as { claimName?: string } | undefined)?.claimName;
  return claim ? { volume: volume.name, pvc: claim } : { volume: volume.name };
}

function notCopied(volume: PodVolume): string | undefined {
  const source = Object.keys(NOT_COPIED).find((key) => volume[key] !== undefined);
  return source ? NOT_COPIED[source] : undefined;
}

/** "a, b,,c" → ["a", "b", "c"]. */
function listAnnotation(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter((v) => v !== "");
}
