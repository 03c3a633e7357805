/**
 * Wall clocks in IANA time zones, through Intl.DateTimeFormat (Node ships full ICU, so every
 * zone and its daylight saving history is there; no tz database of our own).
 *
 * A *wall time* here is a plain number: the reading of a wall clock (year … second) encoded as
 * if it were UTC milliseconds. Calendar arithmetic on it (Date.UTC with overflowing fields)
 * then never meets a daylight saving change; only the two functions below cross between wall
 * times and real instants, and they are where the gaps and overlaps of a zone show.
 */
import { KubesnapError } from "../core/errors.js";

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** Memoised: building a DateTimeFormat costs far more than using one. */
function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (format === undefined) {
    format = new Intl.DateTimeFormat("en-US", {
      timeZone,
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      // h23, not hour12: false, which some ICU versions render as "24" at midnight.
      hourCycle: "h23",
    });
    formatters.set(timeZone, format);
  }
  return format;
}

/**
 * The zone's canonical spelling ("europe/berlin" → "Europe/Berlin"), or a KubesnapError naming
 * the zone. `context` says where it was written, e.g. `schedule "CRON_TZ=… 0 7 * * *"`.
 */
export function canonicalTimeZone(timeZone: string, context?: string): string {
  try {
    return formatterFor(timeZone).resolvedOptions().timeZone;
  } catch (cause) {
    const where = context === undefined ? "" : ` in ${context}`;
    throw new KubesnapError("InvalidInput", `Unknown time zone "${timeZone}"${where}`, {
      hint: 'use an IANA time zone name such as "UTC", "Europe/Berlin" or "America/New_York"',
      cause,
    });
  }
}

/** What a wall clock in `timeZone` shows at `instant` (both in ms; see the module comment). */
export function wallTimeOf(instant: number, timeZone: string): number {
  if (timeZone === "UTC") return instant;
  const fields = { year: 0, month: 1, day: 1, hour: 0, minute: 0, second: 0 };
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type in fields) fields[part.type as keyof typeof fields] = Number(part.value);
  }
  const whole = Date.UTC(
    fields.year,
    fields.month - 1,
    fields.day,
    fields.hour,
    fields.minute,
    fields.second,
  );
  // The formatter stops at seconds; carry the milliseconds over unchanged.
  return whole + (((instant % 1000) + 1000) % 1000);
}

/**
 * Every instant at which a wall clock in `timeZone` shows `wallTime`, earliest first: one
 * normally, none inside a spring-forward gap, two inside a fall-back overlap.
 */
export function instantsOfWallTime(wallTime: number, timeZone: string): number[] {
  if (timeZone === "UTC") return [wallTime];
  // The offsets in force a day either side cover any transition near this wall time (real
  // zones change at most once within a day), so each candidate is the wall time shifted by one
  // of them, and a candidate is right when the clock really shows the wall time then.
  const offsets = new Set(
    [wallTime - DAY_MS, wallTime, wallTime + DAY_MS].map((at) => wallTimeOf(at, timeZone) - at),
  );
  const instants = [...offsets]
    .map((offset) => wallTime - offset)
    .filter((instant) => wallTimeOf(instant, timeZone) === wallTime);
  return [...new Set(instants)].sort((a, b) => a - b);
}
