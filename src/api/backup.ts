import {
  clusterResourcesPolicy,
  count,
  duration,
  LABEL_VALUE_MAX,
  labelSelector,
  namespaceGlobs,
  objectName,
  resourceNames,
  SELECTORS_EXCLUSIVE,
} from "./fields.js";
import { defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";
import { volumePolicySchema } from "./volume-policy.js";

/**
 * FailedValidation is Velero's phase for a spec the CRD schema could not reject (a location
 * that does not exist, a selector whose key is too long): the backup never started.
 */
export const BACKUP_PHASES = [
  "New",
  "FailedValidation",
  "InProgress",
  "Completed",
  "PartiallyFailed",
  "Failed",
  "Deleting",
] as const;

/** What to back up: every option of `kubesnap backup create` (its --labels become the Backup's labels). */
export const backupSpecSchema = s.object(
  {
    includedNamespaces: namespaceGlobs('Namespace globs to include; ["*"] takes every namespace.', ["*"]),
    excludedNamespaces: namespaceGlobs("Namespace globs to leave out.", []),
    includedResources: resourceNames(
      'Resources to include ("deployments", "deployments.apps", "Deployment"); ["*"] takes all.',
      ["*"],
    ),
    excludedResources: resourceNames("Resources to leave out.", []),
    includeClusterResources: clusterResourcesPolicy(),
    labelSelector: s.optional(labelSelector('Only items whose labels match ("app=nginx,tier in (web)").')),
    orLabelSelectors: s.optional(
      s.array(labelSelector("One alternative."), {
        description: "Items matching any of these selectors (Velero's --or-selector).",
        maxItems: 16,
      }),
    ),
    ttl: duration("How long the backup is kept before it is deleted (Go duration).", "720h0m0s"),
    storageLocation: s.optional(
      objectName("The BackupStorageLocation to write to; the default location when absent.", LABEL_VALUE_MAX),
    ),
    snapshotVolumes: s.optional(
      s.boolean({ description: "Take CSI snapshots of the backed-up PVCs' volumes; true when absent." }),
    ),
    snapshotClass: s.optional(
      objectName(
        "The VolumeSnapshotClass for volumes of its CSI driver; other drivers use their class labelled kubesnap.io/default=true.",
      ),
    ),
    itemOperationTimeout: s.optional(
      duration("How long each volume snapshot may take to be ready (Go duration); 10m when absent."),
    ),
    volumePolicies: s.optional(
      s.array(volumePolicySchema, {
        description:
          "What to do with each PVC's data (Velero's volumePolicies); the first that matches decides.",
        maxItems: 64,
      }),
    ),
    defaultVolumesToFsBackup: s.optional(
      s.boolean({
        description:
          "Copy the files of every pod volume (but those named by backup.kubesnap.io/backup-volumes-excludes) through the node agents; when absent or false, only the volumes pods name in backup.kubesnap.io/backup-volumes.",
      }),
    ),
  },
  { default: {}, validations: [SELECTORS_EXCLUSIVE] },
);
export type BackupSpec = Infer<typeof backupSpecSchema>;

export const backupStatusSchema = s.object({
  phase: s.enum(BACKUP_PHASES),
  validationErrors: s.optional(s.array(s.string(), { description: "Why the spec was refused." })),
  startTimestamp: s.optional(s.timestamp()),
  completionTimestamp: s.optional(s.timestamp()),
  expiration: s.optional(s.timestamp({ description: "When the backup is deleted (creation plus TTL)." })),
  errors: count("Items that could not be backed up."),
  warnings: count("Warnings during the backup."),
  failureReason: s.optional(s.string({ description: "Why the backup as a whole failed." })),
  progress: s.optional(
    s.object({
      itemsBackedUp: count("Items written so far."),
      totalItems: count("Items selected (an estimate while listing)."),
    }),
  ),
  cluster: s.optional(
    s.object(
      { version: s.string(), uid: s.string() },
      { description: "Where the items came from: the cluster's version and its kube-system namespace UID." },
    ),
  ),
  kubesnapVersion: s.optional(s.string()),
  formatVersion: s.optional(s.string()),
  verification: s.optional(
    s.object(
      {
        requestedAt: s.optional(
          s.string({ description: "The verify request (annotation value) this result answers." }),
        ),
        verifiedAt: s.timestamp(),
        samplePercent: s.integer({ minimum: 1, description: "Share of data blobs read, in percent." }),
        blobsReferenced: count("Blobs the backup references."),
        blobsChecked: count("Blobs read and checked."),
        bytesRead: count("Bytes read from the location."),
        problems: s.array(
          s.object({
            kind: s.string(),
            key: s.optional(s.string({ description: "The storage object at fault." })),
            message: s.string(),
            objects: s.array(s.string(), { description: "Backed-up objects the damage makes unreadable." }),
          }),
          { description: "Each damaged or missing stored object (the first 100)." },
        ),
      },
      { description: "The last `kubesnap backup verify` (or periodic verification) of this backup." },
    ),
  ),
});
export type BackupStatus = Infer<typeof backupStatusSchema>;
export type BackupPhase = BackupStatus["phase"];
export type Backup = Resource<"Backup", BackupSpec, BackupStatus>;

export const backupKind = defineKind({
  kind: "Backup",
  plural: "backups",
  description: "A backup of cluster state, taken by the kubesnap server into a BackupStorageLocation.",
  spec: backupSpecSchema,
  status: backupStatusSchema,
  // The name is the value of the kubesnap.io/backup-name label on restored objects.
  nameMaxLength: LABEL_VALUE_MAX,
  // `velero backup get`: NAME STATUS ERRORS WARNINGS CREATED EXPIRES STORAGE LOCATION SELECTOR
  columns: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Errors", type: "integer", jsonPath: ".status.errors" },
    { name: "Warnings", type: "integer", jsonPath: ".status.warnings" },
    { name: "Created", type: "date", jsonPath: ".metadata.creationTimestamp" },
    // A string, not a date: kubectl prints a date in the future as "<invalid>".
    { name: "Expires", type: "string", jsonPath: ".status.expiration" },
    { name: "Storage Location", type: "string", jsonPath: ".spec.storageLocation" },
    { name: "Selector", type: "string", jsonPath: ".spec.labelSelector" },
  ],
});
