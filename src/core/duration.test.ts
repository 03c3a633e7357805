import { describe, expect, it } from "vitest";
import { formatAge, formatExpires, formatGoDuration, parseDuration } from "./duration.js";
import { errorOf } from "./error-of.test-helper.js";

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe("parseDuration", () => {
  it("reads what Velero prints and users type", () => {
    expect(parseDuration("720h0m0s")).toBe(720 * HOUR);
    expect(parseDuration("30m")).toBe(30 * MINUTE);
    expect(parseDuration("1h30m")).toBe(90 * MINUTE);
    expect(parseDuration("5s")).toBe(5 * SECOND);
    expect(parseDuration("250ms")).toBe(250);
    expect(parseDuration("0")).toBe(0);
    expect(parseDuration("0s")).toBe(0);
    expect(parseDuration(" 1m ")).toBe(MINUTE);
  });

  it("accepts Go's fractions, signs and small units", () => {
    expect(parseDuration("1.5h")).toBe(90 * MINUTE);
    expect(parseDuration(".5s")).toBe(500);
    expect(parseDuration("1.s")).toBe(SECOND);
    expect(parseDuration("0.3s")).toBe(300);
    expect(parseDuration("+2m")).toBe(2 * MINUTE);
    expect(parseDuration("1500us")).toBe(1.5);
    expect(parseDuration("1µs")).toBe(0.001);
    expect(parseDuration("2ns")).toBe(0.000002);
  });

  it("accepts days as 24 hours, alone or mixed", () => {
    expect(parseDuration("2d")).toBe(2 * DAY);
    expect(parseDuration("7d12h")).toBe(7 * DAY + 12 * HOUR);
  });

  it("names the bad value, the problem and a good example", () => {
    const err = errorOf(() => parseDuration("3 days", { what: "--ttl" }));
    expect(err.code).toBe("InvalidInput");
    expect(err.message).toBe('Invalid duration "3 days" for --ttl: unknown unit " days"');
    expect(err.hint).toContain('"720h0m0s"');
  });

  it("rejects malformed durations with a precise reason", () => {
    const reason = (value: string) => errorOf(() => parseDuration(value)).message;
    expect(reason("")).toBe('Invalid duration "": it is empty');
    expect(reason("10")).toBe('Invalid duration "10": the number 10 has no unit');
    expect(reason("1h30")).toBe('Invalid duration "1h30": the number 30 has no unit');
    expect(reason("1w")).toBe('Invalid duration "1w": unknown unit "w"');
    expect(reason("h")).toBe('Invalid duration "h": expected a number at "h"');
    expect(reason(".h")).toBe('Invalid duration ".h": expected a number at ".h"');
    expect(reason("+")).toBe('Invalid duration "+": a number is missing');
    expect(reason("-1h")).toBe('Invalid duration "-1h": it is negative');
    expect(reason("300y")).toBe('Invalid duration "300y": unknown unit "y"');
    expect(reason("3000000h")).toBe(
      'Invalid duration "3000000h": it is longer than the 292 years a duration can hold',
    );
  });
});

describe("formatGoDuration", () => {
  it("prints like Go's Duration.String()", () => {
    expect(formatGoDuration(720 * HOUR)).toBe("720h0m0s");
    expect(formatGoDuration(HOUR + 30 * MINUTE)).toBe("1h30m0s");
    expect(formatGoDuration(90 * SECOND)).toBe("1m30s");
    expect(formatGoDuration(MINUTE)).toBe("1m0s");
    expect(formatGoDuration(5 * SECOND)).toBe("5s");
    expect(formatGoDuration(1500)).toBe("1.5s");
    expect(formatGoDuration(HOUR + 1)).toBe("1h0m0.001s");
    expect(formatGoDuration(250)).toBe("250ms");
    expect(formatGoDuration(1.5)).toBe("1.5ms");
    expect(formatGoDuration(0.5)).toBe("500µs");
    expect(formatGoDuration(0.000002)).toBe("2ns");
    expect(formatGoDuration(0)).toBe("0s");
    expect(formatGoDuration(-90 * SECOND)).toBe("-1m30s");
  });

  it("stays exact for long TTLs and round-trips with parseDuration", () => {
    expect(formatGoDuration(10 * 365 * DAY + 1)).toBe("87600h0m0.001s");
    for (const text of ["720h0m0s", "1h0m0s", "2m3.5s", "1.25ms", "7µs", "168h0m0s"]) {
      expect(formatGoDuration(parseDuration(text))).toBe(text);
    }
    expect(formatGoDuration(parseDuration("7d"))).toBe("168h0m0s");
  });
});

describe("formatAge", () => {
  it("is kubectl's AGE column", () => {
    expect(formatAge(5 * SECOND)).toBe("5s");
    expect(formatAge(119 * SECOND)).toBe("119s");
    expect(formatAge(3 * MINUTE)).toBe("3m");
    expect(formatAge(3 * MINUTE + 20 * SECOND)).toBe("3m20s");
    expect(formatAge(25 * MINUTE + 59 * SECOND)).toBe("25m");
    expect(formatAge(2 * HOUR)).toBe("120m");
    expect(formatAge(3 * HOUR)).toBe("3h");
    expect(formatAge(5 * HOUR + 3 * MINUTE)).toBe("5h3m");
    expect(formatAge(20 * HOUR + 59 * MINUTE)).toBe("20h");
    expect(formatAge(3 * DAY + 4 * HOUR)).toBe("3d4h");
    expect(formatAge(7 * DAY)).toBe("7d");
    expect(formatAge(29 * DAY + 5 * HOUR)).toBe("29d");
    expect(formatAge(2 * 365 * DAY + 45 * DAY)).toBe("2y45d");
    expect(formatAge(9 * 365 * DAY)).toBe("9y");
  });

  it("tolerates a second of clock drift, not more", () => {
    expect(formatAge(-1500)).toBe("0s");
    expect(formatAge(-2 * SECOND)).toBe("<invalid>");
  });
});

describe("formatExpires", () => {
  const now = new Date("2026-11-26T07:00:00Z");
  const at = (offsetMs: number) => new Date(now.getTime() + offsetMs);

  it("shows the time left in the largest whole unit", () => {
    expect(formatExpires(at(29 * DAY + 23 * HOUR), now)).toBe("29d");
    expect(formatExpires(at(23 * HOUR + 59 * MINUTE), now)).toBe("23h");
    expect(formatExpires(at(59 * MINUTE), now)).toBe("59m");
    expect(formatExpires(at(0), now)).toBe("0s");
    expect(formatExpires(at(400 * DAY), now)).toBe("1y");
  });

  it("says how long ago a past expiry was", () => {
    expect(formatExpires(at(-3 * HOUR), now)).toBe("3h ago");
    expect(formatExpires(at(-45 * SECOND), now)).toBe("45s ago");
  });

  it("prints n/a when there is no expiry", () => {
    expect(formatExpires(undefined, now)).toBe("n/a");
    expect(formatExpires(new Date(Number.NaN), now)).toBe("n/a");
  });
});
