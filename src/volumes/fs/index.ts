/** File-system volume backup: directory trees into the repository and back. See docs/fs-backup.md. */
export { backupTree, type TreeBackupOptions, type TreeProgress } from "./backup.js";
export { DEFAULT_CHUNKER } from "./chunker.js";
export { type FsSnapshotBody, type FsTotals, MAX_ERRORS, type PathError } from "./format.js";
export { type FsOps, realFs } from "./fs-ops.js";
export { isVolumeSnapshot, volumeSnapshotName, volumeSnapshotsOf } from "./names.js";
export {
  type RestoreProgress,
  readFsSnapshot,
  restoreTree,
  type TreeRestore,
  type TreeRestoreOptions,
} from "./restore.js";
export { backupVolume, type VolumeBackupOptions } from "./volume.js";
