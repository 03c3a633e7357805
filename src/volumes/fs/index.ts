/** File-system volume backup: directory trees into the repository and back. See docs/fs-backup.md. */
export { isVolumeSnapshot, volumeSnapshotName } from "./names.js";
export {
  localPodVolumeStep,
  PodVolumeChoices,
  type PodVolumeRunContext,
  type PodVolumeStep,
  podRef,
} from "./pod-volume-step.js";
export { restoreTree } from "./restore.js";
export {
  fsVolumesByPod,
  localPodVolumeRestoreStep,
  type PodVolumeRestoreStep,
  RESTORE_WAIT,
  type RestoredPod,
  withoutRestoreWait,
  withRestoreWait,
} from "./restore-step.js";
export { backupVolume, deleteVolumeSnapshots } from "./volume.js";
