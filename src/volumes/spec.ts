import type { BackupSpec as BackupResourceSpec } from "../api/backup.js";
import { formatGoDuration, parseDuration } from "../core/duration.js";
import type { VolumeOptions } from "./backup.js";

type ResourceVolumeFields = Pick<
  BackupResourceSpec,
  "snapshotVolumes" | "snapshotClass" | "itemOperationTimeout" | "volumePolicies" | "defaultVolumesToFsBackup"
>;

/** The engine's volume options from a Backup object's spec (absent fields stay absent: defaults apply). */
export function engineVolumeOptions(spec: ResourceVolumeFields): VolumeOptions {
  return {
    ...(spec.snapshotVolumes !== undefined ? { snapshotVolumes: spec.snapshotVolumes } : {}),
    ...(spec.snapshotClass ? { snapshotClass: spec.snapshotClass } : {}),
    ...(spec.itemOperationTimeout
      ? {
          itemOperationTimeoutMs: parseDuration(spec.itemOperationTimeout, {
            what: "spec.itemOperationTimeout",
          }),
        }
      : {}),
    ...(spec.volumePolicies?.length ? { volumePolicies: spec.volumePolicies } : {}),
    ...(spec.defaultVolumesToFsBackup !== undefined
      ? { defaultVolumesToFsBackup: spec.defaultVolumesToFsBackup }
      : {}),
  };
}

/** A Backup object's volume fields from the engine's options (the inverse of engineVolumeOptions). */
export function resourceVolumeFields(options: VolumeOptions): ResourceVolumeFields {
  return {
    ...(options.snapshotVolumes !== undefined ? { snapshotVolumes: options.snapshotVolumes } : {}),
    ...(options.snapshotClass ? { snapshotClass: options.snapshotClass } : {}),
    ...(options.itemOperationTimeoutMs !== undefined
      ? { itemOperationTimeout: formatGoDuration(options.itemOperationTimeoutMs) }
      : {}),
    ...(options.volumePolicies?.length ? { volumePolicies: options.volumePolicies } : {}),
    ...(options.defaultVolumesToFsBackup !== undefined
      ? { defaultVolumesToFsBackup: options.defaultVolumesToFsBackup }
      : {}),
  };
}
