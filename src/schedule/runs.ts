/**
 * When a schedule runs. Pure: the caller passes every time, including "now".
 *
 * Cron fields are read on the wall clock of the schedule's zone, and the two days a year that
 * clock misbehaves are settled like this:
 *
 * - Spring forward: a wall time that does not exist that day (02:30 in Europe/Berlin on the
 *   last Sunday of March) does not run that day. This is what robfig/cron, Velero's library,
 *   does. Running it at 03:00 instead, as Vixie cron does, would be defensible too, but then a
 *   job would run at a time its schedule does not name.
 * - Fall back: a wall time that happens twice (02:30 on the last Sunday of October in Berlin)
 *   runs once, at its first occurrence. Here kubesnap differs from robfig/cron, which runs it
 *   twice, an hour apart: a second identical backup is never what "daily at 02:30" meant. The
 *   price is paid by schedules finer than a day, which skip the repeated hour: "0 * * * *"
 *   runs at 01:00 EDT and then 02:00 EST in New York, two real hours apart, once a year.
 *
 * A cron run time is therefore always the first instant its wall clock shows one of the
 * schedule's times; "@every" ignores wall clocks and zones entirely.
 */
import { KubesnapError } from "../core/errors.js";
import type { Schedule } from "./cron.js";
import { nextMatch, previousMatch } from "./cron-match.js";
import { instantsOfWallTime, wallTimeOf } from "./zone.js";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;

/**
 * Wall times tried before giving up. Only candidates inside gaps and overlaps are rejected, at
 * most one per minute of them, so real zones never come near this.
 */
const MAX_CANDIDATES = 10_000;

type CronSchedule = Extract<Schedule, { kind: "cron" }>;

/**
 * The first run strictly after `after`. For "@every D" that is `after + D` (to the whole
 * second, as robfig/cron counts), so pass the previous run, or the creation time before the
 * first run.
 */
export function nextRun(schedule: Schedule, after: Date): Date {
  const afterMs = checkedTime(schedule, after, "after");
  if (schedule.kind === "every") return new Date(floorToSecond(afterMs) + schedule.intervalMs);

  let wallTime = wallTimeOf(afterMs, schedule.timeZone);
  for (let tries = 0; tries < MAX_CANDIDATES; tries++) {
    const candidate = nextMatch(schedule.fields, wallTime);
    if (candidate === undefined) break;
    // Candidates come in wall-clock order and their first instants in the same order, so the
    // first one past `after` is the answer. Just after a fall-back, the earliest candidates'
    // first instants still lie before `after`: they are the repeated times, already run.
    const first = instantsOfWallTime(candidate, schedule.timeZone)[0];
    if (first !== undefined && first > afterMs) return new Date(first);
    wallTime = candidate;
  }
  throw new KubesnapError(
    "InvalidInput",
    `Schedule "${schedule.expression}" has no run time in the 30 years after ${after.toISOString()}`,
    { hint: 'check the day-of-month and month fields, e.g. "0 7 * * *" runs at 07:00 every day' },
  );
}

/**
 * The one run that is due at `now`, or undefined. After downtime the missed runs collapse into
 * the latest of them: a daily schedule down for a week runs once, not seven times.
 *
 * - With `lastRun` (the run time this function returned last time, not when the backup
 *   actually started), the latest run time after it and at or before `now` is due.
 * - A new schedule (no `lastRun`) runs at once, as in Velero; its run time is `created`, or the
 *   latest scheduled time if that is later (the controller noticed the schedule late).
 * - With `skipImmediately`, a new schedule waits for its first scheduled time after `created`.
 *
 * Run times are deterministic for the same inputs, so a controller that crashes after creating
 * the backup derives the same backup name again instead of a duplicate backup.
 */
export function dueRun(
  schedule: Schedule,
  options: { lastRun?: Date; created: Date; now: Date; skipImmediately?: boolean },
): Date | undefined {
  const now = checkedTime(schedule, options.now, "now");
  const created = floorToSecond(checkedTime(schedule, options.created, "created"));
  const lastRun =
    options.lastRun === undefined ? undefined : checkedTime(schedule, options.lastRun, "lastRun");
  const isNew = lastRun === undefined;
  if (isNew && now < created) return undefined;

  if (schedule.kind === "every") {
    const anchor = lastRun === undefined ? created : floorToSecond(lastRun);
    const steps = Math.floor((now - anchor) / schedule.intervalMs);
    const fewest = isNew && options.skipImmediately !== true ? 0 : 1;
    return steps >= fewest ? new Date(anchor + steps * schedule.intervalMs) : undefined;
  }

  const latest = previousRun(schedule, now);
  if (lastRun !== undefined) return latest !== undefined && latest > lastRun ? new Date(latest) : undefined;
  if (latest !== undefined && latest > created) return new Date(latest);
  return options.skipImmediately === true ? undefined : new Date(created);
}

/** The latest cron run time at or before `at` (ms), or undefined within the search horizon. */
function previousRun(schedule: CronSchedule, at: number): number | undefined {
  const { fields, timeZone } = schedule;
  // Start from the largest wall time whose first instant could be ≤ at. In the second pass of
  // a fall-back the clock reads earlier than wall times that already ran, so take the larger
  // of today's and yesterday's offsets.
  const offsetNow = wallTimeOf(at, timeZone) - at;
  const offsetBefore = wallTimeOf(at - DAY_MS, timeZone) - (at - DAY_MS);
  let candidate = previousMatch(fields, at + Math.max(offsetNow, offsetBefore));
  for (let tries = 0; candidate !== undefined && tries < MAX_CANDIDATES; tries++) {
    const first = instantsOfWallTime(candidate, timeZone)[0];
    if (first !== undefined && first <= at) return first;
    candidate = previousMatch(fields, candidate - MINUTE_MS);
  }
  return undefined;
}

function checkedTime(schedule: Schedule, time: Date, what: string): number {
  const ms = time.getTime();
  if (Number.isNaN(ms)) {
    throw new KubesnapError(
      "InvalidInput",
      `Cannot compute runs of schedule "${schedule.expression}": "${what}" is an invalid date`,
    );
  }
  return ms;
}

function floorToSecond(ms: number): number {
  return Math.floor(ms / 1000) * 1000;
}
