import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import type { HttpRequest } from "../../src/cluster/http.js";
import { KubesnapError } from "../../src/core/errors.js";
import {
  type LeaderElection,
  type LeaderElectionOptions,
  startLeaderElection,
} from "../../src/server/leader.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";

// Short timings keep the test quick; the ratios are client-go's (15 s / 10 s / 2 s).
const TIMINGS = { leaseDurationSeconds: 4, renewDeadlineMs: 3_000, retryPeriodMs: 500 } as const;

/** A candidate plus what happened to it, with wall-clock times. */
interface Candidate {
  readonly id: string;
  readonly election: LeaderElection;
  readonly started: number[];
  readonly stopped: number[];
  readonly errors: string[];
  /** Cuts this candidate off from the API server, as a network partition (or a hung process) would. */
  partition(): void;
}

let kube: KubeClient;
const cluster = () => testEnv().clusters[0]!;

beforeAll(async () => {
  kube = await connect({ kubeconfig: cluster().kubeconfig });
});

afterAll(() => kube?.close());

async function freshNamespace(prefix: string): Promise<string> {
  const namespace = uniqueName(prefix);
  await clients(cluster()).core.createNamespace({ body: { metadata: { name: namespace } } });
  return namespace;
}

function candidate(
  id: string,
  namespace: string,
  extra: Partial<Pick<LeaderElectionOptions, "onStartedLeading">> = {},
): Candidate {
  let cut = false;
  const started: number[] = [];
  const stopped: number[] = [];
  const errors: string[] = [];
  const client = {
    request<T>(req: HttpRequest): Promise<T> {
      return cut
        ? Promise.reject(new KubesnapError("Unavailable", `${id} is partitioned from the API server`))
        : kube.request<T>(req);
    },
  };
  const election = startLeaderElection({
    client,
    namespace,
    identity: id,
    ...TIMINGS,
    onStartedLeading: (signal) => {
      started.push(Date.now());
      return extra.onStartedLeading?.(signal);
    },
    onStoppedLeading: () => stopped.push(Date.now()),
    onError: (message) => errors.push(message),
  });
  return {
    id,
    election,
    started,
    stopped,
    errors,
    partition: () => {
      cut = true;
    },
  };
}

/** Samples isLeader() of every candidate every 100 ms and records any moment with two leaders. */
function sampler(candidates: readonly Candidate[]) {
  const overlaps: string[] = [];
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    const leaders = candidates.filter((c) => c.election.isLeader()).map((c) => c.id);
    if (leaders.length > 1) overlaps.push(`${new Date().toISOString()}: ${leaders.join(", ")}`);
  }, 100);
  return {
    overlaps,
    samples: () => samples,
    stop: () => clearInterval(timer),
  };
}

const leadersOf = (candidates: readonly Candidate[]) => candidates.filter((c) => c.election.isLeader());

async function soleLeader(candidates: readonly Candidate[]): Promise<Candidate> {
  return eventually(
    "one leader",
    async () => {
      const leaders = leadersOf(candidates);
      return leaders.length === 1 ? leaders[0] : undefined;
    },
    20_000,
  );
}

interface LeaseReading {
  spec: {
    holderIdentity?: string;
    leaseDurationSeconds?: number;
    acquireTime?: string;
    renewTime?: string;
    leaseTransitions?: number;
  };
}

const readLease = (namespace: string) =>
  kube.get<LeaseReading>(`/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/kubesnap-server`);

const MICROTIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/;

describe("leader election on a Lease", () => {
  it("elects exactly one of two candidates; a partitioned leader steps down before the other takes over", async () => {
    const namespace = await freshNamespace("leader");
    const all = [candidate("pod-a", namespace), candidate("pod-b", namespace)];
    const watch = sampler(all);
    try {
      const first = await soleLeader(all);
      const other = all.find((c) => c !== first)!;
      // It stays that way while both keep trying (several retry periods, and past a lease duration).
      const steady = Date.now();
      while (Date.now() - steady < 5_000) {
        expect(leadersOf(all).map((c) => c.id)).toEqual([first.id]);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      expect(first.started).toHaveLength(1);
      expect(other.started).toHaveLength(0);
      const before = await readLease(namespace);
      expect(before.spec).toMatchObject({ holderIdentity: first.id, leaseDurationSeconds: 4 });
      expect(before.spec.renewTime).toMatch(MICROTIME);
      expect(before.spec.acquireTime).toMatch(MICROTIME);

      // The leader loses the API server without releasing anything: it must stop acting
      // within renewDeadline, and the other may start only once the lease has expired.
      const cutAt = Date.now();
      first.partition();
      const takenOver = await eventually(
        "the other candidate to take over",
        async () => other.started[0],
        30_000,
      );
      const steppedDown = first.stopped[0]!;
      expect(steppedDown).toBeDefined();
      expect(steppedDown).toBeLessThan(takenOver);
      expect(steppedDown - cutAt).toBeLessThanOrEqual(TIMINGS.renewDeadlineMs + 200);
      expect(takenOver - cutAt).toBeLessThan(30_000);
      // Not before the lease (last renewed about one retry period before the cut) expired.
      expect(takenOver - cutAt).toBeGreaterThan(
        TIMINGS.leaseDurationSeconds * 1000 - 2 * TIMINGS.retryPeriodMs,
      );
      console.info(
        `partitioned leader: stepped down after ${steppedDown - cutAt} ms, taken over after ${takenOver - cutAt} ms`,
      );
      expect(first.errors.some((e) => e.includes("could not renew"))).toBe(true);
      expect(leadersOf(all).map((c) => c.id)).toEqual([other.id]);

      const after = await readLease(namespace);
      expect(after.spec.holderIdentity).toBe(other.id);
      expect(after.spec.leaseTransitions).toBe((before.spec.leaseTransitions ?? 0) + 1);
    } finally {
      await Promise.all(all.map((c) => c.election.stop()));
      watch.stop();
    }
    expect(watch.samples()).toBeGreaterThan(50);
    expect(watch.overlaps).toEqual([]);
  });

  it("on a graceful stop, winds the leader's work down and releases the lease so another takes over at once", async () => {
    const namespace = await freshNamespace("leader");
    let woundDown = 0;
    const a = candidate("pod-a", namespace, {
      // Work that takes a while to stop after the abort: stop() must wait for it.
      onStartedLeading: (signal) =>
        new Promise<void>((resolve) =>
          signal.addEventListener("abort", () =>
            setTimeout(() => {
              woundDown = Date.now();
              resolve();
            }, 300),
          ),
        ),
    });
    await eventually("pod-a to lead", async () => a.election.isLeader() || undefined, 20_000);
    const b = candidate("pod-b", namespace);
    const all = [a, b];
    const watch = sampler(all);
    try {
      // b has seen the lease held and is waiting.
      await new Promise((resolve) => setTimeout(resolve, 3 * TIMINGS.retryPeriodMs));
      expect(b.election.isLeader()).toBe(false);

      const stopAt = Date.now();
      await a.election.stop();
      const stopped = Date.now();
      expect(a.election.isLeader()).toBe(false);
      expect(woundDown).toBeGreaterThan(0);
      expect(woundDown).toBeLessThanOrEqual(stopped);
      const released = await readLease(namespace);
      // Either still released, or b already took it; never a's.
      expect(released.spec.holderIdentity).not.toBe("pod-a");

      const takenOver = await eventually("pod-b to take over", async () => b.started[0], 30_000);
      expect(takenOver).toBeGreaterThan(woundDown);
      // Without the release, b would wait out the 4 s lease; released, it needs one poll.
      expect(takenOver - stopped).toBeLessThan(2 * TIMINGS.retryPeriodMs + 500);
      console.info(
        `graceful stop: stop() took ${stopped - stopAt} ms, taken over ${takenOver - stopped} ms after it returned`,
      );
      expect((await readLease(namespace)).spec).toMatchObject({
        holderIdentity: "pod-b",
        leaseTransitions: 1,
      });
      expect(a.errors).toEqual([]);
    } finally {
      await Promise.all(all.map((c) => c.election.stop()));
      watch.stop();
    }
    expect(watch.overlaps).toEqual([]);
    // b released too on its stop.
    expect((await readLease(namespace)).spec.holderIdentity).toBe("");
  });

  it("lets exactly one of five candidates started at once win the race to create the lease", async () => {
    const namespace = await freshNamespace("leader");
    const all = ["p1", "p2", "p3", "p4", "p5"].map((id) => candidate(id, namespace));
    const watch = sampler(all);
    try {
      const winner = await soleLeader(all);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(leadersOf(all).map((c) => c.id)).toEqual([winner.id]);
      expect(all.flatMap((c) => c.started)).toHaveLength(1);
      expect((await readLease(namespace)).spec).toMatchObject({
        holderIdentity: winner.id,
        leaseTransitions: 0,
      });
    } finally {
      await Promise.all(all.map((c) => c.election.stop()));
      watch.stop();
    }
    expect(watch.overlaps).toEqual([]);
  });
});
