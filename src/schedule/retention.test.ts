import { describe, expect, it } from "vitest";
import { KubesnapError } from "../core/errors.js";
import { timestampSuffix } from "../core/timestamp.js";
import { planRetention, type RetentionBackup, type RetentionPhase } from "./retention.js";

const HOUR_MS = 3_600_000;

function backupAt(time: number | string, phase: RetentionPhase = "Completed"): RetentionBackup {
  const startTime = new Date(time);
  return { name: `nightly-${timestampSuffix(startTime)}`, startTime, phase };
}

/** `count` backups, one every `stepMs`, the first at `first`. */
function series(first: string, count: number, stepMs: number): RetentionBackup[] {
  return Array.from({ length: count }, (_, i) => backupAt(Date.parse(first) + i * stepMs));
}

describe("planRetention", () => {
  it("keeps GFS picks from 100 hourly backups over 4 days (keepLast 2, keepHourly 5, keepDaily 3)", () => {
    const backups = series("2026-11-22T00:00:00Z", 100, HOUR_MS); // the last at 2026-11-26 03:00
    const { keep, remove } = planRetention(
      backups,
      { keepLast: 2, keepHourly: 5, keepDaily: 3 },
      { timeZone: "UTC" },
    );
    expect(Object.fromEntries(keep)).toEqual({
      "nightly-20261126030000": ["last 1", "hourly 2026-11-26 03:00", "daily 2026-11-26"],
      "nightly-20261126020000": ["last 2", "hourly 2026-11-26 02:00"],
      "nightly-20261126010000": ["hourly 2026-11-26 01:00"],
      "nightly-20261126000000": ["hourly 2026-11-26 00:00"],
      "nightly-20261125230000": ["hourly 2026-11-25 23:00", "daily 2026-11-25"],
      "nightly-20261124230000": ["daily 2026-11-24"],
    });
    expect([...keep.keys()][0]).toBe("nightly-20261126030000"); // newest first
    expect(remove).toHaveLength(94);
    expect(remove[0]).toBe("nightly-20261125220000");
    expect(remove.at(-1)).toBe("nightly-20261122000000");
  });

  it("reads days on the zone's wall clock", () => {
    const backups = series("2026-11-22T00:00:00Z", 100, HOUR_MS);
    const { keep } = planRetention(backups, { keepDaily: 3 }, { timeZone: "Asia/Tokyo" });
    // A Tokyo day ends at 15:00 UTC, so its newest backup is the 14:00 UTC one.
    expect(Object.fromEntries(keep)).toEqual({
      "nightly-20261126030000": ["daily 2026-11-26"],
      "nightly-20261125140000": ["daily 2026-11-25"],
      "nightly-20261124140000": ["daily 2026-11-24"],
    });
  });

  it("keeps the newest of each ISO week and month from a year of daily backups", () => {
    const backups = series("2026-01-01T01:00:00Z", 365, 24 * HOUR_MS); // through 2026-12-31
    const { keep, remove } = planRetention(backups, { keepWeekly: 4, keepMonthly: 3 }, { timeZone: "UTC" });
    expect(Object.fromEntries(keep)).toEqual({
      // 2026-12-31 is a Thursday in week 53, which runs into 2027.
      "nightly-20261231010000": ["weekly 2026-W53", "monthly 2026-12"],
      "nightly-20261227010000": ["weekly 2026-W52"], // a Sunday, the end of its week
      "nightly-20261220010000": ["weekly 2026-W51"],
      "nightly-20261213010000": ["weekly 2026-W50"],
      "nightly-20261130010000": ["monthly 2026-11"],
      "nightly-20261031010000": ["monthly 2026-10"],
    });
    expect(remove).toHaveLength(359);
  });

  it("puts the first days of January in the ISO week of their Thursday", () => {
    const backups = [
      backupAt("2027-01-03T12:00:00Z"),
      backupAt("2026-12-28T12:00:00Z"),
      backupAt("2026-01-01T12:00:00Z"),
    ];
    const { keep } = planRetention(backups, { keepWeekly: 5 }, { timeZone: "UTC" });
    // 2027-01-03 (Sunday) and 2026-12-28 (Monday) share 2026-W53; 2026-01-01 is a Thursday, W01.
    expect(Object.fromEntries(keep)).toEqual({
      "nightly-20270103120000": ["weekly 2026-W53"],
      "nightly-20260101120000": ["weekly 2026-W01"],
    });
    const lateDecember = planRetention(
      [backupAt("2024-12-30T12:00:00Z")],
      { keepWeekly: 1 },
      { timeZone: "UTC" },
    );
    expect(lateDecember.keep.get("nightly-20241230120000")).toEqual(["weekly 2025-W01"]);
  });

  it("counts a repeated hour of a fall-back once (Europe/Berlin, 2026-10-25)", () => {
    // 00:30Z is 02:30 CEST, 01:30Z is 02:30 CET: one wall-clock hour, "02:00".
    const backups = ["00:30", "01:30", "02:30", "03:30"].map((time) => backupAt(`2026-10-25T${time}:00Z`));
    const { keep, remove } = planRetention(backups, { keepHourly: 3 }, { timeZone: "Europe/Berlin" });
    expect(Object.fromEntries(keep)).toEqual({
      "nightly-20261025033000": ["hourly 2026-10-25 04:00"],
      "nightly-20261025023000": ["hourly 2026-10-25 03:00"],
      "nightly-20261025013000": ["hourly 2026-10-25 02:00"],
    });
    expect(remove).toEqual(["nightly-20261025003000"]);
  });

  it("counts only restorable backups; removes failed ones, keeps unfinished ones, skips deleting ones", () => {
    const backups: RetentionBackup[] = [
      backupAt("2026-11-26T07:00:00Z", "InProgress"),
      backupAt("2026-11-25T07:00:00Z", "Failed"),
      backupAt("2026-11-24T07:00:00Z", "PartiallyFailed"),
      backupAt("2026-11-23T07:00:00Z", "FailedValidation"),
      backupAt("2026-11-22T07:00:00Z", "Completed"),
      backupAt("2026-11-21T07:00:00Z", "Completed"),
      backupAt("2026-11-20T07:00:00Z", "Deleting"),
      backupAt("2026-11-19T07:00:00Z", "New"),
      { name: "no-start", startTime: new Date("nope"), phase: "Completed" },
    ];
    const { keep, remove } = planRetention(backups, { keepDaily: 2 }, { timeZone: "UTC" });
    expect(Object.fromEntries(keep)).toEqual({
      "nightly-20261126070000": ["unfinished (InProgress)"],
      // The failed backup of the 25th does not take that day's slot; the days with a restorable
      // backup do.
      "nightly-20261124070000": ["daily 2026-11-24"],
      "nightly-20261122070000": ["daily 2026-11-22"],
      "nightly-20261119070000": ["unfinished (New)"],
      "no-start": ["start time unknown"],
    });
    expect(remove).toEqual(["nightly-20261125070000", "nightly-20261123070000", "nightly-20261121070000"]);
  });

  it("lets keepLast count every restorable backup, several in one hour", () => {
    const backups = series("2026-11-26T07:00:00Z", 4, 10 * 60_000);
    const { keep, remove } = planRetention(backups, { keepLast: 3, keepHourly: 1 }, { timeZone: "UTC" });
    expect(Object.fromEntries(keep)).toEqual({
      "nightly-20261126073000": ["last 1", "hourly 2026-11-26 07:00"],
      "nightly-20261126072000": ["last 2"],
      "nightly-20261126071000": ["last 3"],
    });
    expect(remove).toEqual(["nightly-20261126070000"]);
  });

  it("orders backups by start time whatever the input order, ties by name", () => {
    const backups = [
      { name: "b", startTime: new Date("2026-11-26T07:00:00Z"), phase: "Completed" as const },
      { name: "c", startTime: new Date("2026-11-25T07:00:00Z"), phase: "Completed" as const },
      { name: "a", startTime: new Date("2026-11-26T07:00:00Z"), phase: "Completed" as const },
    ];
    const { keep, remove } = planRetention(backups, { keepLast: 2 }, { timeZone: "UTC" });
    expect(Object.fromEntries(keep)).toEqual({ b: ["last 1"], a: ["last 2"] });
    expect(remove).toEqual(["c"]);
  });

  it("keeps everything when no rule is set, as restic does", () => {
    const backups = [backupAt("2026-11-26T07:00:00Z"), backupAt("2026-11-25T07:00:00Z", "Failed")];
    for (const policy of [{}, { keepLast: 0, keepDaily: 0 }]) {
      const { keep, remove } = planRetention(backups, policy, { timeZone: "UTC" });
      expect([...keep.values()]).toEqual([["no keep rules"], ["no keep rules"]]);
      expect(remove).toEqual([]);
    }
    expect(planRetention([], { keepLast: 1 }, { timeZone: "UTC" })).toEqual({ keep: new Map(), remove: [] });
  });

  it("rejects counts that are not whole numbers ≥ 0, and unknown zones", () => {
    for (const keepDaily of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      const err = (() => {
        try {
          planRetention([], { keepDaily }, { timeZone: "UTC" });
        } catch (e) {
          return e;
        }
        return undefined;
      })();
      expect(err).toBeInstanceOf(KubesnapError);
      expect((err as KubesnapError).message).toBe(
        `Invalid retention rule keepDaily=${keepDaily}: it must be a whole number ≥ 0`,
      );
    }
    expect(() => planRetention([], { keepDaily: 1 }, { timeZone: "Mars/Olympus" })).toThrow(
      'Unknown time zone "Mars/Olympus"',
    );
  });
});
