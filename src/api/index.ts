/**
 * kubesnap's API: group kubesnap.io, version v1. Each kind's TypeScript types and its CRD
 * schema come from one definition (see schema.ts), so what the server reads, what the CLI
 * writes and what the API server validates are the same shape.
 */
import type { KubeObject } from "../core/kube-types.js";
import { backupKind } from "./backup.js";
import { backupStorageLocationKind } from "./backup-storage-location.js";
import { deleteBackupRequestKind } from "./delete-backup-request.js";
import { downloadRequestKind } from "./download-request.js";
import { customResourceDefinition, type KindDefinition } from "./kind.js";
import { podVolumeBackupKind } from "./pod-volume-backup.js";
import { podVolumeRestoreKind } from "./pod-volume-restore.js";
import { restoreKind } from "./restore.js";
import { scheduleKind } from "./schedule.js";
import { triggerKind } from "./trigger.js";

export * from "./backup.js";
export * from "./backup-storage-location.js";
export * from "./delete-backup-request.js";
export * from "./download-request.js";
export * from "./fields.js";
export * from "./kind.js";
export * from "./pod-volume-backup.js";
export * from "./pod-volume-restore.js";
export * from "./restore.js";
export * from "./schedule.js";
export { type Infer, type OpenApiSchema, type Schema, s, toOpenApi } from "./schema.js";
export * from "./trigger.js";
export { validate } from "./validate.js";

export const KINDS: readonly KindDefinition<unknown, unknown>[] = [
  backupStorageLocationKind,
  backupKind,
  restoreKind,
  scheduleKind,
  triggerKind,
  deleteBackupRequestKind,
  downloadRequestKind,
  podVolumeBackupKind,
  podVolumeRestoreKind,
];

/** The CustomResourceDefinitions of every kind, as apiextensions.k8s.io/v1 objects. */
export function crds(): KubeObject[] {
  return KINDS.map(customResourceDefinition);
}
