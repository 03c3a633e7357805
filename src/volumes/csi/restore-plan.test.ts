import { describe, expect, it } from "vitest";
import type { RestorePlan } from "../../restore/plan/decision.js";
import type { VolumeRecord } from "../record.js";
import { claimVolumes, restoredSources, snapshotSourceObjects, snapshotSources } from "./restore-plan.js";

const volumes: VolumeRecord[] = [
  {
    kind: "csi-snapshot",
    namespace: "shop",
    pvc: "data",
    volumeName: "pv-data",
    driver: "hostpath.csi",
    snapshotHandle: "snap-1",
    restoreSize: "1Gi",
    class: "hostpath",
    content: "snapcontent-1",
  },
  { kind: "skipped", namespace: "shop", pvc: "cache", reason: "volume policy 1 chose skip" },
];

describe("snapshot sources of a restore", () => {
  const sources = snapshotSources(volumes, { restoreName: "r1", namespaceMapping: { shop: "shop-copy" } });

  it("has one per snapshotted claim, in its target namespace", () => {
    expect(sources).toEqual([
      { volume: volumes[0], targetNamespace: "shop-copy", name: expect.stringMatching(/^r1-[0-9a-f]{8}$/) },
    ]);
    expect(claimVolumes(sources, { withData: true })).toEqual(
      new Map([["shop/data", { from: "snapshot", snapshot: sources[0]?.name }]]),
    );
    expect(claimVolumes(sources, { withData: false })).toEqual(new Map([["shop/data", { from: "empty" }]]));
    expect(snapshotSources(undefined, { restoreName: "r1", namespaceMapping: {} })).toEqual([]);
  });

  it("keeps only the claims the plan restores", () => {
    const plan = (action: "restore" | "skip") =>
      ({
        items: [
          {
            ref: { resource: "persistentvolumeclaims", namespace: "shop", name: "data" },
            kind: "PersistentVolumeClaim",
            decision:
              action === "restore"
                ? { action, targetName: "data", tier: 0, selectedAs: "selected", owners: [] }
                : { action, reason: "excluded-by-filter", message: "" },
          },
        ],
      }) as unknown as RestorePlan;
    expect(restoredSources(sources, plan("restore"))).toEqual(sources);
    expect(restoredSources(sources, plan("skip"))).toEqual([]);
  });

  it("makes a retained pre-provisioned content and a snapshot bound to it", () => {
    const source = sources[0]!;
    const labels = { "kubesnap.io/backup-name": "b1", "kubesnap.io/restore-name": "r1" };
    expect(snapshotSourceObjects(source, { backup: "b1", restore: "r1" }, "hostpath")).toEqual({
      content: {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshotContent",
        metadata: { name: source.name, labels },
        spec: {
          deletionPolicy: "Retain",
          driver: "hostpath.csi",
          source: { snapshotHandle: "snap-1" },
          volumeSnapshotClassName: "hostpath",
          volumeSnapshotRef: { name: source.name, namespace: "shop-copy" },
        },
      },
      snapshot: {
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshot",
        metadata: { name: source.name, namespace: "shop-copy", labels },
        spec: { source: { volumeSnapshotContentName: source.name }, volumeSnapshotClassName: "hostpath" },
      },
    });
    // No class of the driver in the target cluster: the optional field is left out.
    const classless = snapshotSourceObjects(source, { backup: "b1", restore: "r1" }, undefined);
    expect(classless.content.spec).not.toHaveProperty("volumeSnapshotClassName");
    expect(classless.snapshot.spec).not.toHaveProperty("volumeSnapshotClassName");
  });
});
