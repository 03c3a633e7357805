/**
 * Which of a schedule's backups to keep: grandfather-father-son rules with the meaning
 * `restic forget` gives them. Each rule walks the backups newest first and keeps the newest
 * backup of each of the last N distinct hours / days / ISO weeks / months that have one (keepLast:
 * the newest N backups). Rules are independent, so one backup may be kept by several, and a
 * backup no rule keeps is removed. Hours, days, weeks and months are read on the wall clock of
 * the schedule's zone, so "daily" means the zone's days. Pure: the caller deletes.
 *
 * Unlike restic, whose snapshots are all complete, backups have phases, and only restorable
 * ones count: a Failed backup must never take the "daily" slot of a day whose Completed backup
 * would then be removed.
 *
 * - Completed and PartiallyFailed backups count (both can be restored; Velero restores a
 *   PartiallyFailed one on request), and are kept or removed by the rules.
 * - Failed and FailedValidation backups hold nothing worth restoring: they are removed.
 * - New and InProgress backups are still being written: always kept, and so is a backup in a
 *   phase this module does not know (never delete what may be in use).
 * - Deleting backups are already going: they appear in neither list.
 * - A backup whose start time is unknown cannot be placed in any bucket: always kept.
 * - With no rule at all (every count absent or 0) nothing is removed, as in restic: an empty
 *   policy is far more likely a mistake than a wish to delete every backup.
 */
import { KubesnapError } from "../core/errors.js";
import { canonicalTimeZone, wallTimeOf } from "./zone.js";

/** Every phase a backup can have (the union of src/backup's and the Backup resource's). */
export type RetentionPhase =
  | "New"
  | "FailedValidation"
  | "InProgress"
  | "Completed"
  | "PartiallyFailed"
  | "Failed"
  | "Deleting";

export interface RetentionBackup {
  readonly name: string;
  readonly startTime: Date;
  readonly phase: RetentionPhase;
}

export interface RetentionPolicy {
  readonly keepLast?: number;
  readonly keepHourly?: number;
  readonly keepDaily?: number;
  readonly keepWeekly?: number;
  readonly keepMonthly?: number;
}

export interface RetentionDecision {
  /** Backups to keep, newest first, each with why: "last 1", "daily 2026-11-25", "unfinished (InProgress)". */
  readonly keep: Map<string, string[]>;
  /** Backups to delete, newest first. */
  readonly remove: string[];
}

const DAY_MS = 86_400_000;

interface Rule {
  readonly option: keyof RetentionPolicy;
  /** The bucket a backup falls in, as shown in its reason ("daily 2026-11-25"). */
  readonly bucket: (wall: Date, rank: number) => string;
}

const RULES: readonly Rule[] = [
  { option: "keepLast", bucket: (_, rank) => `last ${rank}` },
  { option: "keepHourly", bucket: (wall) => `hourly ${isoDate(wall)} ${pad(wall.getUTCHours())}:00` },
  { option: "keepDaily", bucket: (wall) => `daily ${isoDate(wall)}` },
  { option: "keepWeekly", bucket: (wall) => `weekly ${isoWeek(wall)}` },
  { option: "keepMonthly", bucket: (wall) => `monthly ${isoDate(wall).slice(0, 7)}` },
];

/** Decides which backups the policy keeps and which it removes (see the module comment). */
export function planRetention(
  backups: readonly RetentionBackup[],
  policy: RetentionPolicy,
  options: { timeZone: string },
): RetentionDecision {
  const timeZone = canonicalTimeZone(options.timeZone);
  const rules = RULES.flatMap((rule) => {
    const count = policy[rule.option];
    if (count === undefined) return [];
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new KubesnapError(
        "InvalidInput",
        `Invalid retention rule ${rule.option}=${count}: it must be a whole number ≥ 0`,
        {
          hint: "e.g. keepDaily: 7 keeps the newest backup of each of the last 7 days",
        },
      );
    }
    return count > 0 ? [{ ...rule, count }] : [];
  });

  // Newest first; equal start times in a fixed order, so the same input always decides the same.
  // Unknown start times sort last; they are kept anyway.
  const startOf = (backup: RetentionBackup) => {
    const ms = backup.startTime.getTime();
    return Number.isNaN(ms) ? Number.NEGATIVE_INFINITY : ms;
  };
  const newestFirst = [...backups].sort((a, b) => compare(startOf(b), startOf(a)) || compare(b.name, a.name));
  const reasons = new Map<string, string[]>(newestFirst.map((backup) => [backup.name, []]));
  const counted: { readonly name: string; readonly wall: Date }[] = [];
  const removable = new Set<string>();

  for (const backup of newestFirst) {
    const why = reasons.get(backup.name) ?? [];
    if (backup.phase === "Deleting") reasons.delete(backup.name);
    else if (rules.length === 0) why.push("no keep rules");
    else if (Number.isNaN(backup.startTime.getTime())) why.push("start time unknown");
    else if (backup.phase === "Completed" || backup.phase === "PartiallyFailed") {
      counted.push({ name: backup.name, wall: new Date(wallTimeOf(backup.startTime.getTime(), timeZone)) });
      removable.add(backup.name);
    } else if (backup.phase === "Failed" || backup.phase === "FailedValidation") removable.add(backup.name);
    // New, InProgress, and any phase this code does not know: never delete what may be in use.
    else why.push(`unfinished (${backup.phase})`);
  }

  for (const rule of rules) {
    let left = rule.count;
    let lastBucket: string | undefined;
    for (const [index, backup] of counted.entries()) {
      if (left === 0) break;
      const bucket = rule.bucket(backup.wall, index + 1);
      // Newest first, so the first backup seen in a bucket is that bucket's newest.
      if (bucket === lastBucket) continue;
      lastBucket = bucket;
      reasons.get(backup.name)?.push(bucket);
      left--;
    }
  }

  const keep = new Map<string, string[]>();
  const remove: string[] = [];
  for (const [name, why] of reasons) {
    if (why.length > 0) keep.set(name, why);
    else if (removable.has(name)) remove.push(name);
  }
  return { keep, remove };
}

/** "2026-11-25" for a wall time held in a Date's UTC fields. */
function isoDate(wall: Date): string {
  return `${wall.getUTCFullYear()}-${pad(wall.getUTCMonth() + 1)}-${pad(wall.getUTCDate())}`;
}

/**
 * ISO 8601 week, "2026-W48": weeks start on Monday and belong to the year of their Thursday,
 * so 2027-01-01 (a Friday) is in 2026-W53.
 */
function isoWeek(wall: Date): string {
  const date = Date.UTC(wall.getUTCFullYear(), wall.getUTCMonth(), wall.getUTCDate());
  const mondayBased = (wall.getUTCDay() + 6) % 7;
  const thursday = new Date(date + (3 - mondayBased) * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = 1 + Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS));
  return `${year}-W${pad(week)}`;
}

function compare<T extends number | string>(a: T, b: T): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function pad(value: number): string {
  return String(value).padStart(2, "0");
}
