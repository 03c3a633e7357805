import { objectName } from "./fields.js";
import { AGE_COLUMN, defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";

export const DOWNLOAD_TARGET_KINDS = ["BackupLog", "BackupResults", "RestoreLog", "RestoreResults"] as const;
export const DOWNLOAD_REQUEST_PHASES = ["New", "Processed"] as const;

/**
 * How the CLI reads a backup's or a restore's log and results without bucket credentials:
 * it creates a DownloadRequest, the server answers in its status with a short-lived URL for
 * that one object (a presigned GET), and the CLI fetches it. Whoever may read
 * DownloadRequests may read those files until the URL expires, which is why it is short.
 */
export const downloadRequestSpecSchema = s.object({
  target: s.object({
    kind: s.enum(DOWNLOAD_TARGET_KINDS),
    name: objectName("The Backup or Restore whose file is wanted."),
  }),
});
export type DownloadRequestSpec = Infer<typeof downloadRequestSpecSchema>;

export const downloadRequestStatusSchema = s.object({
  phase: s.enum(DOWNLOAD_REQUEST_PHASES),
  downloadURL: s.optional(
    s.string({ description: "A short-lived URL of the file (no credentials of the bucket)." }),
  ),
  expiration: s.optional(
    s.timestamp({ description: "When downloadURL stops working; the request is deleted after." }),
  ),
  errors: s.optional(s.array(s.string(), { description: "Why no URL could be made." })),
});
export type DownloadRequestStatus = Infer<typeof downloadRequestStatusSchema>;
export type DownloadRequest = Resource<"DownloadRequest", DownloadRequestSpec, DownloadRequestStatus>;

export const downloadRequestKind = defineKind({
  kind: "DownloadRequest",
  plural: "downloadrequests",
  description: "A request for a short-lived URL of a backup's or restore's log or results.",
  spec: downloadRequestSpecSchema,
  status: downloadRequestStatusSchema,
  columns: [
    { name: "Target Kind", type: "string", jsonPath: ".spec.target.kind" },
    { name: "Target", type: "string", jsonPath: ".spec.target.name" },
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Expires", type: "string", jsonPath: ".status.expiration" },
    AGE_COLUMN,
  ],
});
