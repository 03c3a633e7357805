import {
  clusterResourcesPolicy,
  count,
  LABEL_VALUE_MAX,
  labelSelector,
  NAME_PATTERN,
  namespaceGlobs,
  objectName,
  resourceNames,
  SELECTORS_EXCLUSIVE,
} from "./fields.js";
import { defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";

export const RESTORE_PHASES = [
  "New",
  "FailedValidation",
  "InProgress",
  "Completed",
  "PartiallyFailed",
  "Failed",
] as const;

/** What to restore and how: every option of `kubesnap restore create`. */
export const restoreSpecSchema = s.object(
  {
    backupName: objectName("The Backup to restore from.", LABEL_VALUE_MAX),
    includedNamespaces: namespaceGlobs('Namespace globs to restore; ["*"] restores every namespace.', ["*"]),
    excludedNamespaces: namespaceGlobs("Namespace globs not to restore.", []),
    includedResources: resourceNames('Resources to restore; ["*"] restores all.', ["*"]),
    excludedResources: resourceNames("Resources not to restore.", []),
    includeClusterResources: clusterResourcesPolicy(),
    labelSelector: s.optional(labelSelector("Only items whose labels match.")),
    orLabelSelectors: s.optional(
      s.array(labelSelector("One alternative."), {
        description: "Items matching any of these selectors.",
        maxItems: 16,
      }),
    ),
    namespaceMapping: s.map(s.string({ pattern: NAME_PATTERN, maxLength: 63 }), {
      description: "Restore the items of namespace KEY into namespace VALUE.",
      default: {},
    }),
    existingResourcePolicy: s.enum(["none", "update"], {
      default: "none",
      description:
        "An item that already exists and differs: none leaves it (with a warning), update patches it.",
    }),
    preserveNodePorts: s.boolean({
      default: false,
      description: "Keep Services' node ports (otherwise the cluster assigns new ones).",
    }),
    restorePVs: s.boolean({
      default: true,
      description:
        "Restore volume data: claims from their CSI snapshots, pods' volumes from their file copies. " +
        "false: snapshotted claims get new empty volumes and no files are restored.",
    }),
  },
  { validations: [SELECTORS_EXCLUSIVE] },
);
export type RestoreSpec = Infer<typeof restoreSpecSchema>;

export const restoreStatusSchema = s.object({
  phase: s.enum(RESTORE_PHASES),
  validationErrors: s.optional(s.array(s.string(), { description: "Why the spec was refused." })),
  startTimestamp: s.optional(s.timestamp()),
  completionTimestamp: s.optional(s.timestamp()),
  errors: count("Items that could not be restored."),
  warnings: count("Warnings during the restore."),
  failureReason: s.optional(s.string({ description: "Why the restore as a whole failed." })),
  progress: s.optional(
    s.object({
      itemsRestored: count("Items created or updated so far."),
      totalItems: count("Items the restore plan holds."),
    }),
  ),
  skipped: s.optional(
    s.map(s.integer({ minimum: 0 }), {
      description:
        "Items left alone, by reason: excluded-by-filter, never-restored, cluster-recreates, " +
        "owned-by-restored-controller, completed, duplicate, already-exists.",
    }),
  ),
});
export type RestoreStatus = Infer<typeof restoreStatusSchema>;
export type RestorePhase = RestoreStatus["phase"];
export type Restore = Resource<"Restore", RestoreSpec, RestoreStatus>;

export const restoreKind = defineKind({
  kind: "Restore",
  plural: "restores",
  description: "A restore of a Backup's items into this cluster, run by the kubesnap server.",
  spec: restoreSpecSchema,
  status: restoreStatusSchema,
  // The name is the value of the kubesnap.io/restore-name label on restored objects.
  nameMaxLength: LABEL_VALUE_MAX,
  // `velero restore get`: NAME BACKUP STATUS STARTED COMPLETED ERRORS WARNINGS CREATED SELECTOR
  columns: [
    { name: "Backup", type: "string", jsonPath: ".spec.backupName" },
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Started", type: "date", jsonPath: ".status.startTimestamp" },
    { name: "Completed", type: "date", jsonPath: ".status.completionTimestamp" },
    { name: "Errors", type: "integer", jsonPath: ".status.errors" },
    { name: "Warnings", type: "integer", jsonPath: ".status.warnings" },
    { name: "Created", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "Selector", type: "string", jsonPath: ".spec.labelSelector" },
  ],
});
