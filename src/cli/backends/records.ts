/**
 * What the CLI shows of a backup or a restore, whichever mode made it: a local run's record,
 * or a server's Backup or Restore object. The two differ in small ways (a server's object
 * can be FailedValidation, has no item groups, fills progress in late); the views take this
 * common shape, and the converters below make it from a server's object.
 */
import type { Backup, PodVolumeBackup, Restore } from "../../api/index.js";
import type { BackupRecord, ItemGroup } from "../../backup/record.js";
import type { BackupSpec } from "../../backup/spec.js";
import type { BackupVerification } from "../../backup/verify.js";
import { parseDuration } from "../../core/duration.js";
import type { RestoreRecord } from "../../restore/record.js";
import { LABELS } from "../../server/kinds.js";
import type { VolumeRecord } from "../../volumes/index.js";
import { engineVolumeOptions } from "../../volumes/index.js";

export interface BackupView {
  readonly metadata: {
    readonly name: string;
    readonly labels: Readonly<Record<string, string>>;
    readonly creationTimestamp: string;
  };
  readonly spec: BackupSpec;
  readonly status: Omit<BackupRecord["status"], "phase" | "kubesnapVersion" | "formatVersion"> & {
    readonly phase: string;
    readonly validationErrors?: readonly string[];
    readonly kubesnapVersion?: string;
    readonly formatVersion?: string;
    /** The server's last verification of the backup. */
    readonly verification?: Omit<BackupVerification, "backup">;
  };
  /** Known where the manifest was read (local mode). */
  readonly groups?: readonly ItemGroup[];
  /** What became of the volumes' data (local mode: from the record). */
  readonly volumes?: readonly VolumeRecord[];
  /** Server mode: each pod volume's file-system backup as its PodVolumeBackup says now. */
  readonly podVolumes?: readonly PodVolumeProgress[];
}

/** One pod volume's file-system backup, as `backup describe --details` shows it. */
export interface PodVolumeProgress {
  readonly namespace: string;
  readonly pod: string;
  readonly volume: string;
  readonly phase: string;
  readonly bytesDone: number;
  readonly totalBytes: number;
  readonly message?: string;
}

/** A PodVolumeBackup's progress as describe shows it. */
export function podVolumeProgressOf(pvb: PodVolumeBackup): PodVolumeProgress {
  const { spec, status } = pvb;
  return {
    namespace: spec.pod.namespace,
    pod: spec.pod.name,
    volume: spec.volume,
    phase: status?.phase ?? "New",
    bytesDone: status?.progress?.bytesDone ?? 0,
    totalBytes: status?.progress?.totalBytes ?? 0,
    ...(status?.message ? { message: status.message } : {}),
  };
}

export interface RestoreView {
  readonly metadata: { readonly name: string; readonly creationTimestamp: string };
  readonly spec: RestoreRecord["spec"];
  readonly status: Omit<RestoreRecord["status"], "phase"> & {
    readonly phase: string;
    readonly validationErrors?: readonly string[];
  };
}

/** A server's Backup as the CLI shows it. The CRD schema has already checked the TTL's form. */
export function backupViewOf(backup: Backup): BackupView {
  const { spec, status, metadata } = backup;
  const labels = metadata.labels ?? {};
  return {
    metadata: {
      name: metadata.name,
      labels,
      creationTimestamp: metadata.creationTimestamp ?? "",
    },
    spec: {
      includedNamespaces: spec.includedNamespaces,
      excludedNamespaces: spec.excludedNamespaces,
      includedResources: spec.includedResources,
      excludedResources: spec.excludedResources,
      includeClusterResources: spec.includeClusterResources,
      ...(spec.labelSelector ? { labelSelector: spec.labelSelector } : {}),
      ...(spec.orLabelSelectors?.length ? { orLabelSelectors: spec.orLabelSelectors } : {}),
      ttlMs: parseDuration(spec.ttl, { what: "spec.ttl" }),
      storageLocation: spec.storageLocation ?? labels[LABELS.location] ?? "",
      labels,
      ...engineVolumeOptions(spec),
    },
    status: {
      ...status,
      phase: status?.phase ?? "New",
      errors: status?.errors ?? 0,
      warnings: status?.warnings ?? 0,
      progress: status?.progress ?? { itemsBackedUp: 0, totalItems: 0 },
    },
  };
}

/** A server's Restore as the CLI shows it. */
export function restoreViewOf(restore: Restore): RestoreView {
  const { spec, status, metadata } = restore;
  return {
    metadata: { name: metadata.name, creationTimestamp: metadata.creationTimestamp ?? "" },
    spec: { ...spec, orLabelSelectors: spec.orLabelSelectors ?? [] },
    status: {
      ...status,
      phase: status?.phase ?? "New",
      errors: status?.errors ?? 0,
      warnings: status?.warnings ?? 0,
      progress: status?.progress ?? { itemsRestored: 0, totalItems: 0 },
      skipped: status?.skipped ?? {},
    },
  };
}

/** Phases after which nothing changes any more. */
export const FINISHED_PHASES: ReadonlySet<string> = new Set([
  "Completed",
  "PartiallyFailed",
  "Failed",
  "FailedValidation",
]);

/** Why it did not run or failed: the validation errors or the failure reason. */
export function failureText(status: BackupView["status"] | RestoreView["status"]): string | undefined {
  if (status.validationErrors?.length) return status.validationErrors.join("; ");
  return status.failureReason;
}
