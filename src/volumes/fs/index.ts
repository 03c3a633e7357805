/** File-system volume backup: directory trees into the repository and back. See docs/fs-backup.md. */
export { backupTree, type TreeBackupOptions, type TreeProgress } from "./backup.js";
export { DEFAULT_CHUNKER } from "./chunker.js";
export { type FsSnapshotBody, type FsTotals, MAX_ERRORS, type PathError } from "./format.js";
export { type FsOps, realFs, utimeSeconds } from "./fs-ops.js";
export { isVolumeSnapshot, volumeSnapshotName, volumeSnapshotsOf } from "./names.js";
export { localPodVolumeStep, type PodVolumeStep } from "./pod-volume-step.js";
export { BACKUP_VOLUMES_ANNOTATION, BACKUP_VOLUMES_EXCLUDES_ANNOTATION } from "./pod-volumes.js";
export {
  type RestoreProgress,
  readFsSnapshot,
  restoreTree,
  type TreeRestore,
  type TreeRestoreOptions,
} from "./restore.js";
export { backupVolume, deleteVolumeSnapshots, type VolumeBackupOptions } from "./volume.js";
