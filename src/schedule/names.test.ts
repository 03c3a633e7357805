import { describe, expect, it } from "vitest";
import { latestScheduledBackup, SCHEDULE_NAME_LABEL, scheduledBackupName } from "./names.js";

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

describe("latestScheduledBackup", () => {
  const backup = (name: string, schedule: string, phase: string, startTimestamp: string) => ({
    metadata: { name, labels: { [SCHEDULE_NAME_LABEL]: schedule } },
    status: { phase, startTimestamp },
  });
  const backups = [
    backup("nightly-20261124070000", "nightly", "Completed", "2026-11-24T07:00:01Z"),
    backup("nightly-20261125070000", "nightly", "PartiallyFailed", "2026-11-25T07:00:01Z"),
    backup("nightly-20261126070000", "nightly", "InProgress", "2026-11-26T07:00:01Z"),
    backup("hourly-20261126080000", "hourly", "Completed", "2026-11-26T08:00:01Z"),
  ];

  it("picks the schedule's newest Completed backup, never one still running", () => {
    const chosen = latestScheduledBackup(backups, "nightly", { allowPartiallyFailed: false });
    expect(chosen?.metadata.name).toBe("nightly-20261124070000");
  });

  it("takes a PartiallyFailed one only when allowed", () => {
    const chosen = latestScheduledBackup(backups, "nightly", { allowPartiallyFailed: true });
    expect(chosen?.metadata.name).toBe("nightly-20261125070000");
  });

  it("finds none for a schedule without a restorable backup", () => {
    expect(latestScheduledBackup(backups, "weekly", { allowPartiallyFailed: true })).toBeUndefined();
  });
});
