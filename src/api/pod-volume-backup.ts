import { count, LABEL_VALUE_MAX, objectName } from "./fields.js";
import { AGE_COLUMN, defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";

/** New → InProgress → Completed | PartiallyFailed (some paths unreadable) | Failed. */
export const POD_VOLUME_PHASES = ["New", "InProgress", "Completed", "PartiallyFailed", "Failed"] as const;

/** The pod whose volume is copied: its UID names its directory under the kubelet's root. */
export const podRefSchema = s.object(
  {
    namespace: objectName("The pod's namespace.", 63),
    name: objectName("The pod's name."),
    uid: s.string({ description: "The pod's UID.", maxLength: 64 }),
  },
  { description: "The pod whose volume this is." },
);

/** What a node agent reports while it copies a volume, and after. */
export const podVolumeStatusFields = {
  phase: s.enum(POD_VOLUME_PHASES),
  startTimestamp: s.optional(s.timestamp()),
  completionTimestamp: s.optional(s.timestamp()),
  progress: s.optional(
    s.object({
      bytesDone: count("File bytes copied so far."),
      totalBytes: count("File bytes to copy (from a first pass over the files)."),
    }),
  ),
  message: s.optional(s.string({ description: "Why it failed, or what it could not copy." })),
  errors: s.optional(
    s.array(s.string(), {
      description: "Each path that could not be copied, with the reason (the first 100).",
      maxItems: 100,
    }),
  ),
  errorCount: s.optional(count("Paths that could not be copied.")),
};

/**
 * One pod volume's file-system backup: made by the server for each volume a backup copies
 * (the pod annotation backup.kubesnap.io/backup-volumes, or every volume with
 * defaultVolumesToFsBackup) and carried out by the node agent on spec.node, which reads the
 * volume under the kubelet's root and writes it to the backup's location as snapshot
 * spec.snapshotName.
 */
export const podVolumeBackupSpecSchema = s.object({
  backupName: objectName("The Backup this volume's data belongs to.", LABEL_VALUE_MAX),
  node: objectName("The node the pod runs on: only its node agent can read the volume."),
  pod: podRefSchema,
  volume: objectName("The volume's name in the pod's spec.volumes.", 63),
  storageLocation: objectName("The BackupStorageLocation to write to.", LABEL_VALUE_MAX),
  snapshotName: s.string({
    description: "The snapshot to write in the location's repository.",
    maxLength: 253,
  }),
  retainUntil: s.optional(
    s.timestamp({ description: "Object lock: the data is retained until then (the backup's expiry)." }),
  ),
});
export type PodVolumeBackupSpec = Infer<typeof podVolumeBackupSpecSchema>;

export const podVolumeBackupStatusSchema = s.object({
  ...podVolumeStatusFields,
  files: s.optional(count("Files copied.")),
  bytes: s.optional(count("File bytes copied (holes included).")),
  bytesWritten: s.optional(count("Bytes the location grew by: new, compressed data only.")),
});
export type PodVolumeBackupStatus = Infer<typeof podVolumeBackupStatusSchema>;
export type PodVolumeBackup = Resource<"PodVolumeBackup", PodVolumeBackupSpec, PodVolumeBackupStatus>;
export type PodVolumePhase = PodVolumeBackupStatus["phase"];

export const podVolumeBackupKind = defineKind({
  kind: "PodVolumeBackup",
  plural: "podvolumebackups",
  shortNames: ["pvb"],
  description: "The file-system backup of one pod volume, carried out by the node agent of the pod's node.",
  spec: podVolumeBackupSpecSchema,
  status: podVolumeBackupStatusSchema,
  columns: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Backup", type: "string", jsonPath: ".spec.backupName" },
    { name: "Namespace", type: "string", jsonPath: ".spec.pod.namespace" },
    { name: "Pod", type: "string", jsonPath: ".spec.pod.name" },
    { name: "Volume", type: "string", jsonPath: ".spec.volume" },
    { name: "Node", type: "string", jsonPath: ".spec.node" },
    { name: "Bytes Done", type: "integer", jsonPath: ".status.progress.bytesDone" },
    { name: "Total Bytes", type: "integer", jsonPath: ".status.progress.totalBytes" },
    AGE_COLUMN,
  ],
});
