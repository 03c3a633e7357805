import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/cluster/connect.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";
import { createKubesnap, getKubesnap, type RunningServer, serverProcess, startServer } from "./harness.js";

describe("a server killed with SIGKILL during a backup", () => {
  let setup: RunningServer;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    // The harness makes the namespace, credentials and location; its in-process server is
    // stopped at once, so the processes below are the only ones acting.
    setup = await startServer(testEnv().clusters[0]!, testEnv().s3, { prefix: uniqueName("restart") });
    await setup.stop();
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
  });

  it("leaves the backup Failed with a reason after restart, never InProgress; the next backup succeeds", async () => {
    const cluster = testEnv().clusters[0]!;
    const { namespace } = setup;
    const workload = uniqueName("big");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: workload } } });
    await createConfigMaps(cluster, workload, 600);

    const first = serverProcess(cluster.kubeconfig, namespace).child;
    children.push(first);
    const client = await connect({ kubeconfig: cluster.kubeconfig });
    await createKubesnap(client, namespace, "backups", {
      kind: "Backup",
      metadata: { name: "interrupted" },
      spec: { includedNamespaces: [workload] },
    });
    await eventually(
      "the backup to start",
      async () => {
        const b = await getKubesnap(client, namespace, "backups", "interrupted");
        return b?.status?.phase === "InProgress" ? true : undefined;
      },
      60_000,
      20,
    );
    first.kill("SIGKILL");

    const second = serverProcess(cluster.kubeconfig, namespace).child;
    children.push(second);
    const failed = await eventually(
      "the restarted server to finish the backup as Failed",
      async () => {
        const b = await getKubesnap(client, namespace, "backups", "interrupted");
        return b?.status?.phase && b.status.phase !== "InProgress" ? b : undefined;
      },
      60_000,
    );
    // Either the backup had committed just before the kill (then Completed), or it is Failed with the reason.
    if (failed.status?.phase === "Failed")
      expect(String(failed.status.failureReason)).toContain("stopped before it finished");
    else expect(failed.status?.phase).toBe("Completed");

    await createKubesnap(client, namespace, "backups", {
      kind: "Backup",
      metadata: { name: "after-restart" },
      spec: { includedNamespaces: [workload] },
    });
    const next = await eventually(
      "the next backup to complete",
      async () => {
        const b = await getKubesnap(client, namespace, "backups", "after-restart");
        return b?.status?.phase && !["New", "InProgress"].includes(String(b.status.phase)) ? b : undefined;
      },
      90_000,
    );
    expect(next.status?.phase).toBe("Completed");
  });
});
