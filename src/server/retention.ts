import type { Backup, Schedule } from "../api/index.js";
import { planRetention, type RetentionDecision, type RetentionPhase } from "../schedule/index.js";

/**
 * A schedule's keep rules applied to its backups, in the schedule's time zone; undefined
 * when it has no rules (then each backup lives for its TTL). One place for the schedule
 * controller (what to delete), the expiry controller (what outlives its TTL) and
 * `schedule describe` (what each rule keeps).
 */
export function scheduleRetention(
  schedule: Schedule,
  backups: readonly Backup[],
): RetentionDecision | undefined {
  const keep = schedule.spec.keep;
  if (!keep || Object.values(keep).every((n) => !n)) return undefined;
  return planRetention(
    backups.map((b) => ({
      name: b.metadata.name,
      startTime: new Date(b.status?.startTimestamp ?? b.metadata.creationTimestamp ?? 0),
      phase: (b.status?.phase ?? "New") as RetentionPhase,
    })),
    keep,
    { timeZone: schedule.spec.timeZone ?? "UTC" },
  );
}
