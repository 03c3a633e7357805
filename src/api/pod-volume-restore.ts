import { LABEL_VALUE_MAX, objectName } from "./fields.js";
import { AGE_COLUMN, defineKind, type Resource } from "./kind.js";
import { podRefSchema, podVolumeStatusFields } from "./pod-volume-backup.js";
import { type Infer, s } from "./schema.js";

/**
 * One pod volume's file-system restore: made by a restore for each restored pod volume
 * that has a file-system backup. The node agent of whichever node the restored pod is
 * scheduled to writes the files into the volume, then a marker that the pod's init
 * container waits for, so the pod's own containers start on the restored data.
 */
export const podVolumeRestoreSpecSchema = s.object({
  restoreName: objectName("The Restore this belongs to.", LABEL_VALUE_MAX),
  backupName: objectName("The Backup the data comes from.", LABEL_VALUE_MAX),
  pod: podRefSchema,
  volume: objectName("The volume's name in the restored pod's spec.volumes.", 63),
  storageLocation: objectName("The BackupStorageLocation holding the backup.", LABEL_VALUE_MAX),
  snapshotName: s.string({ description: "The snapshot the PodVolumeBackup wrote.", maxLength: 253 }),
});
export type PodVolumeRestoreSpec = Infer<typeof podVolumeRestoreSpecSchema>;

export const podVolumeRestoreStatusSchema = s.object({
  ...podVolumeStatusFields,
  node: s.optional(s.string({ description: "The node whose agent restored the volume." })),
  files: s.optional(s.integer({ minimum: 0, description: "Files restored." })),
});
export type PodVolumeRestoreStatus = Infer<typeof podVolumeRestoreStatusSchema>;
export type PodVolumeRestore = Resource<"PodVolumeRestore", PodVolumeRestoreSpec, PodVolumeRestoreStatus>;

export const podVolumeRestoreKind = defineKind({
  kind: "PodVolumeRestore",
  plural: "podvolumerestores",
  shortNames: ["pvr"],
  description: "The file-system restore of one pod volume, carried out by the node agent of the pod's node.",
  spec: podVolumeRestoreSpecSchema,
  status: podVolumeRestoreStatusSchema,
  columns: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Restore", type: "string", jsonPath: ".spec.restoreName" },
    { name: "Namespace", type: "string", jsonPath: ".spec.pod.namespace" },
    { name: "Pod", type: "string", jsonPath: ".spec.pod.name" },
    { name: "Volume", type: "string", jsonPath: ".spec.volume" },
    { name: "Bytes Done", type: "integer", jsonPath: ".status.progress.bytesDone" },
    { name: "Total Bytes", type: "integer", jsonPath: ".status.progress.totalBytes" },
    AGE_COLUMN,
  ],
});
