import { describe, expect, it } from "vitest";
import { errorOf } from "../core/error-of.test-helper.js";
import { type CronFields, parseSchedule, type Schedule } from "./cron.js";

function fieldsOf(text: string): CronFields {
  const schedule = parseSchedule(text);
  if (schedule.kind !== "cron") throw new Error(`${text} is not a cron schedule`);
  return schedule.fields;
}

const range = (low: number, high: number, step = 1): number[] =>
  Array.from({ length: Math.floor((high - low) / step) + 1 }, (_, i) => low + i * step);

describe("parseSchedule: cron fields", () => {
  it("reads a plain daily schedule in UTC", () => {
    expect(parseSchedule("0 7 * * *")).toEqual({
      kind: "cron",
      expression: "0 7 * * *",
      timeZone: "UTC",
      fields: {
        minutes: [0],
        hours: [7],
        daysOfMonth: range(1, 31),
        months: range(1, 12),
        daysOfWeek: range(0, 6),
        dayMatch: "both",
      },
    } satisfies Schedule);
  });

  it("reads lists, ranges and steps in every field", () => {
    const fields = fieldsOf("5,10-12,*/20 9-17/4 1-7,15 */3 1-5/2");
    expect(fields.minutes).toEqual([0, 5, 10, 11, 12, 20, 40]);
    expect(fields.hours).toEqual([9, 13, 17]);
    expect(fields.daysOfMonth).toEqual([1, 2, 3, 4, 5, 6, 7, 15]);
    expect(fields.months).toEqual([1, 4, 7, 10]);
    expect(fields.daysOfWeek).toEqual([1, 3, 5]);
  });

  it("reads a single start with a step as running to the end of the field, as robfig/cron does", () => {
    expect(fieldsOf("5/15 * * * *").minutes).toEqual([5, 20, 35, 50]);
    expect(fieldsOf("0 20/2 * * *").hours).toEqual([20, 22]);
  });

  it("reads month and weekday names in any case, alone, in ranges and in lists", () => {
    const fields = fieldsOf("0 7 * JAN,mar-May,Dec MON-FRI");
    expect(fields.months).toEqual([1, 3, 4, 5, 12]);
    expect(fields.daysOfWeek).toEqual([1, 2, 3, 4, 5]);
    expect(fieldsOf("0 7 * * sun,SAT").daysOfWeek).toEqual([0, 6]);
  });

  it("takes 7 as Sunday, and '?' as '*' in the day fields", () => {
    expect(fieldsOf("0 0 * * 5-7").daysOfWeek).toEqual([0, 5, 6]);
    expect(fieldsOf("0 0 * * 7").daysOfWeek).toEqual([0]);
    expect(fieldsOf("0 0 ? * MON")).toMatchObject({ daysOfMonth: range(1, 31), dayMatch: "both" });
  });

  it("ORs the day fields only when both are restricted", () => {
    expect(fieldsOf("0 0 1,15 * MON").dayMatch).toBe("either");
    expect(fieldsOf("0 0 * * MON").dayMatch).toBe("both");
    expect(fieldsOf("0 0 1 * *").dayMatch).toBe("both");
    // A leading '*' counts as unrestricted even with a step, as in Vixie cron and robfig/cron.
    expect(fieldsOf("0 0 */2 * MON").dayMatch).toBe("both");
  });

  it("ignores surrounding and repeated whitespace", () => {
    expect(parseSchedule("  0   7\t* * *  ")).toMatchObject({ expression: "0   7\t* * *", kind: "cron" });
  });
});

describe("parseSchedule: macros and intervals", () => {
  it.each([
    ["@yearly", "0 0 1 1 *"],
    ["@annually", "0 0 1 1 *"],
    ["@monthly", "0 0 1 * *"],
    ["@weekly", "0 0 * * 0"],
    ["@daily", "0 0 * * *"],
    ["@midnight", "0 0 * * *"],
    ["@hourly", "0 * * * *"],
  ])("%s means %s", (macro, fields) => {
    expect(fieldsOf(macro)).toEqual(fieldsOf(fields));
    expect(parseSchedule(macro).expression).toBe(macro);
  });

  it("reads @every with Go durations", () => {
    expect(parseSchedule("@every 6h")).toEqual({
      kind: "every",
      expression: "@every 6h",
      timeZone: "UTC",
      intervalMs: 6 * 3_600_000,
    } satisfies Schedule);
    expect(parseSchedule("@every 90m")).toMatchObject({ intervalMs: 90 * 60_000 });
    expect(parseSchedule("@every 1h30m10s")).toMatchObject({ intervalMs: 5_410_000 });
    expect(parseSchedule("@EVERY 7d")).toMatchObject({ intervalMs: 7 * 86_400_000 });
  });

  it("rejects intervals that are not whole seconds or not durations", () => {
    const zero = errorOf(() => parseSchedule("@every 0s"));
    expect(zero.message).toBe(
      'Invalid schedule "@every 0s": the interval must be a whole number of seconds, at least 1s',
    );
    expect(errorOf(() => parseSchedule("@every 1500ms")).message).toContain("whole number of seconds");
    const unit = errorOf(() => parseSchedule("@every 6x"));
    expect(unit.code).toBe("InvalidInput");
    expect(unit.message).toBe('Invalid duration "6x" for schedule "@every 6x": unknown unit "x"');
    expect(unit.hint).toContain('"@every 6h"');
    expect(errorOf(() => parseSchedule("@every")).message).toBe(
      'Invalid schedule "@every": "@every" takes one duration',
    );
  });

  it("rejects unknown macros and macros with extra words", () => {
    const unknown = errorOf(() => parseSchedule("@fortnightly"));
    expect(unknown.message).toBe('Invalid schedule "@fortnightly": unknown macro "@fortnightly"');
    expect(unknown.hint).toContain("@daily");
    expect(errorOf(() => parseSchedule("@daily 7")).message).toBe(
      'Invalid schedule "@daily 7": "@daily" takes nothing after it, found "7"',
    );
  });
});

describe("parseSchedule: time zones", () => {
  it("reads CRON_TZ= and TZ= prefixes and spells the zone canonically", () => {
    expect(parseSchedule("CRON_TZ=Europe/Berlin 0 3 * * *")).toMatchObject({
      kind: "cron",
      expression: "CRON_TZ=Europe/Berlin 0 3 * * *",
      timeZone: "Europe/Berlin",
      fields: { hours: [3] },
    });
    expect(parseSchedule("TZ=asia/shanghai @daily").timeZone).toBe("Asia/Shanghai");
    expect(parseSchedule("CRON_TZ=America/New_York @every 6h")).toMatchObject({
      kind: "every",
      timeZone: "America/New_York",
    });
  });

  it("takes the zone from the option, and accepts it twice when both agree", () => {
    expect(parseSchedule("0 3 * * *", { timeZone: "Europe/Berlin" }).timeZone).toBe("Europe/Berlin");
    expect(parseSchedule("CRON_TZ=Europe/Berlin 0 3 * * *", { timeZone: "Europe/Berlin" }).timeZone).toBe(
      "Europe/Berlin",
    );
    expect(parseSchedule("0 3 * * *", { timeZone: "" }).timeZone).toBe("UTC");
  });

  it("rejects two different zones", () => {
    const err = errorOf(() => parseSchedule("CRON_TZ=Europe/Berlin 0 3 * * *", { timeZone: "UTC" }));
    expect(err.message).toBe(
      'Invalid schedule "CRON_TZ=Europe/Berlin 0 3 * * *": it names time zone "Europe/Berlin" but time zone "UTC" was given as well',
    );
    expect(err.hint).toContain("--timezone");
  });

  it("names unknown zones", () => {
    const prefixed = errorOf(() => parseSchedule("CRON_TZ=Mars/Olympus 0 3 * * *"));
    expect(prefixed.code).toBe("InvalidInput");
    expect(prefixed.message).toBe(
      'Unknown time zone "Mars/Olympus" in schedule "CRON_TZ=Mars/Olympus 0 3 * * *"',
    );
    expect(prefixed.hint).toContain('"Europe/Berlin"');
    expect(errorOf(() => parseSchedule("0 3 * * *", { timeZone: "Local" })).message).toBe(
      'Unknown time zone "Local"',
    );
    expect(errorOf(() => parseSchedule("CRON_TZ= 0 3 * * *")).message).toBe(
      "Invalid schedule \"CRON_TZ= 0 3 * * *\": the time zone after the '=' is missing",
    );
    expect(errorOf(() => parseSchedule("CRON_TZ=UTC")).message).toBe(
      'Invalid schedule "CRON_TZ=UTC": nothing follows the time zone "UTC"',
    );
  });
});

describe("parseSchedule: errors name the schedule, the field and an example", () => {
  it.each([
    ["", "it is empty"],
    ["0 7 * *", "expected 5 fields (minute hour day-of-month month day-of-week), found 4"],
    [
      "0 0 7 * * *",
      "expected 5 fields (minute hour day-of-month month day-of-week), found 6 (kubesnap, like Velero, has no seconds field)",
    ],
    ["60 7 * * *", 'minute "60" has 60, outside 0-59'],
    ["0 24 * * *", 'hour "24" has 24, outside 0-23'],
    ["0 7 0 * *", 'day-of-month "0" has 0, outside 1-31'],
    ["0 7 * 13 *", 'month "13" has 13, outside 1-12'],
    ["0 7 * * 8", 'day-of-week "8" has 8, outside 0-7'],
    ["0 7 * FOO *", 'month "FOO" has "FOO", which is not a number or a name (JAN-DEC)'],
    ["0 7 * * MONDAY", 'day-of-week "MONDAY" has "MONDAY", which is not a number or a name (SUN-SAT)'],
    ["0 MON * * *", 'hour "MON" has "MON", which is not a number'],
    ["0 7 * * JAN", 'day-of-week "JAN" has "JAN", which is not a number or a name (SUN-SAT)'],
    ["0 17-9 * * *", 'hour "17-9" has a range "17-9" that runs backwards'],
    ["*/0 * * * *", 'minute "*/0" has a step "0" that is not a whole number ≥ 1'],
    ["*/x * * * *", 'minute "*/x" has a step "x" that is not a whole number ≥ 1'],
    ["1/2/3 * * * *", 'minute "1/2/3" has more than one \'/\' in "1/2/3"'],
    ["1-2-3 * * * *", 'minute "1-2-3" has more than one \'-\' in "1-2-3"'],
    ["1,,2 * * * *", 'minute "1,,2" has an empty list item'],
    ["-5 * * * *", 'minute "-5" has "", which is not a number'],
    ["? * * * *", 'minute "?" has "?", which is not a number'],
    ["0 0 30 2 *", 'day-of-month "30" never occurs in month "2", so it would never run'],
    ["0 0 31 APR,JUN *", 'day-of-month "31" never occurs in month "APR,JUN", so it would never run'],
  ])("%j: %s", (text, problem) => {
    const err = errorOf(() => parseSchedule(text));
    expect(err.code).toBe("InvalidInput");
    expect(err.message).toBe(`Invalid schedule "${text}": ${problem}`);
    expect(err.hint).toContain('"0 7 * * *"');
  });

  it("accepts day 31 when some month has it, and days that only a weekday can reach", () => {
    expect(fieldsOf("0 0 31 APR,MAY *").months).toEqual([4, 5]);
    expect(fieldsOf("0 0 29 2 *").daysOfMonth).toEqual([29]);
    // Either field may match, so the Mondays of February make this one run.
    expect(fieldsOf("0 0 30 2 MON").dayMatch).toBe("either");
  });
});
