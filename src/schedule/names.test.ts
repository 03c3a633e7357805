import { describe, expect, it } from "vitest";
import { SCHEDULE_NAME_LABEL, scheduledBackupName } from "./names.js";

describe("scheduledBackupName", () => {
  it("appends the run time in UTC, as Velero does", () => {
    expect(scheduledBackupName("nightly", new Date("2026-11-26T07:00:00Z"))).toBe("nightly-20261126070000");
    // A Berlin schedule's 02:30 CEST run is 00:30 UTC.
    expect(scheduledBackupName("berlin", new Date("2026-10-25T00:30:00Z"))).toBe("berlin-20261025003000");
  });

  it("gives the two runs around a fall-back distinct, ordered names", () => {
    const first = scheduledBackupName("hourly", new Date("2026-11-01T05:00:00Z")); // 01:00 EDT
    const next = scheduledBackupName("hourly", new Date("2026-11-01T07:00:00Z")); // 02:00 EST
    expect(first < next).toBe(true);
  });

  it("refuses names Kubernetes would refuse", () => {
    expect(() => scheduledBackupName("Nightly", new Date("2026-11-26T07:00:00Z"))).toThrow(
      'Invalid backup name "Nightly-20261126070000": it must be lowercase',
    );
  });

  it("labels backups with the schedule's name under kubesnap.io/", () => {
    expect(SCHEDULE_NAME_LABEL).toBe("kubesnap.io/schedule-name");
  });
});
