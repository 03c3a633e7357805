/**
 * The pure half of leader election: given the Lease as read and the time, what to write (or
 * whether to wait). No I/O, so every rule is tested with plain numbers; leader.ts does the
 * reading, writing and waiting.
 */
import { KubesnapError } from "../core/errors.js";

/** coordination.k8s.io/v1 LeaseSpec, as far as election uses it. */
export interface LeaseSpec {
  holderIdentity?: string | null;
  leaseDurationSeconds?: number | null;
  /** MicroTime: "2026-11-26T07:00:00.000000Z". */
  acquireTime?: string | null;
  renewTime?: string | null;
  leaseTransitions?: number | null;
}

export type ElectionDecision =
  /** No Lease yet: create it, naming ourselves. */
  | { readonly action: "create"; readonly spec: LeaseSpec }
  /** Write the Lease (with the resourceVersion read): renew our own, or take over a free one. */
  | { readonly action: "update"; readonly spec: LeaseSpec; readonly takeover: boolean }
  /** Someone else holds a lease that has not expired. */
  | { readonly action: "wait"; readonly holder: string; readonly expiresAt: number };

export interface ElectionTimings {
  readonly leaseDurationSeconds: number;
  readonly renewDeadlineMs: number;
  readonly retryPeriodMs: number;
}

/**
 * The rules that make "never two leaders" hold: a leader stops acting renewDeadline after the
 * renewTime it last wrote, and others take over only leaseDuration after it, so renewDeadline
 * must be shorter than leaseDuration (the difference is the margin for timer lateness and
 * clock skew); and a leader must get a few tries at renewing within renewDeadline.
 */
export function checkTimings(t: ElectionTimings): void {
  const leaseMs = t.leaseDurationSeconds * 1000;
  if (!Number.isInteger(t.leaseDurationSeconds) || t.leaseDurationSeconds < 1)
    throw new KubesnapError(
      "InvalidInput",
      `leader election: leaseDurationSeconds must be a whole number ≥ 1, not ${t.leaseDurationSeconds}`,
    );
  if (!(t.renewDeadlineMs < leaseMs))
    throw new KubesnapError(
      "InvalidInput",
      `leader election: renewDeadline (${t.renewDeadlineMs} ms) must be shorter than the lease duration (${leaseMs} ms)`,
      { hint: "otherwise a leader that cannot renew could still act after another has taken over" },
    );
  if (!(t.retryPeriodMs > 0 && t.retryPeriodMs * 1.2 < t.renewDeadlineMs))
    throw new KubesnapError(
      "InvalidInput",
      `leader election: retryPeriod (${t.retryPeriodMs} ms) must be positive and well below renewDeadline (${t.renewDeadlineMs} ms)`,
    );
}

/** Kubernetes MicroTime: RFC 3339 with exactly six fractional digits, always UTC. */
export function formatMicroTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

/** Milliseconds since the epoch, or undefined when absent or unreadable. */
export function parseTime(text: string | null | undefined): number | undefined {
  if (!text) return undefined;
  // Date.parse reads at most milliseconds reliably; drop the microseconds first.
  const ms = Date.parse(text.replace(/(\.\d{3})\d+/, "$1"));
  return Number.isNaN(ms) ? undefined : ms;
}

/**
 * When the lease stops protecting its holder, judged by the lease's own fields (the holder's
 * renewTime and duration), or undefined when nobody holds it. A held lease without a readable
 * renewTime makes no claim on time and counts as expired.
 */
export function leaseExpiresAt(spec: LeaseSpec, fallbackDurationSeconds: number): number | undefined {
  if (!spec.holderIdentity) return undefined;
  const renewed = parseTime(spec.renewTime) ?? parseTime(spec.acquireTime);
  if (renewed === undefined) return Number.NEGATIVE_INFINITY;
  const seconds =
    spec.leaseDurationSeconds && spec.leaseDurationSeconds > 0
      ? spec.leaseDurationSeconds
      : fallbackDurationSeconds;
  return renewed + seconds * 1000;
}

/** What a candidate (or the leader) does on reading the lease at `now`. */
export function decide(options: {
  readonly lease: LeaseSpec | undefined;
  readonly identity: string;
  readonly now: number;
  readonly leaseDurationSeconds: number;
}): ElectionDecision {
  const { lease, identity, now, leaseDurationSeconds } = options;
  const stamp = formatMicroTime(now);
  if (lease === undefined) {
    return {
      action: "create",
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds,
        acquireTime: stamp,
        renewTime: stamp,
        leaseTransitions: 0,
      },
    };
  }
  if (lease.holderIdentity === identity) {
    // Ours: renew, keeping when we acquired it and how often it changed hands.
    return {
      action: "update",
      takeover: false,
      spec: {
        ...lease,
        leaseDurationSeconds,
        acquireTime: lease.acquireTime ?? stamp,
        renewTime: stamp,
      },
    };
  }
  const expiresAt = leaseExpiresAt(lease, leaseDurationSeconds);
  // Strictly after expiry: at the very instant the holder's claim ends it is still its own.
  if (expiresAt !== undefined && now <= expiresAt)
    return { action: "wait", holder: lease.holderIdentity ?? "", expiresAt };
  return {
    action: "update",
    takeover: true,
    spec: {
      ...lease,
      holderIdentity: identity,
      leaseDurationSeconds,
      acquireTime: stamp,
      renewTime: stamp,
      leaseTransitions: (lease.leaseTransitions ?? 0) + 1,
    },
  };
}

/**
 * The lease a leader leaves behind on a graceful stop: no holder, so the next candidate
 * takes over on its next try instead of waiting out the duration (client-go does the same,
 * down to the one-second duration).
 */
export function releasedSpec(lease: LeaseSpec, now: number): LeaseSpec {
  const stamp = formatMicroTime(now);
  return { ...lease, holderIdentity: "", leaseDurationSeconds: 1, acquireTime: stamp, renewTime: stamp };
}

/**
 * The last moment a leader may act on the strength of the renewTime it wrote at `renewedAt`.
 * Measured from the time written into the lease (taken before the request was sent), not
 * from when the answer came back, because others count from the written time.
 */
export function leadingUntil(renewedAt: number, renewDeadlineMs: number): number {
  return renewedAt + renewDeadlineMs;
}
