import { describe, expect, it } from "vitest";
import { canonicalTimeZone, instantsOfWallTime, wallTimeOf } from "./zone.js";

const wall = (text: string) => Date.parse(`${text}Z`);
const isoList = (instants: number[]) => instants.map((t) => new Date(t).toISOString());

describe("wallTimeOf", () => {
  it("reads the zone's clock, milliseconds included", () => {
    expect(wallTimeOf(Date.parse("2026-11-25T23:30:00.250Z"), "Asia/Shanghai")).toBe(
      wall("2026-11-26T07:30:00.250"),
    );
    expect(wallTimeOf(Date.parse("2026-07-01T12:00:00Z"), "America/New_York")).toBe(
      wall("2026-07-01T08:00:00"),
    );
    expect(wallTimeOf(Date.parse("2026-07-01T12:00:00Z"), "UTC")).toBe(wall("2026-07-01T12:00:00"));
  });
});

describe("instantsOfWallTime", () => {
  it("finds one instant on an ordinary day", () => {
    expect(isoList(instantsOfWallTime(wall("2026-11-25T07:00"), "Europe/Berlin"))).toEqual([
      "2026-11-25T06:00:00.000Z",
    ]);
  });

  it("finds none inside a spring-forward gap", () => {
    expect(instantsOfWallTime(wall("2026-03-29T02:30"), "Europe/Berlin")).toEqual([]);
    expect(instantsOfWallTime(wall("2026-03-08T02:00"), "America/New_York")).toEqual([]);
  });

  it("finds both, earliest first, inside a fall-back overlap", () => {
    expect(isoList(instantsOfWallTime(wall("2026-10-25T02:30"), "Europe/Berlin"))).toEqual([
      "2026-10-25T00:30:00.000Z",
      "2026-10-25T01:30:00.000Z",
    ]);
    expect(isoList(instantsOfWallTime(wall("2026-11-01T01:00"), "America/New_York"))).toEqual([
      "2026-11-01T05:00:00.000Z",
      "2026-11-01T06:00:00.000Z",
    ]);
  });

  it("handles a zone that skipped a whole day (Samoa, 2011-12-30)", () => {
    expect(instantsOfWallTime(wall("2011-12-30T12:00"), "Pacific/Apia")).toEqual([]);
    expect(instantsOfWallTime(wall("2011-12-31T00:00"), "Pacific/Apia")).toHaveLength(1);
  });
});

describe("canonicalTimeZone", () => {
  it("spells known zones canonically and names unknown ones", () => {
    expect(canonicalTimeZone("europe/berlin")).toBe("Europe/Berlin");
    expect(canonicalTimeZone("UTC")).toBe("UTC");
    expect(() => canonicalTimeZone("Mars/Olympus", 'schedule "x"')).toThrow(
      'Unknown time zone "Mars/Olympus" in schedule "x"',
    );
  });
});
