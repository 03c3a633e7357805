import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/kube-types.js";
import { blankNamespace, normalizeForCompare, prepareItem } from "./prepare.js";
import {
  controllerRef,
  deployment,
  job,
  namespaceObject,
  persistentVolume,
  persistentVolumeClaim,
  pod,
  service,
} from "./testing/objects.js";

const ctx = { backupName: "nightly-20261126070000", restoreName: "nightly-20261126070000-r1" };
const restoreLabels = {
  "kubesnap.io/backup-name": "nightly-20261126070000",
  "kubesnap.io/restore-name": "nightly-20261126070000-r1",
};

describe("prepareItem", () => {
  it("produces a creatable Deployment: no server fields, no status, restore labels added", () => {
    const served = deployment("shop", "web", "2c7e1a0d-8f5b-4e0a-b2c1-6d9e3f4a5b6c");
    const prepared = prepareItem(served, ctx);
    expect(prepared).toEqual({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: {
        name: "web",
        namespace: "shop",
        labels: { app: "web", ...restoreLabels },
        annotations: { "deployment.kubernetes.io/revision": "4" },
      },
      spec: served.spec,
    });
  });

  it("does not modify its input", () => {
    const served = pod("shop", "web", "u");
    const before = structuredClone(served);
    prepareItem(served, { ...ctx, namespaceMapping: { shop: "x" } });
    expect(served).toEqual(before);
  });

  it("moves namespaced items to the mapped namespace", () => {
    const prepared = prepareItem(deployment("shop", "web", "u"), {
      ...ctx,
      namespaceMapping: { shop: "shop-copy" },
    });
    expect(prepared.metadata.namespace).toBe("shop-copy");
  });

  it("rewrites owner references with the uid map and drops unknown owners", () => {
    const rs = controllerRef("ReplicaSet", "apps/v1", "web-1", "old-rs-uid");
    const extra = { apiVersion: "v1", kind: "ConfigMap", name: "gone", uid: "old-cm-uid" };
    const served = pod("shop", "web-1-abcde", "u", rs);
    served.metadata.ownerReferences = [rs, extra];
    const prepared = prepareItem(served, { ...ctx, uidMap: new Map([["old-rs-uid", "new-rs-uid"]]) });
    expect(prepared.metadata.ownerReferences).toEqual([{ ...rs, uid: "new-rs-uid" }]);
    const orphan = prepareItem(served, ctx);
    expect(orphan.metadata).not.toHaveProperty("ownerReferences");
  });

  it("applies the per-kind rules: a Pod", () => {
    const prepared = prepareItem(pod("shop", "web", "u"), ctx);
    const spec = prepared.spec as Record<string, unknown>;
    expect(spec).not.toHaveProperty("nodeName");
    expect(spec).not.toHaveProperty("priority");
    expect(spec.volumes).toHaveLength(1);
    expect(prepared).not.toHaveProperty("status");
  });

  it("applies the per-kind rules: a NodePort Service, with and without preserveNodePorts", () => {
    const served = service("shop", "web", "u", {
      type: "NodePort",
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 8080, nodePort: 31380 }],
    });
    expect(prepareItem(served, ctx).spec).toEqual({
      ipFamilies: ["IPv4"],
      type: "NodePort",
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 8080 }],
    });
    const kept = prepareItem(served, { ...ctx, preserveNodePorts: true }).spec as { ports: unknown[] };
    expect(kept.ports).toEqual([{ port: 80, protocol: "TCP", targetPort: 8080, nodePort: 31380 }]);
  });

  it("provisions a claim from its CSI snapshot, found by its name in the backup", () => {
    const served = persistentVolumeClaim("shop", "data", "c", "pvc-data");
    (served.spec as Record<string, unknown>).dataSourceRef = { kind: "PersistentVolumeClaim", name: "seed" };
    const claim = prepareItem(served, {
      ...ctx,
      namespaceMapping: { shop: "shop-copy" },
      claimVolumes: new Map([["shop/data", { from: "snapshot", snapshot: "r1-0a1b2c3d" }]]),
    });
    expect(claim.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      storageClassName: "local-path",
      volumeMode: "Filesystem",
      dataSource: { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: "r1-0a1b2c3d" },
    });
    const other = prepareItem(persistentVolumeClaim("shop", "logs", "d", "pvc-logs"), {
      ...ctx,
      claimVolumes: new Map([["shop/data", { from: "snapshot", snapshot: "r1-0a1b2c3d" }]]),
    });
    expect(other.spec).toMatchObject({ volumeName: "pvc-logs" });
  });

  it("gives a claim a new empty volume when the restore leaves volume data out", () => {
    const served = persistentVolumeClaim("shop", "data", "c", "pvc-data");
    (served.spec as Record<string, unknown>).dataSource = { kind: "PersistentVolumeClaim", name: "seed" };
    const claim = prepareItem(served, { ...ctx, claimVolumes: new Map([["shop/data", { from: "empty" }]]) });
    expect(claim.spec).toEqual({
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      storageClassName: "local-path",
      volumeMode: "Filesystem",
    });
  });

  it("applies the per-kind rules: a Job, a PVC and its PV under a mapping", () => {
    const preparedJob = prepareItem(job("shop", "migrate", "job-uid", { active: 1 }), ctx);
    expect(JSON.stringify(preparedJob)).not.toContain("job-uid");

    const claim = prepareItem(persistentVolumeClaim("shop", "data", "c", "pvc-data"), {
      ...ctx,
      namespaceMapping: { shop: "shop-copy" },
    });
    expect(claim.metadata).toMatchObject({
      namespace: "shop-copy",
      annotations: { "backup.example.com/tier": "gold" },
    });

    const volume = prepareItem(
      persistentVolume("pvc-data", "v", { namespace: "shop", name: "data", uid: "c" }),
      {
        ...ctx,
        namespaceMapping: { shop: "shop-copy" },
      },
    );
    expect(volume.metadata).not.toHaveProperty("namespace");
    expect((volume.spec as { claimRef: unknown }).claimRef).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: "shop-copy",
      name: "data",
    });
  });

  it("renames a mapped Namespace", () => {
    const prepared = prepareItem(namespaceObject("shop", "u"), {
      ...ctx,
      namespaceMapping: { shop: "shop-copy" },
    });
    expect(prepared).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: "shop-copy",
        labels: { "kubernetes.io/metadata.name": "shop-copy", ...restoreLabels },
      },
      spec: { finalizers: ["kubernetes"] },
    });
  });
});

describe("blankNamespace", () => {
  it("is a labelled, empty Namespace", () => {
    expect(blankNamespace("tools", ctx)).toEqual({
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "tools", labels: restoreLabels },
    });
  });
});

describe("normalizeForCompare", () => {
  it("cleans like prepareItem but does not move, label or keep owners", () => {
    const served: KubeObject = pod(
      "shop",
      "web",
      "u",
      controllerRef("ReplicaSet", "apps/v1", "rs", "rs-uid"),
    );
    const normalized = normalizeForCompare(served, { preserveNodePorts: false });
    expect(normalized.metadata).toEqual({
      name: "web",
      namespace: "shop",
      labels: { app: "web", "pod-template-hash": "5d9c7b8f6" },
    });
  });
});
