/**
 * Finding the wall-clock minutes that cron fields match, forwards and backwards, field by
 * field: a month that does not match is skipped whole, then a day, then an hour, so a search
 * costs a few steps per field however far away the answer is (never minute by minute).
 * Times are wall times (see zone.ts): pure calendar arithmetic, no time zones here.
 */
import type { CronFields } from "./cron.js";

const MINUTE_MS = 60_000;

// How far a search looks before giving up. The rarest schedules that parse, such as
// "0 0 29 2 */7" (February 29, if it is a Sunday), come round every 28 years.
const HORIZON_MS = 30 * 366 * 86_400_000;

/** The first wall-clock minute strictly after `wallTime` that the fields match. */
export function nextMatch(fields: CronFields, wallTime: number): number | undefined {
  let t = Math.floor(wallTime / MINUTE_MS) * MINUTE_MS + MINUTE_MS;
  const limit = t + HORIZON_MS;
  while (t <= limit) {
    const d = new Date(t);
    const [year, month, day, hour, minute] = [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
    ];
    // Date.UTC normalises overflow (month 13, day 32, hour 24), which carries into the next field.
    if (!fields.months.includes(month)) {
      const next = firstAtLeast(fields.months, month);
      t =
        next === undefined ? Date.UTC(year + 1, (fields.months[0] ?? 1) - 1, 1) : Date.UTC(year, next - 1, 1);
    } else if (!dayMatches(fields, d)) {
      t = Date.UTC(year, month - 1, day + 1);
    } else if (!fields.hours.includes(hour)) {
      const next = firstAtLeast(fields.hours, hour);
      t = next === undefined ? Date.UTC(year, month - 1, day + 1) : Date.UTC(year, month - 1, day, next);
    } else if (!fields.minutes.includes(minute)) {
      const next = firstAtLeast(fields.minutes, minute);
      t =
        next === undefined
          ? Date.UTC(year, month - 1, day, hour + 1)
          : Date.UTC(year, month - 1, day, hour, next);
    } else {
      return t;
    }
  }
  return undefined;
}

/** The last wall-clock minute at or before `wallTime` that the fields match. */
export function previousMatch(fields: CronFields, wallTime: number): number | undefined {
  let t = Math.floor(wallTime / MINUTE_MS) * MINUTE_MS;
  const limit = t - HORIZON_MS;
  while (t >= limit) {
    const d = new Date(t);
    const [year, month, day, hour, minute] = [
      d.getUTCFullYear(),
      d.getUTCMonth() + 1,
      d.getUTCDate(),
      d.getUTCHours(),
      d.getUTCMinutes(),
    ];
    // Day 0 of a month is the last day of the one before; hour -1 is 23:00 the day before.
    if (!fields.months.includes(month)) {
      const previous = lastAtMost(fields.months, month);
      t =
        previous === undefined
          ? Date.UTC(year - 1, fields.months.at(-1) ?? 12, 0, 23, 59)
          : Date.UTC(year, previous, 0, 23, 59);
    } else if (!dayMatches(fields, d)) {
      t = Date.UTC(year, month - 1, day - 1, 23, 59);
    } else if (!fields.hours.includes(hour)) {
      const previous = lastAtMost(fields.hours, hour);
      t =
        previous === undefined
          ? Date.UTC(year, month - 1, day - 1, 23, 59)
          : Date.UTC(year, month - 1, day, previous, 59);
    } else if (!fields.minutes.includes(minute)) {
      const previous = lastAtMost(fields.minutes, minute);
      t =
        previous === undefined
          ? Date.UTC(year, month - 1, day, hour - 1, 59)
          : Date.UTC(year, month - 1, day, hour, previous);
    } else {
      return t;
    }
  }
  return undefined;
}

/** Whether the fields match the day of `date` (a wall time as a Date read in UTC). */
function dayMatches(fields: CronFields, date: Date): boolean {
  const byMonthDay = fields.daysOfMonth.includes(date.getUTCDate());
  const byWeekday = fields.daysOfWeek.includes(date.getUTCDay());
  return fields.dayMatch === "either" ? byMonthDay || byWeekday : byMonthDay && byWeekday;
}

function firstAtLeast(sorted: readonly number[], value: number): number | undefined {
  return sorted.find((candidate) => candidate >= value);
}

function lastAtMost(sorted: readonly number[], value: number): number | undefined {
  return sorted.findLast((candidate) => candidate <= value);
}
