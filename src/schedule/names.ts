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
