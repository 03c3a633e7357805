import { describe, expect, it } from "vitest";
import {
  checkTimings,
  decide,
  formatMicroTime,
  type LeaseSpec,
  leadingUntil,
  leaseExpiresAt,
  parseTime,
  releasedSpec,
} from "./election.js";

const T0 = Date.UTC(2026, 10, 26, 7, 0, 0);
const at = (ms: number) => formatMicroTime(T0 + ms);

const heldBy = (holder: string | null, renewedMs: number, extra: LeaseSpec = {}): LeaseSpec => ({
  holderIdentity: holder,
  leaseDurationSeconds: 15,
  acquireTime: at(0),
  renewTime: at(renewedMs),
  leaseTransitions: 3,
  ...extra,
});

describe("MicroTime", () => {
  it("formats with six fractional digits in UTC", () => {
    expect(formatMicroTime(T0)).toBe("2026-11-26T07:00:00.000000Z");
    expect(formatMicroTime(T0 + 1234)).toBe("2026-11-26T07:00:01.234000Z");
  });

  it("reads MicroTime, RFC 3339 without fractions, and nothing else", () => {
    expect(parseTime("2026-11-26T07:00:01.234567Z")).toBe(T0 + 1234);
    expect(parseTime("2026-11-26T07:00:01Z")).toBe(T0 + 1000);
    expect(parseTime(formatMicroTime(T0 + 42))).toBe(T0 + 42);
    expect(parseTime("yesterday")).toBeUndefined();
    expect(parseTime("")).toBeUndefined();
    expect(parseTime(null)).toBeUndefined();
    expect(parseTime(undefined)).toBeUndefined();
  });
});

describe("decide", () => {
  const me = "pod-b";
  const base = { identity: me, leaseDurationSeconds: 15 };

  it("creates the lease when there is none", () => {
    expect(decide({ ...base, lease: undefined, now: T0 })).toEqual({
      action: "create",
      spec: {
        holderIdentity: me,
        leaseDurationSeconds: 15,
        acquireTime: "2026-11-26T07:00:00.000000Z",
        renewTime: "2026-11-26T07:00:00.000000Z",
        leaseTransitions: 0,
      },
    });
  });

  it("renews its own lease, keeping acquireTime and the transition count", () => {
    expect(decide({ ...base, lease: heldBy(me, 2_000), now: T0 + 4_000 })).toEqual({
      action: "update",
      takeover: false,
      spec: { ...heldBy(me, 2_000), renewTime: at(4_000) },
    });
  });

  it("renews its own lease even after it expired (nobody else took it)", () => {
    const decision = decide({ ...base, lease: heldBy(me, 0), now: T0 + 60_000 });
    expect(decision).toMatchObject({ action: "update", takeover: false, spec: { leaseTransitions: 3 } });
  });

  it("waits while another holder's lease is valid, up to and including the instant it ends", () => {
    expect(decide({ ...base, lease: heldBy("pod-a", 1_000), now: T0 + 5_000 })).toEqual({
      action: "wait",
      holder: "pod-a",
      expiresAt: T0 + 16_000,
    });
    expect(decide({ ...base, lease: heldBy("pod-a", 1_000), now: T0 + 16_000 }).action).toBe("wait");
  });

  it("takes over an expired lease, counting a transition", () => {
    expect(decide({ ...base, lease: heldBy("pod-a", 1_000), now: T0 + 16_001 })).toEqual({
      action: "update",
      takeover: true,
      spec: {
        holderIdentity: me,
        leaseDurationSeconds: 15,
        acquireTime: at(16_001),
        renewTime: at(16_001),
        leaseTransitions: 4,
      },
    });
  });

  it("judges expiry by the holder's duration, not its own", () => {
    const long = heldBy("pod-a", 0, { leaseDurationSeconds: 60 });
    expect(decide({ ...base, lease: long, now: T0 + 30_000 }).action).toBe("wait");
    const short = heldBy("pod-a", 0, { leaseDurationSeconds: 2 });
    expect(decide({ ...base, lease: short, now: T0 + 3_000 }).action).toBe("update");
  });

  it("takes over at once a released lease (no holder), whatever its times", () => {
    for (const holder of ["", null]) {
      const decision = decide({ ...base, lease: heldBy(holder, 10_000), now: T0 + 10_001 });
      expect(decision).toMatchObject({ action: "update", takeover: true, spec: { holderIdentity: me } });
    }
  });

  it("treats a held lease with no readable times as expired, and a missing count as zero", () => {
    const lease: LeaseSpec = { holderIdentity: "pod-a" };
    expect(leaseExpiresAt(lease, 15)).toBe(Number.NEGATIVE_INFINITY);
    expect(decide({ ...base, lease, now: T0 })).toMatchObject({
      action: "update",
      takeover: true,
      spec: { leaseTransitions: 1 },
    });
  });

  it("falls back to acquireTime, and to its own duration, when the lease lacks them", () => {
    expect(leaseExpiresAt({ holderIdentity: "pod-a", acquireTime: at(1_000) }, 15)).toBe(T0 + 16_000);
    expect(leaseExpiresAt({ holderIdentity: "", renewTime: at(0) }, 15)).toBeUndefined();
  });
});

describe("releasedSpec", () => {
  it("names no holder and keeps the count, so the next candidate takes over on its next try", () => {
    expect(releasedSpec(heldBy("pod-a", 5_000), T0 + 6_000)).toEqual({
      holderIdentity: "",
      leaseDurationSeconds: 1,
      acquireTime: at(6_000),
      renewTime: at(6_000),
      leaseTransitions: 3,
    });
  });
});

describe("checkTimings", () => {
  it("accepts client-go's defaults and the test timings", () => {
    expect(() =>
      checkTimings({ leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).not.toThrow();
    expect(() =>
      checkTimings({ leaseDurationSeconds: 4, renewDeadlineMs: 3_000, retryPeriodMs: 500 }),
    ).not.toThrow();
  });

  it("refuses a renew deadline that is not shorter than the lease", () => {
    expect(() =>
      checkTimings({ leaseDurationSeconds: 10, renewDeadlineMs: 10_000, retryPeriodMs: 2_000 }),
    ).toThrow(/renewDeadline \(10000 ms\) must be shorter than the lease duration \(10000 ms\)/);
  });

  it("refuses a retry period too close to the renew deadline, and odd durations", () => {
    expect(() =>
      checkTimings({ leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 9_000 }),
    ).toThrow(/retryPeriod/);
    expect(() =>
      checkTimings({ leaseDurationSeconds: 15, renewDeadlineMs: 10_000, retryPeriodMs: 0 }),
    ).toThrow(/retryPeriod/);
    expect(() =>
      checkTimings({ leaseDurationSeconds: 1.5, renewDeadlineMs: 1_000, retryPeriodMs: 100 }),
    ).toThrow(/whole number/);
  });
});

describe("never two leaders (a timeline with a manual clock)", () => {
  /**
   * A leader renews successfully at `lastRenewal`, then every renewal fails. A candidate
   * polls every retryPeriod from `phase` on. The leader must have stopped acting (by
   * leadingUntil) before the first moment the candidate's decide() says take over.
   */
  it("the old leader's deadline always ends before a candidate may take over", () => {
    const timings = { leaseDurationSeconds: 4, renewDeadlineMs: 3_000, retryPeriodMs: 500 };
    for (let lastRenewal = 0; lastRenewal <= 2_000; lastRenewal += 137) {
      for (let phase = 0; phase < timings.retryPeriodMs; phase += 61) {
        const lease = heldBy("pod-a", lastRenewal, { leaseDurationSeconds: timings.leaseDurationSeconds });
        let takeover: number | undefined;
        for (let now = phase; takeover === undefined; now += timings.retryPeriodMs) {
          const d = decide({ lease, identity: "pod-b", now: T0 + now, leaseDurationSeconds: 4 });
          if (d.action === "update") takeover = now;
        }
        const stoppedActing = leadingUntil(lastRenewal, timings.renewDeadlineMs);
        expect(stoppedActing).toBeLessThan(takeover);
        // …and the candidate is not kept waiting much beyond the lease plus one poll.
        expect(takeover - lastRenewal).toBeLessThanOrEqual(4_000 + timings.retryPeriodMs);
      }
    }
  });
});
