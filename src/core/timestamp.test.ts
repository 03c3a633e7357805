import { describe, expect, it } from "vitest";
import { errorOf } from "./error-of.test-helper.js";
import { timestampSuffix, validateName } from "./timestamp.js";

describe("timestampSuffix", () => {
  it("formats in UTC by default, as scheduled backup names use it", () => {
    const date = new Date("2026-11-26T07:00:00Z");
    expect(timestampSuffix(date)).toBe("20261126070000");
    expect(`nightly-${timestampSuffix(date)}`).toBe("nightly-20261126070000");
  });

  it("pads every field and keeps midnight as 00", () => {
    expect(timestampSuffix(new Date("2026-01-02T00:04:05.999Z"))).toBe("20260102000405");
    expect(timestampSuffix(new Date("0999-03-04T05:06:07Z"))).toBe("09990304050607");
  });

  it("formats in a given time zone", () => {
    const date = new Date("2026-11-26T23:30:00Z");
    expect(timestampSuffix(date, "Asia/Shanghai")).toBe("20261127073000");
    expect(timestampSuffix(date, "America/New_York")).toBe("20261126183000");
  });

  it("rejects unknown time zones and invalid dates", () => {
    const err = errorOf(() => timestampSuffix(new Date(), "Mars/Olympus"));
    expect(err.code).toBe("InvalidInput");
    expect(err.message).toBe('Unknown time zone "Mars/Olympus"');
    expect(err.hint).toContain('"Europe/Berlin"');
    expect(errorOf(() => timestampSuffix(new Date("nope"))).message).toBe(
      "Cannot build a timestamp suffix from an invalid date",
    );
  });
});

describe("validateName", () => {
  it("accepts DNS-1123 subdomains", () => {
    for (const name of ["nightly", "nightly-20261126070000", "a", "0", "db.prod-1", "x".repeat(253)]) {
      expect(validateName(name, "backup")).toBe(name);
    }
  });

  it("says what is wrong and offers a nearby valid name", () => {
    const err = errorOf(() => validateName("Nightly_Backup", "backup"));
    expect(err.code).toBe("InvalidInput");
    expect(err.message).toBe('Invalid backup name "Nightly_Backup": it must be lowercase');
    expect(err.hint).toBe("use lowercase letters, digits, '-' and '.', e.g. \"nightly-backup\"");
  });

  it("explains each kind of mistake", () => {
    const problem = (name: string) => errorOf(() => validateName(name, "schedule")).message;
    expect(problem("")).toBe('Invalid schedule name "": it is empty');
    expect(problem("my_schedule")).toBe(
      `Invalid schedule name "my_schedule": "_" is not allowed (only lowercase letters, digits, '-' and '.')`,
    );
    expect(problem("-daily")).toBe(
      'Invalid schedule name "-daily": it must start and end with a letter or digit',
    );
    expect(problem("daily.")).toBe(
      'Invalid schedule name "daily.": it must start and end with a letter or digit',
    );
    expect(problem("a..b")).toBe(
      'Invalid schedule name "a..b": each part between dots must start and end with a letter or digit',
    );
    expect(problem("a.-b")).toBe(
      'Invalid schedule name "a.-b": each part between dots must start and end with a letter or digit',
    );
    expect(problem("x".repeat(254))).toBe(
      `Invalid schedule name "${"x".repeat(254)}": it is 254 characters long; at most 253 are allowed`,
    );
  });

  it("suggests a cleaned-up name, or a generic example when none is obvious", () => {
    const hint = (name: string) => errorOf(() => validateName(name, "restore")).hint;
    expect(hint("  Weekly Full..Run ")).toContain('"weekly-full.run"');
    expect(hint("a.-b")).toContain('"a.b"');
    expect(hint("___")).toContain('"nightly-1"');
  });
});
