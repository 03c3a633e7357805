/**
 * Schedule strings as Velero users write them for `--schedule` (Velero parses them with
 * robfig/cron's ParseStandard, and we accept the same grammar):
 *
 *   "0 7 * * *"                          five fields: minute hour day-of-month month day-of-week
 *   "0 9-17/2 * JAN,JUL MON-FRI"        lists, ranges, steps and names
 *   "@daily", "@weekly", "@every 6h"     macros and fixed intervals
 *   "CRON_TZ=Europe/Berlin 0 3 * * *"    a time zone (TZ= works too)
 *
 * Parsing is the only place a schedule string is read; everything else works on the
 * Schedule value, which says exactly when it fires.
 */
import { parseDuration } from "../core/duration.js";
import { KubesnapError } from "../core/errors.js";
import { canonicalTimeZone } from "./zone.js";

/** The matching values of each cron field, sorted ascending and without duplicates. */
export interface CronFields {
  readonly minutes: readonly number[]; // 0-59
  readonly hours: readonly number[]; // 0-23
  readonly daysOfMonth: readonly number[]; // 1-31
  readonly months: readonly number[]; // 1-12
  readonly daysOfWeek: readonly number[]; // 0-6, 0 = Sunday
  /**
   * How the two day fields combine. Standard cron (and robfig/cron): when both are restricted
   * ("0 0 1,15 * MON"), a day matches if *either* does; when one starts with '*', a day must
   * match both, which means the other one alone decides.
   */
  readonly dayMatch: "either" | "both";
}

export type Schedule =
  | {
      readonly kind: "cron";
      /** The string as written, for messages and display. */
      readonly expression: string;
      /** The IANA zone the fields are read in; "UTC" unless one was given. */
      readonly timeZone: string;
      readonly fields: CronFields;
    }
  | {
      readonly kind: "every";
      readonly expression: string;
      /** Does not move the runs (an interval is the same in every zone); used for retention buckets. */
      readonly timeZone: string;
      /** Whole seconds, at least one. */
      readonly intervalMs: number;
    };

const EXAMPLE_HINT =
  'write five fields "minute hour day-of-month month day-of-week", e.g. "0 7 * * *" (07:00 every day), ' +
  'or a macro such as "@daily" or "@every 6h"';

const MONTH_NAMES = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const DAY_NAMES = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

interface FieldSpec {
  readonly label: string;
  readonly min: number;
  readonly max: number;
  /** Names for values, index 0 meaning `min`. */
  readonly names?: readonly string[];
  /** '?' means '*' (Quartz style, which robfig/cron accepts) only in the day fields. */
  readonly allowsQuestionMark: boolean;
}

const FIELDS: readonly FieldSpec[] = [
  { label: "minute", min: 0, max: 59, allowsQuestionMark: false },
  { label: "hour", min: 0, max: 23, allowsQuestionMark: false },
  { label: "day-of-month", min: 1, max: 31, allowsQuestionMark: true },
  { label: "month", min: 1, max: 12, names: MONTH_NAMES, allowsQuestionMark: false },
  // 7 is accepted as Sunday, as in Vixie cron; robfig/cron rejects it.
  { label: "day-of-week", min: 0, max: 7, names: DAY_NAMES, allowsQuestionMark: true },
];

const MACROS: Readonly<Record<string, string>> = {
  "@yearly": "0 0 1 1 *",
  "@annually": "0 0 1 1 *",
  "@monthly": "0 0 1 * *",
  "@weekly": "0 0 * * 0",
  "@daily": "0 0 * * *",
  "@midnight": "0 0 * * *",
  "@hourly": "0 * * * *",
};

/** Longest day of each month in any year (February 29 in leap years). */
const MAX_DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Parses a schedule string. The time zone comes from a `CRON_TZ=` or `TZ=` prefix or from
 * `options.timeZone` (the --timezone flag; "" counts as not given); naming two different zones
 * is an error, and with neither the schedule runs in UTC. (Velero uses the server's local zone,
 * which in its container is UTC too; kubesnap says so instead of depending on the host.)
 */
export function parseSchedule(text: string, options: { timeZone?: string } = {}): Schedule {
  const expression = text.trim();
  const fail = (problem: string, hint = EXAMPLE_HINT): never => {
    throw new KubesnapError("InvalidInput", `Invalid schedule "${expression}": ${problem}`, { hint });
  };
  if (expression === "") fail("it is empty");

  let body = expression;
  let timeZone: string | undefined;
  const prefix = /^(?:CRON_TZ|TZ)=(\S*)(?:\s+|$)/.exec(body);
  if (prefix) {
    const zone = prefix[1] ?? "";
    if (zone === "") fail("the time zone after the '=' is missing", 'e.g. "CRON_TZ=Europe/Berlin 0 7 * * *"');
    timeZone = canonicalTimeZone(zone, `schedule "${expression}"`);
    body = body.slice(prefix[0].length);
    if (body === "") fail(`nothing follows the time zone "${zone}"`);
  }
  if (options.timeZone !== undefined && options.timeZone !== "") {
    const given = canonicalTimeZone(options.timeZone);
    if (timeZone !== undefined && timeZone !== given) {
      fail(
        `it names time zone "${timeZone}" but time zone "${given}" was given as well`,
        "give the time zone once: either the CRON_TZ= prefix or --timezone",
      );
    }
    timeZone = given;
  }
  timeZone ??= "UTC";

  if (body.startsWith("@")) {
    const [macro = "", ...rest] = body.split(/\s+/);
    const name = macro.toLowerCase();
    if (name === "@every") {
      if (rest.length !== 1) fail('"@every" takes one duration', 'e.g. "@every 6h" or "@every 90m"');
      return { kind: "every", expression, timeZone, intervalMs: parseInterval(rest[0] ?? "", expression) };
    }
    const fields = MACROS[name];
    if (fields === undefined) {
      fail(`unknown macro "${macro}"`, `use one of ${[...Object.keys(MACROS), "@every 6h"].join(", ")}`);
    }
    if (rest.length > 0) fail(`"${macro}" takes nothing after it, found "${rest.join(" ")}"`);
    return { kind: "cron", expression, timeZone, fields: parseFields(fields ?? "", fail) };
  }
  return { kind: "cron", expression, timeZone, fields: parseFields(body, fail) };
}

/** "@every" intervals: whole seconds, as robfig/cron rounds them, and at least one. */
function parseInterval(text: string, expression: string): number {
  const hint = 'write an interval such as "@every 6h" or "@every 90m", or five fields such as "0 7 * * *"';
  let ms: number;
  try {
    ms = parseDuration(text, { what: `schedule "${expression}"` });
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new KubesnapError("InvalidInput", message, { hint, cause });
  }
  if (ms < 1000 || ms % 1000 !== 0) {
    throw new KubesnapError(
      "InvalidInput",
      `Invalid schedule "${expression}": the interval must be a whole number of seconds, at least 1s`,
      { hint },
    );
  }
  return ms;
}

function parseFields(body: string, fail: (problem: string) => never): CronFields {
  const parts = body.split(/\s+/);
  if (parts.length !== FIELDS.length) {
    const extra = parts.length === 6 ? " (kubesnap, like Velero, has no seconds field)" : "";
    fail(`expected 5 fields (minute hour day-of-month month day-of-week), found ${parts.length}${extra}`);
  }
  const [minutes, hours, daysOfMonth, months, rawDaysOfWeek] = FIELDS.map((spec, i) =>
    parseField(parts[i] ?? "", spec, fail),
  ) as [Parsed, Parsed, Parsed, Parsed, Parsed];
  // Sunday is both 0 and 7; keep it as 0 only.
  const daysOfWeek = sortedUnique(rawDaysOfWeek.values.map((day) => day % 7));

  const fields: CronFields = {
    minutes: minutes.values,
    hours: hours.values,
    daysOfMonth: daysOfMonth.values,
    months: months.values,
    daysOfWeek,
    dayMatch: daysOfMonth.starred || rawDaysOfWeek.starred ? "both" : "either",
  };
  // With the weekday free, the day of month alone decides, and "0 0 30 2 *" would never run.
  // (The search would give up after years; saying so now is kinder.)
  if (rawDaysOfWeek.starred) {
    const possible = fields.months.some((month) =>
      fields.daysOfMonth.some((day) => day <= (MAX_DAYS_IN_MONTH[month - 1] ?? 31)),
    );
    if (!possible) {
      fail(`day-of-month "${parts[2]}" never occurs in month "${parts[3]}", so it would never run`);
    }
  }
  return fields;
}

interface Parsed {
  readonly values: number[];
  /** Written with a leading '*' or '?', which makes a day field unrestricted (see dayMatch). */
  readonly starred: boolean;
}

function parseField(text: string, spec: FieldSpec, fail: (problem: string) => never): Parsed {
  const values: number[] = [];
  let starred = false;
  const bad = (problem: string): never => fail(`${spec.label} "${text}" ${problem}`);

  for (const item of text.split(",")) {
    if (item === "") bad("has an empty list item");
    const [range = "", step, ...more] = item.split("/");
    if (more.length > 0) bad(`has more than one '/' in "${item}"`);

    let low: number;
    let high: number;
    if (range === "*" || (range === "?" && spec.allowsQuestionMark)) {
      starred = true;
      low = spec.min;
      // '*' in day-of-week means 0-6; 7 is only an alias for Sunday.
      high = spec.label === "day-of-week" ? 6 : spec.max;
    } else {
      const [first = "", last, ...extra] = range.split("-");
      if (extra.length > 0) bad(`has more than one '-' in "${item}"`);
      low = parseValue(first, spec, bad);
      // "5/15" means from 5 to the end, as robfig/cron reads it.
      high = last !== undefined ? parseValue(last, spec, bad) : step !== undefined ? spec.max : low;
      if (low > high) bad(`has a range "${range}" that runs backwards`);
    }

    let every = 1;
    if (step !== undefined) {
      if (!/^\d+$/.test(step) || Number(step) === 0)
        bad(`has a step "${step}" that is not a whole number ≥ 1`);
      every = Number(step);
    }
    for (let value = low; value <= high; value += every) values.push(value);
  }
  return { values: sortedUnique(values), starred };
}

function parseValue(text: string, spec: FieldSpec, bad: (problem: string) => never): number {
  if (/^\d+$/.test(text)) {
    const value = Number(text);
    if (value < spec.min || value > spec.max) bad(`has ${value}, outside ${spec.min}-${spec.max}`);
    return value;
  }
  const index = spec.names?.indexOf(text.toLowerCase()) ?? -1;
  if (index >= 0) return spec.min + index;
  const names =
    spec.names === undefined
      ? ""
      : ` or a name (${spec.names[0]?.toUpperCase()}-${spec.names.at(-1)?.toUpperCase()})`;
  return bad(`has "${text}", which is not a number${names}`);
}

function sortedUnique(values: readonly number[]): number[] {
  return [...new Set(values)].sort((a, b) => a - b);
}
