/**
 * Leader election over a coordination.k8s.io/v1 Lease, after client-go's leaderelection:
 * candidates read the Lease every retryPeriod and take it over once it is free or expired,
 * writing with the resourceVersion they read so that of two racing candidates one gets 409
 * Conflict; the leader renews every retryPeriod and stops acting (aborts the signal it gave
 * onStartedLeading) as soon as renewDeadline has passed since the renewTime it last wrote.
 * Others wait a full leaseDuration after that renewTime, and renewDeadline < leaseDuration,
 * so with correct clocks the old leader has stopped before a new one starts.
 *
 * The decisions themselves are pure and live in election.ts; this file reads, writes, waits.
 */
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError, isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import { checkTimings, decide, type LeaseSpec, leadingUntil, releasedSpec } from "./election.js";

export const LEASE_NAME = "kubesnap-server";

const LEASES: ResourceType = {
  group: "coordination.k8s.io",
  version: "v1",
  resource: "leases",
  kind: "Lease",
  namespaced: true,
};

/** Time as the election sees it; injected so that nothing here needs the wall clock. */
export interface ElectionClock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after ms milliseconds, or at once when the signal aborts (never rejects). */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: ElectionClock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise((resolve) => {
      if (signal?.aborted) return resolve();
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal?.addEventListener("abort", done, { once: true });
    }),
};

export interface LeaderElectionOptions {
  /** Only `request` is used, so a test can put a network fault between election and server. */
  readonly client: Pick<KubeClient, "request">;
  /** The server's namespace; the Lease lives there. */
  readonly namespace: string;
  /** Unique per process (pod name plus something random): two processes must never share it. */
  readonly identity: string;
  readonly leaseName?: string;
  readonly leaseDurationSeconds?: number;
  readonly renewDeadlineMs?: number;
  readonly retryPeriodMs?: number;
  readonly clock?: ElectionClock;
  /**
   * Called on becoming leader. Do the leader's work until the signal aborts; a returned
   * promise is awaited by stop() before the lease is released, so work that winds down
   * after the abort finishes before another process may start.
   */
  readonly onStartedLeading: (signal: AbortSignal) => void | Promise<void>;
  /** Called on stepping down for any reason, right after the signal is aborted. */
  readonly onStoppedLeading: () => void;
  /** Called when the observed holder changes (ourselves included). */
  readonly onNewLeader?: (identity: string) => void;
  /** Failures that the election rides out (a failed read, a slow renewal); for the log. */
  readonly onError?: (message: string) => void;
}

export interface LeaderElection {
  /** Steps down (awaiting the leader's work) and releases the lease if we hold it. Idempotent. */
  stop(): Promise<void>;
  /** True only while leading and within renewDeadline of the last renewal written. */
  isLeader(): boolean;
}

interface LeaseObject extends KubeObject {
  spec?: LeaseSpec;
}

interface LeaderState {
  readonly abort: AbortController;
  /** The renewTime last written successfully. */
  renewedAt: number;
  work: Promise<void>;
}

export function startLeaderElection(options: LeaderElectionOptions): LeaderElection {
  const { client, namespace, identity } = options;
  const leaseDurationSeconds = options.leaseDurationSeconds ?? 15;
  const renewDeadlineMs = options.renewDeadlineMs ?? 10_000;
  const retryPeriodMs = options.retryPeriodMs ?? 2_000;
  checkTimings({ leaseDurationSeconds, renewDeadlineMs, retryPeriodMs });
  if (!identity) throw new KubesnapError("InvalidInput", "leader election needs a non-empty identity");
  const clock = options.clock ?? systemClock;
  const name = options.leaseName ?? LEASE_NAME;
  const leasePath = resourcePath(LEASES, { namespace, name });
  const what = `lease ${namespace}/${name}`;
  // Each HTTP attempt is bounded; the watchdog, not this timeout, is what keeps us safe.
  const timeoutMs = renewDeadlineMs;

  const loopAbort = new AbortController();
  let leader: LeaderState | undefined;
  let observed: string | undefined;

  const report = (message: string) => {
    try {
      options.onError?.(message);
    } catch {
      // A failing logger must not stop the election.
    }
  };

  const observe = (holder: string) => {
    if (!holder || holder === observed) return;
    observed = holder;
    try {
      options.onNewLeader?.(holder);
    } catch (err) {
      report(`onNewLeader failed: ${describeError(err)}`);
    }
  };

  function stepDown(reason: string): LeaderState | undefined {
    const state = leader;
    if (!state) return undefined;
    leader = undefined;
    state.abort.abort(new KubesnapError("Unavailable", `no longer the leader: ${reason}`));
    try {
      options.onStoppedLeading();
    } catch (err) {
      report(`onStoppedLeading failed: ${describeError(err)}`);
    }
    return state;
  }

  function startLeading(renewedAt: number): void {
    const abort = new AbortController();
    const state: LeaderState = { abort, renewedAt, work: Promise.resolve() };
    leader = state;
    state.work = (async () => {
      try {
        await options.onStartedLeading(abort.signal);
      } catch (err) {
        report(`the leader's work failed: ${describeError(err)}`);
      }
    })();
    void watchdog(state);
  }

  /** Steps down the moment renewDeadline passes without a renewal, even mid-request. */
  async function watchdog(state: LeaderState): Promise<void> {
    while (leader === state) {
      const remaining = leadingUntil(state.renewedAt, renewDeadlineMs) - clock.now();
      if (remaining <= 0) {
        report(`could not renew ${what} within ${renewDeadlineMs} ms; stepping down`);
        stepDown("renewDeadline passed");
        return;
      }
      await clock.sleep(remaining, state.abort.signal);
    }
  }

  async function readLease(): Promise<LeaseObject | undefined> {
    try {
      return await client.request<LeaseObject>({ method: "GET", path: leasePath, timeoutMs });
    } catch (err) {
      if (isKubesnapError(err, "NotFound")) return undefined;
      throw err;
    }
  }

  async function attempt(): Promise<void> {
    // Taken before the read: the renewTime we write is never later than the moment we
    // judged the lease, so our own deadline and others' expiry both count from it.
    const now = clock.now();
    const current = await readLease();
    const holder = current?.spec?.holderIdentity ?? "";
    if (leader && holder !== identity) stepDown(`${what} is now held by "${holder || "nobody"}"`);
    // A Lease without a spec exists all the same: it is updated, not created.
    const lease = current ? (current.spec ?? {}) : undefined;
    const decision = decide({ lease, identity, now, leaseDurationSeconds });
    if (decision.action === "wait") {
      observe(decision.holder);
      return;
    }
    const body: LeaseObject = {
      apiVersion: "coordination.k8s.io/v1",
      kind: "Lease",
      // The metadata as read carries the resourceVersion: the write fails with 409 if anyone
      // wrote in between.
      metadata: current?.metadata ?? { name, namespace },
      spec: decision.spec,
    };
    try {
      if (decision.action === "create")
        await client.request({
          method: "POST",
          path: resourcePath(LEASES, { namespace }),
          body: JSON.stringify(body),
          timeoutMs,
        });
      else await client.request({ method: "PUT", path: leasePath, body: JSON.stringify(body), timeoutMs });
    } catch (err) {
      // Another candidate wrote first; the next read shows who.
      if (isKubesnapError(err, "Conflict") || isKubesnapError(err, "AlreadyExists")) return;
      throw err;
    }
    // Stopping: do not start anything; stop() releases the lease we just wrote.
    if (loopAbort.signal.aborted) return;
    if (clock.now() >= leadingUntil(now, renewDeadlineMs)) {
      report(`writing ${what} took longer than renewDeadline (${renewDeadlineMs} ms)`);
      return;
    }
    if (leader) leader.renewedAt = Math.max(leader.renewedAt, now);
    else startLeading(now);
    observe(identity);
  }

  async function loop(): Promise<void> {
    while (!loopAbort.signal.aborted) {
      try {
        await attempt();
      } catch (err) {
        report(`leader election on ${what}: ${describeError(err)}`);
      }
      await clock.sleep(retryPeriodMs, loopAbort.signal);
    }
  }

  async function release(): Promise<void> {
    const now = clock.now();
    try {
      const current = await readLease();
      if (!current?.spec || current.spec.holderIdentity !== identity) return;
      const body: LeaseObject = { ...current, spec: releasedSpec(current.spec, now) };
      await client.request({ method: "PUT", path: leasePath, body: JSON.stringify(body), timeoutMs });
    } catch (err) {
      // Someone else wrote it: it is no longer ours to release.
      if (isKubesnapError(err, "Conflict")) return;
      report(`cannot release ${what}: ${describeError(err)}; others take over when it expires`);
    }
  }

  async function shutDown(): Promise<void> {
    loopAbort.abort();
    const state = stepDown("stopping");
    await state?.work;
    // A request in flight may hang on an unreachable server; do not wait on it for long.
    const bound = new AbortController();
    await Promise.race([running, clock.sleep(renewDeadlineMs, bound.signal)]);
    bound.abort();
    await release();
  }

  const running = loop();
  let stopping: Promise<void> | undefined;
  return {
    stop: () => {
      stopping ??= shutDown();
      return stopping;
    },
    isLeader: () => leader !== undefined && clock.now() < leadingUntil(leader.renewedAt, renewDeadlineMs),
  };
}
