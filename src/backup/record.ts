import type { ResourceType } from "../core/kube-types.js";
import type { VolumeRecord } from "../volumes/index.js";
import type { BackupSpec } from "./spec.js";

export type BackupPhase = "New" | "InProgress" | "Completed" | "PartiallyFailed" | "Failed" | "Deleting";

/** One (resource type, namespace) group of a backup: its items are the named id list. */
export interface ItemGroup {
  readonly type: ResourceType;
  /** Absent for cluster-scoped types. */
  readonly namespace?: string;
  /** Name of the id list in the snapshot manifest. */
  readonly list: string;
  /**
   * A blob holding the items' names in list order (a JSON array), so an item whose own
   * blob is unreadable can still be named. Names rarely change, so it deduplicates well.
   */
  readonly names: string;
  readonly count: number;
}

export interface BackupStatus {
  readonly phase: BackupPhase;
  readonly startTimestamp?: string;
  readonly completionTimestamp?: string;
  readonly expiration?: string;
  readonly errors: number;
  readonly warnings: number;
  readonly failureReason?: string;
  readonly progress: { readonly itemsBackedUp: number; readonly totalItems: number };
  /** Where the items came from: the cluster's version and its kube-system namespace UID. */
  readonly cluster?: { readonly version: string; readonly uid: string };
  readonly kubesnapVersion: string;
  readonly formatVersion: string;
}

/**
 * A backup as kubesnap shows it: shaped like the server's Backup object, so `-o yaml` prints
 * the same thing in both modes, and stored as the body of the snapshot manifest.
 */
export interface BackupRecord {
  readonly apiVersion: "kubesnap.io/v1";
  readonly kind: "Backup";
  readonly metadata: {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly creationTimestamp: string;
  };
  readonly spec: BackupSpec;
  readonly status: BackupStatus;
  readonly groups: readonly ItemGroup[];
  /** What became of each backed-up PVC's data (absent in backups made before volumes were). */
  readonly volumes?: readonly VolumeRecord[];
}

export const BACKUP_FORMAT_VERSION = "1.0.0";

/** The phase a finished run earns: any item error makes it PartiallyFailed, never Completed. */
export function finishedPhase(errors: number): BackupPhase {
  return errors > 0 ? "PartiallyFailed" : "Completed";
}

/** Side files stored with each backup. */
export const BACKUP_LOG_FILE = "log";
export const BACKUP_RESULTS_FILE = "results.json";
