/**
 * What a schedule calls its backups. Velero names them `<schedule>-<yyyyMMddHHmmss>` and
 * labels them with the schedule's name, and users find them by both; so do we.
 */
import { timestampSuffix, validateName } from "../core/timestamp.js";

/** The label on every backup a schedule creates; its value is the schedule's name. */
export const SCHEDULE_NAME_LABEL = "kubesnap.io/schedule-name";

/**
 * "nightly-20261126070000" for the run at 2026-11-26 07:00 UTC. The time is the run time from
 * dueRun, not the moment the backup starts, so the same run always gets the same name and a
 * controller retrying after a crash finds its backup instead of making a second one. UTC
 * whatever the schedule's zone, so names sort in time order across daylight saving changes.
 */
export function scheduledBackupName(scheduleName: string, runTime: Date): string {
  return validateName(`${scheduleName}-${timestampSuffix(runTime)}`, "backup");
}

/** What latestScheduledBackup reads of a backup, whichever mode listed it. */
export interface ScheduledBackupFacts {
  readonly metadata: { readonly name: string; readonly labels: Readonly<Record<string, string>> };
  readonly status: { readonly phase: string; readonly startTimestamp?: string };
}

/**
 * The backup `restore create --from-schedule` restores: the schedule's newest Completed one
 * (PartiallyFailed ones too when allowed), by the time it started, as Velero picks it. A
 * backup still running or failed is never chosen: restoring half a backup is no recovery.
 */
export function latestScheduledBackup<B extends ScheduledBackupFacts>(
  backups: readonly B[],
  schedule: string,
  options: { readonly allowPartiallyFailed: boolean },
): B | undefined {
  const restorable = new Set(options.allowPartiallyFailed ? ["Completed", "PartiallyFailed"] : ["Completed"]);
  const started = (b: B) => b.status.startTimestamp ?? "";
  return backups
    .filter((b) => b.metadata.labels[SCHEDULE_NAME_LABEL] === schedule && restorable.has(b.status.phase))
    .sort(
      (a, b) => started(b).localeCompare(started(a)) || b.metadata.name.localeCompare(a.metadata.name),
    )[0];
}
