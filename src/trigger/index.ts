/**
 * Triggers: backups taken when watched objects change. Everything here is pure (what to
 * watch, which changes count, when a window of changes is due, what its backup looks like);
 * the server's trigger controller watches, keeps the clock and writes.
 */
export {
  backupCause,
  describeCause,
  TRIGGER_CAUSE_ANNOTATION,
  TRIGGER_NAME_LABEL,
  type TriggeredBackup,
  triggeredBackup,
} from "./backup.js";
export { type Change, eventOf, specFingerprint, WatchedObjects } from "./changes.js";
export { type CheckResult, checkTrigger, resolveWatched, type WatchPlan, type WatchTarget } from "./check.js";
export {
  decideWindow,
  MAX_WAIT_DEBOUNCES,
  mergeWindows,
  recordChange,
  type WindowDecision,
} from "./window.js";
