import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/cluster/connect.js";
import { LEASE_NAME } from "../../src/server/leader.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import {
  createKubesnap,
  listKubesnap,
  type RunningServer,
  type ServerProcess,
  serverProcess,
  startServer,
} from "./harness.js";

type Obj = { metadata: { name: string; labels?: Record<string, string> }; status?: { phase?: string } };

/** The time a scheduled backup was due, from its name (SCHEDULE-yyyyMMddHHmmss). */
function dueOf(name: string): number {
  const m = /-(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(name);
  if (!m) throw new Error(`not a scheduled backup's name: ${name}`);
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

describe("two server replicas", () => {
  let setup: RunningServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // The harness makes the namespace, credentials and location; its own server stops at once.
    setup = await startServer(testEnv().clusters[0]!, testEnv().s3, { prefix: uniqueName("replicas") });
    await setup.stop();
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  it("only the leader acts; when it is killed the other takes over, and no scheduled time runs twice", async () => {
    const cluster = testEnv().clusters[0]!;
    const { namespace } = setup;
    const client = await connect({ kubeconfig: cluster.kubeconfig });
    const replicas = new Map<string, ServerProcess>();
    for (const identity of ["replica-a", "replica-b"]) {
      const replica = serverProcess(cluster.kubeconfig, namespace, "--identity", identity);
      replicas.set(identity, replica);
      children.push(replica.child);
    }
    const holder = async () =>
      (
        await client.get<{ spec?: { holderIdentity?: string } }>(
          `/apis/coordination.k8s.io/v1/namespaces/${namespace}/leases/${LEASE_NAME}`,
        )
      ).spec?.holderIdentity;
    const leader = await eventually("a leader", async () => (await holder()) || undefined, 60_000);
    const standby = leader === "replica-a" ? "replica-b" : "replica-a";

    await createKubesnap(client, namespace, "schedules", {
      kind: "Schedule",
      metadata: { name: "ha" },
      spec: { schedule: "@every 2s", template: { includedNamespaces: ["kube-public"] } },
    });
    const scheduled = async () =>
      (await listKubesnap<Obj>(client, namespace, "backups")).filter(
        (b) => b.metadata.labels?.["kubesnap.io/schedule-name"] === "ha",
      );
    const completed = async () => (await scheduled()).filter((b) => b.status?.phase === "Completed");
    await eventually("two scheduled backups by the leader", async () =>
      (await completed()).length >= 2 ? true : undefined,
    );
    expect(replicas.get(leader)?.logs()).toContain('"backup started"');
    expect(replicas.get(standby)?.logs()).not.toContain('"backup started"');

    replicas.get(leader)?.child.kill("SIGKILL");
    const killedAt = Date.now();
    const before = (await completed()).length;
    await eventually("the standby to take the lease", async () =>
      (await holder()) === standby ? true : undefined,
    );
    const takeoverSeconds = (Date.now() - killedAt) / 1000;
    expect(takeoverSeconds).toBeLessThan(30);
    await eventually(
      "two more scheduled backups by the new leader",
      async () => ((await completed()).length >= before + 2 ? true : undefined),
      60_000,
    );
    expect(replicas.get(standby)?.logs()).toContain('"became the leader; starting controllers"');

    // Every due time ran at most once: no two backups share a due time, and they are an interval apart.
    const dues = (await scheduled()).map((b) => dueOf(b.metadata.name)).sort((a, b) => a - b);
    expect(new Set(dues).size).toBe(dues.length);
    for (let i = 1; i < dues.length; i++) expect(dues[i]! - dues[i - 1]!).toBeGreaterThanOrEqual(2000);
    // Paused, the schedule's runs all end: one the killed leader had started was finished by the new one.
    await client.request({
      method: "PATCH",
      path: `/apis/kubesnap.io/v1/namespaces/${namespace}/schedules/ha`,
      body: JSON.stringify({ spec: { paused: true } }),
      contentType: "application/merge-patch+json",
    });
    await eventually("no backup left New or InProgress", async () =>
      (await scheduled()).every((b) => ["Completed", "Failed"].includes(b.status?.phase ?? "New"))
        ? true
        : undefined,
    );
    console.log(`replicas: takeover after SIGKILL in ${takeoverSeconds.toFixed(1)} s`);
    client.close();
  });
});
