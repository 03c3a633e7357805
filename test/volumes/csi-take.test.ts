/**
 * takeSnapshot when the snapshot never becomes ready, against the real snapshot controller:
 * it gives up after the item operation timeout (a parameter: seconds here, not minutes), says
 * why, and leaves nothing behind that no backup records.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import { isKubesnapError, type KubesnapError } from "../../src/core/errors.js";
import { retainClassName } from "../../src/volumes/csi/retain-class.js";
import { type SnapshotRequest, snapshotName, takeSnapshot } from "../../src/volumes/csi/take.js";
import { systemClock } from "../../src/volumes/csi/wait.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { Api, type Obj } from "../restore/api.js";
import { deleteNamespace } from "../workloads.js";
import { csiInfo, foreignClaim, SNAPSHOT_API } from "./csi-env.js";

const cluster = testEnv().clusters[0]!;
const api = new Api(cluster);
const TIMEOUT_MS = 2000;

describe("takeSnapshot of a snapshot that is never ready", () => {
  const namespace = uniqueName("csi-take");
  // A driver no csi-snapshotter sidecar serves: the snapshot controller binds a content, nobody cuts it.
  const stuckDriver = `${namespace}.stuck.example.com`;
  const stuckClass = `${namespace}-stuck`;
  let client: KubeClient;

  beforeAll(async () => {
    client = await connect({ kubeconfig: cluster.kubeconfig });
    await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
    await api.create({
      apiVersion: SNAPSHOT_API,
      kind: "VolumeSnapshotClass",
      metadata: { name: stuckClass },
      driver: stuckDriver,
      deletionPolicy: "Delete",
    });
    await foreignClaim(api, { namespace, name: "data", pv: namespace, driver: stuckDriver });
  });

  afterAll(async () => {
    // The contents wait for a sidecar that never comes to let go of them. Deleted first: the
    // snapshot controller puts its finalizer back on a content that is not being deleted.
    for (const content of await contentsOf(namespace)) {
      const ref = { apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent", name: content.metadata.name };
      await api.remove(ref);
      await api.mergePatch(ref, { metadata: { finalizers: null } }).catch(() => undefined);
    }
    await deleteNamespace(cluster, namespace);
    await api.remove({ apiVersion: "v1", kind: "PersistentVolume", name: namespace });
    for (const name of [stuckClass, retainClassName(stuckClass)])
      await api.remove({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotClass", name });
    client?.close();
  });

  /** Runs takeSnapshot, which must fail; the error and how long it took. */
  async function failedSnapshot(request: SnapshotRequest, backupName: string) {
    const started = performance.now();
    const failure = await takeSnapshot(request, {
      client,
      backupName,
      timeoutMs: TIMEOUT_MS,
      clock: systemClock,
    }).then(
      () => expect.unreachable("the snapshot was taken"),
      (err: unknown) => err as KubesnapError,
    );
    return { failure, ms: performance.now() - started };
  }

  const snapshotGone = (backupName: string, pvc: string) =>
    eventually("the VolumeSnapshot to be gone", async () => {
      const name = snapshotName(backupName, { namespace, pvc });
      const found = await api.find({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshot", namespace, name });
      return found ? undefined : true;
    });

  it("gives up after the item operation timeout and leaves no VolumeSnapshot and no retained content", async () => {
    const backupName = uniqueName("stuck");
    const request = {
      namespace,
      pvc: "data",
      volumeName: namespace,
      driver: stuckDriver,
      className: stuckClass,
    };
    const { failure, ms } = await failedSnapshot(request, backupName);

    expect(isKubesnapError(failure, "Timeout"), String(failure)).toBe(true);
    // Nothing reported an error: only the sidecar could have cut it, and the hint says so.
    expect(failure.message).toBe(`The snapshot of PVC ${namespace}/data was not ready within 2 s`);
    expect(failure.hint).toContain("snapshotter sidecar");
    // Polled until the timeout, then at most one more poll's worth: no more.
    expect(ms).toBeGreaterThanOrEqual(TIMEOUT_MS);
    expect(ms).toBeLessThan(TIMEOUT_MS + 1500);

    await snapshotGone(backupName, "data");
    const [content, ...others] = await contentsOf(namespace);
    expect(others).toEqual([]);
    // Made with the class's Retain twin (retain-class.ts), then switched to Delete when given up:
    // a Retain content would outlive its VolumeSnapshot with nothing left to delete it.
    expect(content?.spec).toMatchObject({
      volumeSnapshotClassName: retainClassName(stuckClass),
      deletionPolicy: "Delete",
    });
    await eventually("the content to be deleted with its VolumeSnapshot", async () => {
      const now = await api.find({
        apiVersion: SNAPSHOT_API,
        kind: "VolumeSnapshotContent",
        name: content!.metadata.name,
      });
      return now === undefined || now.metadata.deletionTimestamp ? true : undefined;
    });
  });

  it("says why, when the snapshot controller reports an error", async () => {
    const backupName = uniqueName("why");
    // A claim that is gone by the time its snapshot is taken.
    const csi = csiInfo(cluster);
    const request = { namespace, pvc: "gone", driver: csi.driver, className: csi.snapshotClass };
    const { failure } = await failedSnapshot(request, backupName);

    expect(isKubesnapError(failure, "Timeout"), String(failure)).toBe(true);
    expect(failure.message).toMatch(
      new RegExp(`^The snapshot of PVC ${namespace}/gone was not ready within 2 s: .*claim`),
    );
    await snapshotGone(backupName, "gone");
  });
});

/** The VolumeSnapshotContents bound to VolumeSnapshots of a namespace. */
async function contentsOf(namespace: string): Promise<Obj[]> {
  const all = await api.list({ apiVersion: SNAPSHOT_API, kind: "VolumeSnapshotContent" });
  return all.filter(
    (c) =>
      (c.spec as { volumeSnapshotRef?: { namespace?: string } }).volumeSnapshotRef?.namespace === namespace,
  );
}
