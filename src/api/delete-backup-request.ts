import { LABEL_VALUE_MAX, objectName } from "./fields.js";
import { AGE_COLUMN, defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";

export const DELETE_REQUEST_PHASES = ["New", "InProgress", "Processed"] as const;

/** Deleting a Backup object alone would leave its data: this asks the server to delete both. */
export const deleteBackupRequestSpecSchema = s.object({
  backupName: objectName("The Backup to delete, with its data in the bucket.", LABEL_VALUE_MAX),
});
export type DeleteBackupRequestSpec = Infer<typeof deleteBackupRequestSpecSchema>;

export const deleteBackupRequestStatusSchema = s.object({
  phase: s.enum(DELETE_REQUEST_PHASES),
  errors: s.optional(s.array(s.string(), { description: "What could not be deleted, and why." })),
});
export type DeleteBackupRequestStatus = Infer<typeof deleteBackupRequestStatusSchema>;
export type DeleteBackupRequest = Resource<
  "DeleteBackupRequest",
  DeleteBackupRequestSpec,
  DeleteBackupRequestStatus
>;

export const deleteBackupRequestKind = defineKind({
  kind: "DeleteBackupRequest",
  plural: "deletebackuprequests",
  description: "A request to delete a Backup and its data from its storage location.",
  spec: deleteBackupRequestSpecSchema,
  status: deleteBackupRequestStatusSchema,
  columns: [
    { name: "Backup", type: "string", jsonPath: ".spec.backupName" },
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    AGE_COLUMN,
  ],
});
