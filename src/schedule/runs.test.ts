import { describe, expect, it } from "vitest";
import { KubesnapError } from "../core/errors.js";
import { parseSchedule, type Schedule } from "./cron.js";
import { dueRun, nextRun } from "./runs.js";
import { wallTimeOf } from "./zone.js";

/** The next `count` runs after `start`, as ISO strings. */
function runsAfter(text: string, start: string, count: number): string[] {
  const schedule = parseSchedule(text);
  const runs: string[] = [];
  let at = new Date(start);
  for (let i = 0; i < count; i++) {
    at = nextRun(schedule, at);
    runs.push(at.toISOString());
  }
  return runs;
}

const iso = (text: string) => `${text.length === 16 ? `${text}:00` : text}.000Z`;

/**
 * The rule in runs.ts, checked the slow way: walk real time minute by minute and fire when the
 * zone's wall clock shows a matching minute it has not shown before.
 */
function bruteForceRuns(schedule: Schedule, from: string, to: string): string[] {
  if (schedule.kind !== "cron") throw new Error("cron only");
  const { fields, timeZone } = schedule;
  const seen = new Set<number>();
  const runs: string[] = [];
  for (let t = Date.parse(from) + 60_000; t <= Date.parse(to); t += 60_000) {
    const wall = wallTimeOf(t, timeZone);
    const d = new Date(wall);
    const byMonthDay = fields.daysOfMonth.includes(d.getUTCDate());
    const byWeekday = fields.daysOfWeek.includes(d.getUTCDay());
    const dayOk = fields.dayMatch === "either" ? byMonthDay || byWeekday : byMonthDay && byWeekday;
    const matches =
      dayOk &&
      fields.months.includes(d.getUTCMonth() + 1) &&
      fields.hours.includes(d.getUTCHours()) &&
      fields.minutes.includes(d.getUTCMinutes());
    if (matches && !seen.has(wall)) runs.push(new Date(t).toISOString());
    seen.add(wall);
  }
  return runs;
}

function runsBetween(schedule: Schedule, from: string, to: string): string[] {
  const runs: string[] = [];
  for (
    let at = nextRun(schedule, new Date(from));
    at.getTime() <= Date.parse(to);
    at = nextRun(schedule, at)
  ) {
    runs.push(at.toISOString());
  }
  return runs;
}

describe("nextRun: fields", () => {
  it("runs strictly after the given time", () => {
    expect(runsAfter("0 7 * * *", "2026-11-25T06:59:59.999Z", 2)).toEqual([
      iso("2026-11-25T07:00"),
      iso("2026-11-26T07:00"),
    ]);
    expect(runsAfter("0 7 * * *", "2026-11-25T07:00:00Z", 1)).toEqual([iso("2026-11-26T07:00")]);
    expect(runsAfter("0 7 * * *", "2026-11-25T07:00:00.001Z", 1)).toEqual([iso("2026-11-26T07:00")]);
  });

  it("steps through minutes, hours, lists and ranges", () => {
    expect(runsAfter("*/15 * * * *", "2026-11-25T23:40:00Z", 3)).toEqual([
      iso("2026-11-25T23:45"),
      iso("2026-11-26T00:00"),
      iso("2026-11-26T00:15"),
    ]);
    expect(runsAfter("20-35/15 9,17 * * *", "2026-11-25T09:35:00Z", 3)).toEqual([
      iso("2026-11-25T17:20"),
      iso("2026-11-25T17:35"),
      iso("2026-11-26T09:20"),
    ]);
  });

  it("skips to named weekdays and months, and wraps into the next year", () => {
    // 2026-11-27 is a Friday.
    expect(runsAfter("30 18 * * MON-FRI", "2026-11-27T19:00:00Z", 2)).toEqual([
      iso("2026-11-30T18:30"),
      iso("2026-12-01T18:30"),
    ]);
    expect(runsAfter("0 0 * FEB MON", "2026-11-25T00:00:00Z", 2)).toEqual([
      iso("2027-02-01T00:00"),
      iso("2027-02-08T00:00"),
    ]);
    expect(runsAfter("59 23 31 12 *", "2026-12-31T23:59:00Z", 1)).toEqual([iso("2027-12-31T23:59")]);
  });

  it("runs the macros", () => {
    const from = "2026-11-25T10:20:00Z";
    expect(runsAfter("@hourly", from, 1)).toEqual([iso("2026-11-25T11:00")]);
    expect(runsAfter("@daily", from, 1)).toEqual([iso("2026-11-26T00:00")]);
    expect(runsAfter("@weekly", from, 1)).toEqual([iso("2026-11-29T00:00")]); // a Sunday
    expect(runsAfter("@monthly", from, 1)).toEqual([iso("2026-12-01T00:00")]);
    expect(runsAfter("@yearly", from, 1)).toEqual([iso("2027-01-01T00:00")]);
  });

  it("runs on the 31st only in months that have one", () => {
    expect(runsAfter("0 0 31 * *", "2026-01-31T00:00:00Z", 6)).toEqual(
      ["03-31", "05-31", "07-31", "08-31", "10-31", "12-31"].map((day) => iso(`2026-${day}T00:00`)),
    );
  });

  it("runs on February 29 only in leap years, skipping 2100", () => {
    expect(runsAfter("0 12 29 2 *", "2026-01-01T00:00:00Z", 2)).toEqual([
      iso("2028-02-29T12:00"),
      iso("2032-02-29T12:00"),
    ]);
    expect(runsAfter("0 12 29 2 *", "2096-03-01T00:00:00Z", 1)).toEqual([iso("2104-02-29T12:00")]);
  });

  it("ORs the day fields when both are restricted", () => {
    // February 2026: the 1st is a Sunday, the Mondays are the 2nd, 9th, 16th and 23rd.
    expect(runsAfter("0 0 1 * MON", "2026-01-31T12:00:00Z", 7).map((run) => run.slice(0, 10))).toEqual([
      "2026-02-01",
      "2026-02-02",
      "2026-02-09",
      "2026-02-16",
      "2026-02-23",
      "2026-03-01",
      "2026-03-02",
    ]);
  });

  it("ANDs them when one starts with '*'", () => {
    // Days 1, 11, 21, 31 that are Mondays: the first in 2026 is May 11.
    expect(runsAfter("0 0 */10 * MON", "2026-01-01T00:00:00Z", 2)).toEqual([
      iso("2026-05-11T00:00"),
      iso("2026-06-01T00:00"),
    ]);
  });

  it("agrees with a minute-by-minute walk over a month", () => {
    for (const text of ["*/7 */5 * * *", "13 3,15 1-10 * TUE", "0 0 */3 * *", "45 23 * * SAT,SUN"]) {
      const schedule = parseSchedule(text);
      const from = "2026-01-25T00:00:00Z";
      const to = "2026-03-05T00:00:00Z";
      const expected = bruteForceRuns(schedule, from, to);
      expect(expected.length, text).toBeGreaterThan(3);
      expect(runsBetween(schedule, from, to), text).toEqual(expected);
    }
  });

  it("rejects invalid dates", () => {
    expect(() => nextRun(parseSchedule("@daily"), new Date("nope"))).toThrow(KubesnapError);
  });
});

describe("nextRun: time zones and daylight saving", () => {
  it("reads the fields on the zone's wall clock", () => {
    expect(runsAfter("CRON_TZ=Asia/Shanghai 0 3 * * *", "2026-11-25T00:00:00Z", 1)).toEqual([
      iso("2026-11-25T19:00"),
    ]);
    expect(runsAfter("CRON_TZ=Asia/Kolkata 0 0 * * *", "2026-11-25T00:00:00Z", 1)).toEqual([
      iso("2026-11-25T18:30"),
    ]);
  });

  it("Europe/Berlin spring forward (2026-03-29, 02:00 CET → 03:00 CEST): 02:30 does not run that day", () => {
    expect(runsAfter("CRON_TZ=Europe/Berlin 30 2 * * *", "2026-03-27T12:00:00Z", 3)).toEqual([
      iso("2026-03-28T01:30"), // 02:30 CET
      iso("2026-03-30T00:30"), // 02:30 CEST
      iso("2026-03-31T00:30"),
    ]);
    // 03:00 exists: it is the moment the clock jumps to.
    expect(runsAfter("CRON_TZ=Europe/Berlin 0 3 * * *", "2026-03-28T12:00:00Z", 1)).toEqual([
      iso("2026-03-29T01:00"),
    ]);
    expect(runsAfter("CRON_TZ=Europe/Berlin */30 * * * *", "2026-03-29T00:15:00Z", 3)).toEqual([
      iso("2026-03-29T00:30"), // 01:30 CET
      iso("2026-03-29T01:00"), // 03:00 CEST
      iso("2026-03-29T01:30"),
    ]);
  });

  it("Europe/Berlin fall back (2026-10-25, 03:00 CEST → 02:00 CET): 02:30 runs once, the first time", () => {
    expect(runsAfter("CRON_TZ=Europe/Berlin 30 2 * * *", "2026-10-23T12:00:00Z", 3)).toEqual([
      iso("2026-10-24T00:30"), // 02:30 CEST
      iso("2026-10-25T00:30"), // 02:30 CEST; 02:30 CET an hour later does not run
      iso("2026-10-26T01:30"), // 02:30 CET
    ]);
    // Asked during the repeated hour, the repeated times are already done.
    expect(runsAfter("CRON_TZ=Europe/Berlin 30 2 * * *", "2026-10-25T01:00:00Z", 1)).toEqual([
      iso("2026-10-26T01:30"),
    ]);
    expect(runsAfter("CRON_TZ=Europe/Berlin */30 * * * *", "2026-10-24T23:45:00Z", 4)).toEqual([
      iso("2026-10-25T00:00"), // 02:00 CEST
      iso("2026-10-25T00:30"), // 02:30 CEST
      iso("2026-10-25T02:00"), // 03:00 CET: 02:00 and 02:30 CET were already shown
      iso("2026-10-25T02:30"),
    ]);
  });

  it("America/New_York spring forward (2026-03-08, 02:00 EST → 03:00 EDT)", () => {
    expect(runsAfter("CRON_TZ=America/New_York 30 2 * * *", "2026-03-07T00:00:00Z", 2)).toEqual([
      iso("2026-03-07T07:30"), // 02:30 EST
      iso("2026-03-09T06:30"), // 02:30 EDT; none on the 8th
    ]);
    expect(runsAfter("CRON_TZ=America/New_York 0 * * * *", "2026-03-08T05:30:00Z", 3)).toEqual([
      iso("2026-03-08T06:00"), // 01:00 EST
      iso("2026-03-08T07:00"), // 03:00 EDT
      iso("2026-03-08T08:00"),
    ]);
  });

  it("America/New_York fall back (2026-11-01, 02:00 EDT → 01:00 EST)", () => {
    expect(runsAfter("CRON_TZ=America/New_York 30 1 * * *", "2026-10-31T12:00:00Z", 2)).toEqual([
      iso("2026-11-01T05:30"), // 01:30 EDT, once
      iso("2026-11-02T06:30"), // 01:30 EST
    ]);
    // The documented price: an hourly schedule skips the repeated hour.
    expect(runsAfter("CRON_TZ=America/New_York 0 * * * *", "2026-11-01T03:30:00Z", 3)).toEqual([
      iso("2026-11-01T04:00"), // 00:00 EDT
      iso("2026-11-01T05:00"), // 01:00 EDT
      iso("2026-11-01T07:00"), // 02:00 EST
    ]);
  });

  it("agrees with a minute-by-minute walk across each transition", () => {
    const cases = [
      ["Europe/Berlin", "2026-03-28T12:00:00Z", "2026-03-30T12:00:00Z"],
      ["Europe/Berlin", "2026-10-24T12:00:00Z", "2026-10-26T12:00:00Z"],
      ["America/New_York", "2026-03-07T12:00:00Z", "2026-03-09T12:00:00Z"],
      ["America/New_York", "2026-10-31T12:00:00Z", "2026-11-02T12:00:00Z"],
    ] as const;
    for (const [zone, from, to] of cases) {
      for (const fields of ["*/10 * * * *", "30 1,2,3 * * *", "0 0 * * *", "59 * * * *"]) {
        const schedule = parseSchedule(`CRON_TZ=${zone} ${fields}`);
        const expected = bruteForceRuns(schedule, from, to);
        expect(expected.length, schedule.expression).toBeGreaterThan(1);
        expect(runsBetween(schedule, from, to), schedule.expression).toEqual(expected);
      }
    }
  });
});

describe("nextRun: @every", () => {
  it("runs the interval after the given time, to the whole second", () => {
    const schedule = parseSchedule("@every 6h");
    expect(nextRun(schedule, new Date("2026-11-25T07:00:00Z")).toISOString()).toBe(
      "2026-11-25T13:00:00.000Z",
    );
    expect(nextRun(schedule, new Date("2026-11-25T07:00:00.750Z")).toISOString()).toBe(
      "2026-11-25T13:00:00.000Z",
    );
  });

  it("ignores daylight saving: 90 minutes are 90 real minutes", () => {
    const schedule = parseSchedule("CRON_TZ=Europe/Berlin @every 90m");
    expect(nextRun(schedule, new Date("2026-03-29T00:30:00Z")).toISOString()).toBe(
      "2026-03-29T02:00:00.000Z",
    );
  });
});

describe("dueRun", () => {
  const daily = parseSchedule("0 7 * * *");
  const at = (text: string) => new Date(text);

  it("is due once the run time has come, and not before", () => {
    const lastRun = at("2026-11-24T07:00:00Z");
    const created = at("2026-11-01T10:00:00Z");
    expect(dueRun(daily, { lastRun, created, now: at("2026-11-25T06:59:59Z") })).toBeUndefined();
    expect(dueRun(daily, { lastRun, created, now: at("2026-11-25T07:00:00Z") })).toEqual(
      at("2026-11-25T07:00:00Z"),
    );
    expect(dueRun(daily, { lastRun, created, now: at("2026-11-25T09:00:00Z") })).toEqual(
      at("2026-11-25T07:00:00Z"),
    );
    // Once that run is recorded, nothing is due until tomorrow.
    const after = { lastRun: at("2026-11-25T07:00:00Z"), created, now: at("2026-11-25T09:00:00Z") };
    expect(dueRun(daily, after)).toBeUndefined();
  });

  it("collapses the runs missed during downtime into the latest one", () => {
    const options = {
      lastRun: at("2026-11-18T07:00:00Z"),
      created: at("2026-11-01T10:00:00Z"),
      now: at("2026-11-25T12:34:00Z"),
    };
    expect(dueRun(daily, options)).toEqual(at("2026-11-25T07:00:00Z"));
    const everyFifteen = parseSchedule("*/15 * * * *");
    expect(dueRun(everyFifteen, { ...options, lastRun: at("2025-11-25T12:00:00Z") })).toEqual(
      at("2026-11-25T12:30:00Z"),
    );
  });

  it("runs a new schedule at once, named for its creation time, as Velero does", () => {
    const created = at("2026-11-25T10:00:00Z");
    expect(dueRun(daily, { created, now: at("2026-11-25T10:00:02Z") })).toEqual(created);
    expect(
      dueRun(daily, { created: at("2026-11-25T10:00:00.600Z"), now: at("2026-11-25T10:00:02Z") }),
    ).toEqual(created);
    // Noticed late, after a scheduled time had passed: that time is the run.
    expect(dueRun(daily, { created, now: at("2026-11-27T08:00:00Z") })).toEqual(at("2026-11-27T07:00:00Z"));
    // A clock behind the creation time waits.
    expect(dueRun(daily, { created, now: at("2026-11-25T09:59:00Z") })).toBeUndefined();
  });

  it("with skipImmediately, never runs a new schedule for a time before its creation", () => {
    const created = at("2026-11-25T10:00:00Z");
    const options = { created, skipImmediately: true };
    expect(dueRun(daily, { ...options, now: at("2026-11-25T10:00:02Z") })).toBeUndefined();
    expect(dueRun(daily, { ...options, now: at("2026-11-26T06:59:00Z") })).toBeUndefined();
    expect(dueRun(daily, { ...options, now: at("2026-11-26T07:00:00Z") })).toEqual(
      at("2026-11-26T07:00:00Z"),
    );
    // Once it has run, lastRun decides and skipImmediately no longer matters.
    const ran = { ...options, lastRun: at("2026-11-26T07:00:00Z"), now: at("2026-11-28T07:30:00Z") };
    expect(dueRun(daily, ran)).toEqual(at("2026-11-28T07:00:00Z"));
  });

  it("runs @every schedules on the grid of the last run", () => {
    const sixHours = parseSchedule("@every 6h");
    const created = at("2026-11-25T10:00:00Z");
    expect(dueRun(sixHours, { created, now: at("2026-11-25T10:00:01Z") })).toEqual(created);
    expect(
      dueRun(sixHours, { created, now: at("2026-11-25T10:00:01Z"), skipImmediately: true }),
    ).toBeUndefined();
    expect(dueRun(sixHours, { created, now: at("2026-11-25T16:00:00Z"), skipImmediately: true })).toEqual(
      at("2026-11-25T16:00:00Z"),
    );
    const lastRun = at("2026-11-25T10:00:00Z");
    expect(dueRun(sixHours, { lastRun, created, now: at("2026-11-25T15:59:59Z") })).toBeUndefined();
    // Down for a day and a half: one run, on the six-hour grid.
    expect(dueRun(sixHours, { lastRun, created, now: at("2026-11-27T01:00:00Z") })).toEqual(
      at("2026-11-26T22:00:00Z"),
    );
  });

  it("runs the repeated hour of a fall-back once, even asked during its second pass", () => {
    const everyMinute = parseSchedule("CRON_TZ=America/New_York * * * * *");
    const created = at("2026-10-01T00:00:00Z");
    // 06:20Z is 01:20 EST; the last run time, 01:59 EDT, was an hour of real time before 01:00 EST.
    expect(
      dueRun(everyMinute, { lastRun: at("2026-11-01T05:30:00Z"), created, now: at("2026-11-01T06:20:00Z") }),
    ).toEqual(at("2026-11-01T05:59:00Z"));
    expect(
      dueRun(everyMinute, { lastRun: at("2026-11-01T05:59:00Z"), created, now: at("2026-11-01T06:20:00Z") }),
    ).toBeUndefined();
    expect(
      dueRun(everyMinute, { lastRun: at("2026-11-01T05:59:00Z"), created, now: at("2026-11-01T07:00:30Z") }),
    ).toEqual(at("2026-11-01T07:00:00Z"));
  });

  it("skips the gap of a spring-forward day", () => {
    const berlin = parseSchedule("CRON_TZ=Europe/Berlin 30 2 * * *");
    const options = { lastRun: at("2026-03-28T01:30:00Z"), created: at("2026-01-01T00:00:00Z") };
    expect(dueRun(berlin, { ...options, now: at("2026-03-29T12:00:00Z") })).toBeUndefined();
    expect(dueRun(berlin, { ...options, now: at("2026-03-30T00:30:00Z") })).toEqual(
      at("2026-03-30T00:30:00Z"),
    );
  });

  it("finds a leap day years back", () => {
    const leap = parseSchedule("0 0 29 2 *");
    const created = at("2020-01-01T00:00:00Z");
    expect(
      dueRun(leap, { lastRun: at("2020-02-29T00:00:00Z"), created, now: at("2027-06-01T00:00:00Z") }),
    ).toEqual(at("2024-02-29T00:00:00Z"));
    expect(
      dueRun(leap, { lastRun: at("2024-02-29T00:00:00Z"), created, now: at("2027-06-01T00:00:00Z") }),
    ).toBeUndefined();
  });
});
