import { describe, expect, it } from "vitest";
import type { Claim, SnapshotClass, Volume } from "./csi/kinds.js";
import { type ClaimFacts, claimFacts, planVolumes, type VolumePlanContext } from "./plan.js";

const hostpathClass: SnapshotClass = {
  apiVersion: "snapshot.storage.k8s.io/v1",
  kind: "VolumeSnapshotClass",
  metadata: { name: "hostpath", labels: { "kubesnap.io/default": "true" } },
  driver: "hostpath.csi",
};

const ctx: VolumePlanContext = { policies: [], snapshotVolumes: true, classes: [hostpathClass] };

function facts(
  pvc: string,
  extra: Partial<ClaimFacts> = {},
  without?: "volumeName" | "csiDriver",
): ClaimFacts {
  const all: { -readonly [K in keyof ClaimFacts]: ClaimFacts[K] } = {
    namespace: "shop",
    pvc,
    volumeName: `pv-${pvc}`,
    csiDriver: "hostpath.csi",
    labels: {},
    ...extra,
  };
  if (without) delete all[without];
  return all;
}

describe("claimFacts", () => {
  it("reads the claim's class, labels and volume, and the volume's CSI driver", () => {
    const claim: Claim = {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "shop", labels: { app: "db" } },
      spec: { storageClassName: "fast", volumeName: "pv-1" },
    };
    const volume: Volume = {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-1" },
      spec: { csi: { driver: "ebs" } },
    };
    expect(claimFacts(claim, volume)).toEqual({
      namespace: "shop",
      pvc: "data",
      volumeName: "pv-1",
      storageClass: "fast",
      csiDriver: "ebs",
      labels: { app: "db" },
    });
    expect(claimFacts({ ...claim, spec: { storageClassName: "" } }, undefined)).toEqual({
      namespace: "shop",
      pvc: "data",
      labels: { app: "db" },
    });
  });
});

describe("planVolumes", () => {
  it("snapshots a CSI volume with its driver's class", () => {
    expect(planVolumes([facts("data")], ctx)).toEqual([
      {
        kind: "snapshot",
        request: {
          namespace: "shop",
          pvc: "data",
          volumeName: "pv-data",
          driver: "hostpath.csi",
          className: "hostpath",
        },
        because: "no volume policy matched; snapshot is the default",
      },
    ]);
  });

  it("skips what cannot be snapshotted with the reason and a warning", () => {
    const steps = planVolumes(
      [facts("unbound", {}, "volumeName"), facts("nfs", {}, "csiDriver"), facts("ebs", { csiDriver: "ebs" })],
      ctx,
    );
    expect(steps.map((s) => (s.kind === "skip" ? [s.record.reason, s.warn] : s.kind))).toEqual([
      ["the PVC is not bound to a volume: there is no data to snapshot", true],
      ["volume pv-nfs is not a CSI volume, so it cannot be snapshotted", true],
      [
        expect.stringContaining(
          "CSI driver ebs has no VolumeSnapshotClass labelled kubesnap.io/default=true",
        ),
        true,
      ],
    ]);
    expect(planVolumes([facts("data")], { ...ctx, classes: undefined })).toEqual([
      {
        kind: "skip",
        record: {
          kind: "skipped",
          namespace: "shop",
          pvc: "data",
          volumeName: "pv-data",
          reason: expect.stringContaining("does not serve snapshot.storage.k8s.io"),
        },
        warn: true,
      },
    ]);
  });

  it("follows the policy: a skip is no warning, fs-backup goes to the file-system step", () => {
    const policies = [
      { conditions: { pvcLabels: { tier: "cache" } }, action: { type: "skip" as const } },
      { conditions: { csi: { driver: "ebs" } }, action: { type: "fs-backup" as const } },
    ];
    const steps = planVolumes(
      [facts("cache", { labels: { tier: "cache" } }), facts("ebs", { csiDriver: "ebs" })],
      { ...ctx, policies },
    );
    expect(steps).toEqual([
      {
        kind: "skip",
        record: {
          kind: "skipped",
          namespace: "shop",
          pvc: "cache",
          volumeName: "pv-cache",
          reason: "volume policy 1 chose skip",
        },
        warn: false,
      },
      {
        kind: "fs-backup",
        claim: { namespace: "shop", pvc: "ebs", volumeName: "pv-ebs" },
        because: "volume policy 2 chose fs-backup",
      },
    ]);
  });
});
