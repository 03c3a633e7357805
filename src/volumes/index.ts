/**
 * The data of backed-up PVCs' volumes: volume policies choose per claim (snapshot, fs-backup
 * or skip), CSI snapshots are taken after the items are collected and kept until the backup is
 * deleted, and a restore provisions claims from them. What happened to each claim is a
 * VolumeRecord in the backup record.
 */
export {
  backupVolumes,
  DEFAULT_ITEM_OPERATION_TIMEOUT_MS,
  itemOperationTimeout,
  type VolumeOptions,
} from "./backup.js";
export { deleteSnapshots } from "./csi/delete.js";
export { CLAIM_BIND_WAIT_MS, releaseSnapshotSources } from "./csi/release.js";
export { createSnapshotSources } from "./csi/restore.js";
export { claimVolumes, restoredSources, type SnapshotSource, snapshotSources } from "./csi/restore-plan.js";
export { deleteBackupVolumes } from "./delete.js";
export { parseVolumePolicies, type VolumePolicy } from "./policy.js";
export { claimKey, type FsBackupVolume, type VolumeRecord } from "./record.js";
export { engineVolumeOptions, resourceVolumeFields } from "./spec.js";
