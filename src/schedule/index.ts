/**
 * Schedules: when backups run (cron and "@every", in a time zone) and which of them to keep.
 * Everything here is pure; the server's schedule controller supplies the clock and does the I/O.
 */
export { type CronFields, parseSchedule, type Schedule } from "./cron.js";
export {
  latestScheduledBackup,
  SCHEDULE_NAME_LABEL,
  type ScheduledBackupFacts,
  scheduledBackupName,
} from "./names.js";
export {
  planRetention,
  type RetentionBackup,
  type RetentionDecision,
  type RetentionPhase,
  type RetentionPolicy,
} from "./retention.js";
export { dueRun, nextRun } from "./runs.js";
