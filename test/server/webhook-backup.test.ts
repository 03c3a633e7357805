/**
 * The webhook's wait for its pre-delete backup, against a real API server with no kubesnap
 * server running: the test plays the BackupController by writing the Backup's status (and
 * deleting it) through the API, so each way the wait can end is reached on purpose. The
 * deadline is the function's parameter: seconds here. (test/server/protect.test.ts runs the
 * whole webhook with a real server.)
 */
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup, BackupStatus } from "../../src/api/index.js";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import type { BackupTarget } from "../../src/protect/index.js";
import { PRE_DELETE_UID_LABEL, preDeleteBackup } from "../../src/protect/index.js";
import { takePreDeleteBackup } from "../../src/server/webhook-backup.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { deleteNamespace } from "../workloads.js";
import { kubesnapNamespace, listKubesnap } from "./harness.js";

const cluster = testEnv().clusters[0]!;

describe("takePreDeleteBackup", () => {
  let client: KubeClient;
  let namespace: string;

  beforeAll(async () => {
    client = await connect({ kubeconfig: cluster.kubeconfig });
    namespace = await kubesnapNamespace(client, "pre-delete-wait");
  });
  afterAll(async () => {
    if (namespace) await deleteNamespace(cluster, namespace);
    client?.close();
  });

  /** A namespace about to be deleted; no other test's backups carry its uid. */
  const target = (): BackupTarget => ({ kind: "Namespace", name: uniqueName("prod"), uid: randomUUID() });

  /** Waits as the webhook does, with real time, until `deadline` ms from now. */
  function wait(of: BackupTarget, deadlineMs: number) {
    const deadline = Date.now() + deadlineMs;
    const waiting = takePreDeleteBackup(of, {
      client,
      namespace,
      now: () => new Date(),
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      deadline,
    });
    return { waiting, deadline };
  }

  const backupsOf = async (of: BackupTarget) =>
    (await listKubesnap<Backup>(client, namespace, "backups")).filter(
      (b) => b.metadata.labels?.[PRE_DELETE_UID_LABEL] === of.uid,
    );

  /** The one pre-delete Backup of `of`, once the waiter has created it. */
  const created = (of: BackupTarget) =>
    eventually("the pre-delete Backup", async () => {
      const [backup, ...more] = await backupsOf(of);
      expect(more).toEqual([]);
      return backup;
    });

  /** What the BackupController writes. */
  const setStatus = (name: string, status: Partial<BackupStatus>) =>
    client.request({
      method: "PATCH",
      path: `/apis/kubesnap.io/v1/namespaces/${namespace}/backups/${name}/status`,
      body: JSON.stringify({ status: { errors: 0, warnings: 0, ...status } }),
      contentType: "application/merge-patch+json",
    });

  it("creates the backup and waits until it finishes", async () => {
    const prod = target();
    const { waiting } = wait(prod, 30_000);
    let settled = false;
    const done = () => {
      settled = true;
    };
    waiting.then(done, done);
    const backup = await created(prod);
    expect(backup.metadata.name).toMatch(new RegExp(`^pre-delete-${prod.name}-\\d{14}$`));
    expect(backup.spec.includedNamespaces).toEqual([prod.name]);

    await setStatus(backup.metadata.name, { phase: "InProgress" });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(settled).toBe(false);
    await setStatus(backup.metadata.name, {
      phase: "Completed",
      completionTimestamp: new Date().toISOString(),
    });
    expect(await waiting).toMatchObject({
      state: "finished",
      backup: { metadata: { name: backup.metadata.name }, status: { phase: "Completed" } },
    });
  });

  it("gives up before the deadline, saying how long it waited", async () => {
    const prod = target();
    const { waiting, deadline } = wait(prod, 2_000);
    await setStatus((await created(prod)).metadata.name, { phase: "InProgress" });
    const result = await waiting;
    const answered = Date.now();

    expect(result).toMatchObject({ state: "timedOut", backup: { status: { phase: "InProgress" } } });
    const waitedMs = result.state === "timedOut" ? result.waitedMs : Number.NaN;
    // Until one poll (100 ms) before the deadline, and not past it (a slow last read is cut off
    // at the deadline) by more than a busy event loop's lateness in firing a timer.
    expect(waitedMs).toBeGreaterThanOrEqual(1_800);
    expect(waitedMs).toBeLessThanOrEqual(2_050);
    expect(answered).toBeLessThan(deadline + 100);
  });

  it("joins the backup an earlier attempt started instead of starting another", async () => {
    const prod = target();
    // What an attempt ten seconds ago created, still running.
    const earlier = preDeleteBackup(prod, { now: new Date(Date.now() - 10_000) });
    await client.request({
      method: "POST",
      path: `/apis/kubesnap.io/v1/namespaces/${namespace}/backups`,
      body: JSON.stringify(earlier),
    });
    await setStatus(earlier.metadata.name, { phase: "InProgress" });

    const { waiting } = wait(prod, 30_000);
    await new Promise((resolve) => setTimeout(resolve, 300));
    await setStatus(earlier.metadata.name, {
      phase: "Completed",
      completionTimestamp: new Date().toISOString(),
    });
    const result = await waiting;
    expect(result).toMatchObject({
      state: "finished",
      backup: { metadata: { name: earlier.metadata.name }, status: { phase: "Completed" } },
    });
    expect((await backupsOf(prod)).map((b) => b.metadata.name)).toEqual([earlier.metadata.name]);
  });

  it("reports a backup deleted while it waited as failed", async () => {
    const prod = target();
    const { waiting } = wait(prod, 30_000);
    const backup = await created(prod);
    await client.request({
      method: "DELETE",
      path: `/apis/kubesnap.io/v1/namespaces/${namespace}/backups/${backup.metadata.name}`,
    });
    expect(await waiting).toMatchObject({
      state: "finished",
      backup: {
        metadata: { name: backup.metadata.name },
        status: { phase: "Failed", failureReason: expect.stringContaining("deleted") },
      },
    });
  });
});
