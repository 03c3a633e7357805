/**
 * What a backup recorded about the data of each PVC it took, stored in the backup record
 * (BackupRecord.volumes). One entry per PVC, whichever way its data went, so restore,
 * describe and delete never have to guess, and a volume without data says why. File-system
 * backups are per pod volume (an emptyDir has no PVC): one entry each, naming the PVC when
 * the volume is one.
 */
export type VolumeRecord = CsiSnapshotVolume | FsBackupVolume | SkippedVolume;

/** The PVC the entry is about, as it was in the backup's cluster. */
export interface VolumeClaim {
  readonly namespace: string;
  /** The PVC's name. */
  readonly pvc: string;
  /** Its PersistentVolume, which a restore from a snapshot does not re-create. */
  readonly volumeName?: string;
}

/** A CSI snapshot the driver keeps; the handle is all a restore or a delete needs. */
export interface CsiSnapshotVolume extends VolumeClaim {
  readonly kind: "csi-snapshot";
  readonly driver: string;
  readonly snapshotHandle: string;
  /** A Kubernetes quantity ("1Gi"), the smallest volume the snapshot restores into. */
  readonly restoreSize?: string;
  /** The VolumeSnapshotClass it was taken with. */
  readonly class: string;
  /** The VolumeSnapshotContent left in the cluster (deletionPolicy Retain) until the backup is deleted. */
  readonly content: string;
}

/** A pod volume whose files the node agent copied into the repository (one PodVolumeBackup). */
export interface FsBackupVolume {
  readonly kind: "fs-backup";
  readonly namespace: string;
  /** The claim, when the pod volume is a PVC. */
  readonly pvc?: string;
  readonly pod: string;
  readonly podUid: string;
  /** The volume's name in the pod's spec.volumes. */
  readonly volume: string;
  readonly node: string;
  /** The snapshot holding the files, in the backup's repository. */
  readonly snapshot: string;
  readonly phase: "Completed" | "PartiallyFailed" | "Failed";
  readonly files: number;
  /** File bytes copied (holes included). */
  readonly bytes: number;
  /** Paths that could not be copied. */
  readonly errors: number;
  /** Why it failed, or what could not be copied. */
  readonly message?: string;
}

/** A volume whose data is not in the backup: the policy said so, or it could not be taken. */
export interface SkippedVolume extends VolumeClaim {
  readonly kind: "skipped";
  readonly reason: string;
}

/** "namespace/pvc", the key volume entries are looked up by ("namespace/" for a pod volume that is no PVC). */
export function claimKey(claim: { readonly namespace: string; readonly pvc?: string }): string {
  return `${claim.namespace}/${claim.pvc ?? ""}`;
}
