import type { Backup } from "../api/index.js";
import {
  planRetention,
  type RetentionDecision,
  type RetentionPhase,
  type RetentionPolicy,
} from "../schedule/index.js";

/** What keeps backups by rules: a Schedule, or a Trigger (which has no time zone: UTC). */
export interface KeepsBackups {
  readonly spec: { readonly keep?: RetentionPolicy; readonly timeZone?: string };
}

/**
 * A schedule's (or trigger's) keep rules applied to its backups, in the schedule's time zone; undefined
 * when it has no rules (then each backup lives for its TTL). One place for the schedule
 * and trigger controllers (what to delete), the expiry controller (what outlives its TTL) and
 * `schedule describe` (what each rule keeps).
 */
export function scheduleRetention(
  schedule: KeepsBackups,
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
