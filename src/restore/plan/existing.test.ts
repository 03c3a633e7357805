import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/kube-types.js";
import { decideExisting } from "./existing.js";
import { prepareItem } from "./prepare.js";
import {
  controllerRef,
  deployment,
  persistentVolumeClaim,
  service,
  serviceAccount,
} from "./testing/objects.js";

const ctx = { backupName: "nightly", restoreName: "nightly-r1" };
const labels = { "kubesnap.io/backup-name": "nightly", "kubesnap.io/restore-name": "nightly-r1" };

/** The same object as another cluster serves it: new uid, resourceVersion, status and timestamps. */
function servedElsewhere(object: KubeObject): KubeObject {
  const live = structuredClone(object);
  Object.assign(live.metadata, {
    uid: "7d3e9a10-5b2c-4f8e-a1d6-0c9b8e7f6a5d",
    resourceVersion: "1093",
    creationTimestamp: "2026-11-26T07:00:00Z",
    generation: 1,
  });
  return live;
}

describe("decideExisting", () => {
  it("skips an equal object, whatever the cluster assigned", () => {
    const backup = deployment("shop", "web", "old-uid");
    const live = servedElsewhere(backup);
    live.status = { replicas: 1 };
    live.metadata.managedFields = [{ manager: "kubectl-create", operation: "Update" }];
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "none" })).toEqual({
      action: "skip-equal",
    });
  });

  it("only adds the restore labels to an equal object under the update policy", () => {
    const backup = deployment("shop", "web", "old-uid");
    expect(decideExisting(prepareItem(backup, ctx), servedElsewhere(backup), { policy: "update" })).toEqual({
      action: "patch",
      reason: "add-restore-labels",
      patch: { metadata: { labels } },
      fallbackPatch: { metadata: { labels } },
    });
    const labelled = servedElsewhere(backup);
    labelled.metadata.labels = { ...labelled.metadata.labels, ...labels };
    expect(decideExisting(prepareItem(backup, ctx), labelled, { policy: "update" })).toEqual({
      action: "skip-equal",
    });
  });

  it("does not count a Service's allocated IP and node ports as differences", () => {
    const backup = service("shop", "web", "old", {
      type: "NodePort",
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 8080, nodePort: 31380 }],
    });
    const live = servedElsewhere(backup);
    const spec = live.spec as { clusterIP: string; clusterIPs: string[]; ports: { nodePort: number }[] };
    spec.clusterIP = "10.96.200.4";
    spec.clusterIPs = ["10.96.200.4"];
    (spec.ports[0] as { nodePort: number }).nodePort = 30007;
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "none" })).toEqual({
      action: "skip-equal",
    });
    // Preserved node ports are compared.
    expect(
      decideExisting(prepareItem(backup, { ...ctx, preserveNodePorts: true }), live, {
        policy: "none",
        preserveNodePorts: true,
      }).action,
    ).toBe("skip-differs");
  });

  it("warns about a different object under the none policy", () => {
    const backup = deployment("shop", "web", "old");
    const live = servedElsewhere(backup);
    (live.spec as { replicas: number }).replicas = 5;
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "none" })).toEqual({
      action: "skip-differs",
      warning:
        "Deployment shop/web already exists and differs from the backup; it was left as it is " +
        "(restore with existingResourcePolicy=update to patch it)",
    });
  });

  it("patches what the backup says under the update policy, and nothing else", () => {
    const backup = deployment("shop", "web", "old");
    const live = servedElsewhere(backup);
    (live.spec as { replicas: number }).replicas = 5;
    live.metadata.annotations = { ...live.metadata.annotations, "team.example.com/owner": "ops" };
    (live.spec as Record<string, unknown>).minReadySeconds = 0;
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "update" })).toEqual({
      action: "patch",
      reason: "update-policy",
      patch: { metadata: { labels }, spec: { replicas: 2 } },
      fallbackPatch: { metadata: { labels } },
    });
  });

  it("keeps finalizers the cluster added", () => {
    const backup = persistentVolumeClaim("shop", "data", "old", "pvc-data");
    backup.metadata.finalizers = ["example.com/backup-hook"];
    const live = servedElsewhere(backup);
    live.metadata.finalizers = ["kubernetes.io/pvc-protection"];
    const decision = decideExisting(prepareItem(backup, ctx), live, { policy: "update" });
    expect(decision).toMatchObject({
      action: "patch",
      patch: { metadata: { finalizers: ["kubernetes.io/pvc-protection", "example.com/backup-hook"] } },
    });
  });

  it("ignores owner references on both sides", () => {
    const backup = deployment("shop", "web", "old");
    backup.metadata.ownerReferences = [
      controllerRef("Application", "argoproj.io/v1alpha1", "shop", "old-app"),
    ];
    const live = servedElsewhere(backup);
    live.metadata.ownerReferences = [
      controllerRef("Application", "argoproj.io/v1alpha1", "shop", "live-app"),
    ];
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "update" })).toMatchObject({
      reason: "add-restore-labels",
    });
  });

  it("merges a ServiceAccount into the one the controller created, whatever the policy", () => {
    const backup = serviceAccount("shop", "default", "old", {
      imagePullSecrets: [{ name: "registry" }],
      automountServiceAccountToken: false,
    });
    backup.metadata.annotations = { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/shop" };
    backup.metadata.labels = { team: "shop" };
    const live = serviceAccount("shop", "default", "live");
    live.metadata.labels = { team: "platform" };
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "none" })).toEqual({
      action: "patch",
      reason: "merge-service-account",
      patch: {
        metadata: {
          labels,
          annotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/shop" },
        },
        imagePullSecrets: [{ name: "registry" }],
        automountServiceAccountToken: false,
      },
      fallbackPatch: { metadata: { labels } },
    });
  });

  it("skips a ServiceAccount that already has everything the backup has", () => {
    const backup = serviceAccount("shop", "builder", "old", { imagePullSecrets: [{ name: "registry" }] });
    const live = servedElsewhere(backup);
    live.imagePullSecrets = [{ name: "registry" }, { name: "mirror" }];
    expect(decideExisting(prepareItem(backup, ctx), live, { policy: "none" })).toEqual({
      action: "skip-equal",
    });
  });
});
