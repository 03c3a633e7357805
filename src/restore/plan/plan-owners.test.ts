import { describe, expect, it } from "vitest";
import { formatItemRef, type OwnerReference } from "../../core/kube-types.js";
import type { ItemDecision, RestorePlan } from "./decision.js";
import { planRestore } from "./plan.js";
import { item } from "./testing/items.js";
import { controllerRef } from "./testing/objects.js";
import { shopBackup } from "./testing/shop-backup.js";
import { TYPES } from "./testing/types.js";

function decisionOf(plan: RestorePlan, ref: string): ItemDecision | undefined {
  return plan.items.find((planned) => formatItemRef(planned.ref) === ref)?.decision;
}

const running = { kind: "pod", phase: "Running", mirror: false } as const;

describe("owned items and their controllers", () => {
  it("leaves a whole Deployment → ReplicaSet → Pod chain to the Deployment", () => {
    const plan = planRestore(shopBackup(), {});
    expect(decisionOf(plan, "replicasets.apps shop/web-5d9c7b8f6")).toEqual({
      action: "skip",
      reason: "owned-by-restored-controller",
      message:
        "replicasets.apps shop/web-5d9c7b8f6 is created again by its controller Deployment web, which is restored",
    });
    expect(decisionOf(plan, "pods shop/web-5d9c7b8f6-abcde")).toMatchObject({
      reason: "owned-by-restored-controller",
    });
  });

  it("restores a pod whose volume data the backup copied, without its controller link, for the new ReplicaSet to adopt", () => {
    const plan = planRestore(shopBackup(), { podsWithVolumeData: ["shop/web-5d9c7b8f6-abcde"] });
    const restored = decisionOf(plan, "pods shop/web-5d9c7b8f6-abcde");
    expect(restored).toMatchObject({ action: "restore", targetNamespace: "shop" });
    const rs = controllerRef("ReplicaSet", "apps/v1", "web-5d9c7b8f6", "uid-rs-web");
    expect(restored?.action === "restore" && restored.owners).toEqual([
      { action: "drop", owner: rs, why: "adopted-by-controller" },
    ]);
    // Restored before the Deployment, so the ReplicaSet it makes finds the pod and makes no other.
    const tierOf = (resource: string) => plan.tiers.findIndex((t) => t.resources.includes(resource));
    expect(restored?.action === "restore" && restored.tier).toBeLessThan(tierOf("deployments.apps"));
    // Its sibling has no data: left to the Deployment, like the ReplicaSet.
    expect(decisionOf(plan, "pods shop/web-5d9c7b8f6-fghij")).toMatchObject({
      reason: "owned-by-restored-controller",
    });
    expect(decisionOf(plan, "replicasets.apps shop/web-5d9c7b8f6")).toMatchObject({
      reason: "owned-by-restored-controller",
    });
  });

  it("does not depend on the order items arrive in", () => {
    const reversed = planRestore(shopBackup().reverse(), {});
    expect(decisionOf(reversed, "pods shop/web-5d9c7b8f6-fghij")).toMatchObject({
      reason: "owned-by-restored-controller",
    });
  });

  it("leaves Jobs of a CronJob and their Pods to the CronJob", () => {
    const cron = controllerRef("CronJob", "batch/v1", "report", "uid-cron");
    const job = controllerRef("Job", "batch/v1", "report-29012345", "uid-job");
    const plan = planRestore(
      [
        item(TYPES.cronJob, "report", { namespace: "ops", uid: "uid-cron" }),
        item(TYPES.job, "report-29012345", {
          namespace: "ops",
          uid: "uid-job",
          owners: [cron],
          facts: { kind: "job" },
        }),
        item(TYPES.pod, "report-29012345-x2x4k", {
          namespace: "ops",
          uid: "uid-pod",
          owners: [job],
          facts: running,
        }),
      ],
      {},
    );
    expect(plan.items.map((p) => (p.decision.action === "skip" ? p.decision.reason : "restore"))).toEqual([
      "restore",
      "owned-by-restored-controller",
      "owned-by-restored-controller",
    ]);
  });

  it("leaves DaemonSet pods and controller revisions to the DaemonSet", () => {
    const ds = controllerRef("DaemonSet", "apps/v1", "agent", "uid-ds");
    const plan = planRestore(
      [
        item(TYPES.daemonSet, "agent", { namespace: "ops", uid: "uid-ds" }),
        item(TYPES.controllerRevision, "agent-6b7c9d", { namespace: "ops", owners: [ds] }),
        item(TYPES.pod, "agent-k8d2x", { namespace: "ops", owners: [ds], facts: running }),
      ],
      {},
    );
    expect(plan.summary.skipByReason["owned-by-restored-controller"]).toBe(2);
  });

  it("restores an owned item standalone when its controller is not restored, dropping the reference", () => {
    const plan = planRestore(shopBackup(), { includeResources: ["pods"] });
    const rs = controllerRef("ReplicaSet", "apps/v1", "web-5d9c7b8f6", "uid-rs-web");
    expect(decisionOf(plan, "pods shop/web-5d9c7b8f6-abcde")).toMatchObject({
      action: "restore",
      owners: [{ action: "drop", owner: rs, why: "owner-not-restored" }],
    });
  });

  it("drops references to owners that are not in the backup", () => {
    const gone = controllerRef("ReplicaSet", "apps/v1", "old-rs", "uid-gone");
    const plan = planRestore(
      [item(TYPES.pod, "orphan", { namespace: "x", owners: [gone], facts: running })],
      {},
    );
    expect(plan.items[0]?.decision).toMatchObject({
      action: "restore",
      owners: [{ action: "drop", why: "owner-not-in-backup" }],
    });
  });

  it("restores a controller's Secret (state it cannot regenerate) and links it after the owner", () => {
    const plan = planRestore(shopBackup(), {});
    const secret = decisionOf(plan, "secrets shop/shop-tls");
    const certTier = plan.tiers.findIndex((tier) => tier.resources.includes("certificates.cert-manager.io"));
    expect(secret).toMatchObject({
      action: "restore",
      owners: [
        {
          action: "rewrite-after-owner",
          ownerTier: certTier,
          owner: { kind: "Certificate", uid: "uid-cert" },
        },
      ],
    });
  });

  it("restores a StatefulSet's PVC (retention policy owner) but not a Pod's ephemeral PVC", () => {
    const sts = controllerRef("StatefulSet", "apps/v1", "db", "uid-sts");
    const pod: OwnerReference = controllerRef("Pod", "v1", "runner", "uid-runner");
    const plan = planRestore(
      [
        item(TYPES.statefulSet, "db", { namespace: "x", uid: "uid-sts" }),
        item(TYPES.pvc, "data-db-0", {
          namespace: "x",
          owners: [sts],
          facts: { kind: "persistentvolumeclaim" },
        }),
        item(TYPES.pod, "runner", { namespace: "x", uid: "uid-runner", facts: running }),
        item(TYPES.pvc, "runner-scratch", {
          namespace: "x",
          owners: [pod],
          facts: { kind: "persistentvolumeclaim" },
        }),
      ],
      {},
    );
    expect(decisionOf(plan, "persistentvolumeclaims x/data-db-0")).toMatchObject({
      action: "restore",
      owners: [{ action: "rewrite-after-owner", owner: sts }],
    });
    expect(decisionOf(plan, "persistentvolumeclaims x/runner-scratch")).toMatchObject({
      reason: "owned-by-restored-controller",
    });
  });

  it("rewrites a reference at create time when the owner's tier comes first", () => {
    const sa: OwnerReference = { apiVersion: "v1", kind: "ServiceAccount", name: "ci", uid: "uid-sa" };
    const plan = planRestore(
      [
        item(TYPES.serviceAccount, "ci", { namespace: "x", uid: "uid-sa" }),
        item(TYPES.secret, "ci-kubeconfig", {
          namespace: "x",
          owners: [sa],
          facts: { kind: "secret", secretType: "Opaque" },
        }),
      ],
      {},
    );
    expect(decisionOf(plan, "secrets x/ci-kubeconfig")).toMatchObject({
      owners: [{ action: "rewrite", owner: sa }],
    });
  });

  it("does not treat a non-controller owner as a reason to skip", () => {
    const sa: OwnerReference = { apiVersion: "v1", kind: "ServiceAccount", name: "ci", uid: "uid-sa" };
    const plan = planRestore(
      [
        item(TYPES.serviceAccount, "ci", { namespace: "x", uid: "uid-sa" }),
        item(TYPES.configMap, "ci-notes", { namespace: "x", owners: [sa] }),
        item(TYPES.pod, "ci-runner", { namespace: "x", owners: [sa], facts: running }),
      ],
      {},
    );
    expect(plan.summary.restore).toBe(3);
  });

  it("skips a mirror pod as made by the kubelet, not as owned by its Node", () => {
    const plan = planRestore(shopBackup(), {});
    expect(decisionOf(plan, "pods kube-system/etcd-cp-1")).toMatchObject({ reason: "cluster-recreates" });
  });
});
