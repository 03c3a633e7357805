import {
  API_GROUP,
  API_VERSION,
  backupKind,
  backupStorageLocationKind,
  deleteBackupRequestKind,
  downloadRequestKind,
  type KindDefinition,
  podVolumeBackupKind,
  podVolumeRestoreKind,
  restoreKind,
  scheduleKind,
  triggerKind,
} from "../api/index.js";
import type { ResourceType } from "../core/kube-types.js";

/** The REST resource of one of kubesnap's own kinds. */
function typeOf(kind: KindDefinition<unknown, unknown>): ResourceType {
  return { group: API_GROUP, version: API_VERSION, resource: kind.plural, kind: kind.kind, namespaced: true };
}

export const TYPES = {
  backups: typeOf(backupKind),
  restores: typeOf(restoreKind),
  schedules: typeOf(scheduleKind),
  triggers: typeOf(triggerKind),
  locations: typeOf(backupStorageLocationKind),
  deleteRequests: typeOf(deleteBackupRequestKind),
  downloadRequests: typeOf(downloadRequestKind),
  podVolumeBackups: typeOf(podVolumeBackupKind),
  podVolumeRestores: typeOf(podVolumeRestoreKind),
} as const;

export const LEASES: ResourceType = {
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  kind: "Lease",
  namespaced: true,
};

export const SECRETS: ResourceType = {
  group: "",
  version: "v1",
  resource: "secrets",
  kind: "Secret",
  namespaced: true,
};

/** On Backup objects made by sync from a location: the backup exists; nothing is to be run. */
export const SYNCED_ANNOTATION = "kubesnap.io/synced-from-location";

/** On a Backup: "PERCENT%@TIME", a request to verify it (what `backup verify` sets in server mode). */
export const VERIFY_ANNOTATION = "kubesnap.io/verify-requested";

/** Labels the server puts on objects it makes. */
export const LABELS = {
  location: "kubesnap.io/storage-location",
  schedule: "kubesnap.io/schedule-name",
  backup: "kubesnap.io/backup-name",
} as const;
