import { describe, expect, it } from "vitest";
import { toItemMeta } from "./item-meta.js";
import { intrinsicSkip, isLegacyTokenName, type SkipRuleContext } from "./skip-rules.js";
import { item } from "./testing/items.js";
import { job, namespaceObject, pod, serviceAccountTokenSecret } from "./testing/objects.js";
import { TYPES } from "./testing/types.js";

const ctx: SkipRuleContext = {
  servicesWithSelector: new Set(["shop/web"]),
  targetNamespaceOf: (source) => (source === "legacy" ? "default" : source),
  provisionedVolumes: new Set(["pvc-snapshotted"]),
  restoreVolumeData: true,
};

describe("intrinsicSkip", () => {
  it("does not re-create PVs whose claims are provisioned from a CSI snapshot", () => {
    expect(intrinsicSkip(item(TYPES.pv, "pvc-snapshotted"), ctx)).toEqual({
      action: "skip",
      reason: "cluster-recreates",
      message: "persistentvolumes pvc-snapshotted is provisioned anew from its claim's CSI snapshot",
    });
    expect(intrinsicSkip(item(TYPES.pv, "pvc-other"), ctx)).toBeUndefined();
    expect(intrinsicSkip(item(TYPES.pv, "pvc-snapshotted"), { ...ctx, restoreVolumeData: false })).toEqual({
      action: "skip",
      reason: "cluster-recreates",
      message:
        "persistentvolumes pvc-snapshotted is provisioned anew, empty: volume data is not restored (restorePVs false)",
    });
  });

  it("does not re-create the namespaces every cluster has, judged by target name", () => {
    for (const name of ["default", "kube-system", "kube-public", "kube-node-lease"]) {
      expect(
        intrinsicSkip(toItemMeta(TYPES.namespace, namespaceObject(name, `ns-${name}`)), ctx),
      ).toMatchObject({
        reason: "cluster-recreates",
      });
    }
    // Mapped onto "default": nothing to create. Mapped away from a system name: created.
    expect(intrinsicSkip(item(TYPES.namespace, "legacy"), ctx)?.message).toBe(
      "namespace default exists in every cluster; its contents are restored into it",
    );
    expect(intrinsicSkip(item(TYPES.namespace, "shop"), ctx)).toBeUndefined();
  });

  it("skips mirror pods and finished pods", () => {
    const mirror = pod("kube-system", "kube-apiserver-cp", "p-1");
    mirror.metadata.annotations = { "kubernetes.io/config.mirror": "abc" };
    expect(intrinsicSkip(toItemMeta(TYPES.pod, mirror), ctx)?.reason).toBe("cluster-recreates");

    const done = pod("shop", "once", "p-2");
    done.status = { phase: "Succeeded" };
    expect(intrinsicSkip(toItemMeta(TYPES.pod, done), ctx)).toEqual({
      action: "skip",
      reason: "completed",
      message: "pods shop/once had finished (phase Succeeded)",
    });
    const failed = pod("shop", "crashed", "p-3");
    failed.status = { phase: "Failed", reason: "Evicted" };
    expect(intrinsicSkip(toItemMeta(TYPES.pod, failed), ctx)?.reason).toBe("completed");
    expect(intrinsicSkip(toItemMeta(TYPES.pod, pod("shop", "running", "p-4")), ctx)).toBeUndefined();
  });

  it("skips Jobs that completed or failed, not running ones", () => {
    const done = job("shop", "migrate", "j-1", { completionTime: "2026-03-02T09:20:00Z", succeeded: 1 });
    expect(intrinsicSkip(toItemMeta(TYPES.job, done), ctx)?.message).toBe(
      "jobs.batch shop/migrate had finished (Complete); restoring it would run it again",
    );
    const failed = job("shop", "migrate", "j-2", { conditions: [{ type: "Failed", status: "True" }] });
    expect(intrinsicSkip(toItemMeta(TYPES.job, failed), ctx)?.reason).toBe("completed");
    expect(intrinsicSkip(toItemMeta(TYPES.job, job("shop", "m", "j-3", { active: 1 })), ctx)).toBeUndefined();
  });

  it("skips auto-generated service account tokens but not hand-made ones", () => {
    const legacy = serviceAccountTokenSecret("shop", "builder-token-x7k2p", "s-1", "builder");
    expect(intrinsicSkip(toItemMeta(TYPES.secret, legacy), ctx)?.reason).toBe("cluster-recreates");
    const manual = serviceAccountTokenSecret("shop", "builder-long-lived", "s-2", "builder");
    expect(intrinsicSkip(toItemMeta(TYPES.secret, manual), ctx)).toBeUndefined();
    const opaque = item(TYPES.secret, "builder-token-x7k2p", {
      namespace: "shop",
      facts: { kind: "secret", secretType: "Opaque" },
    });
    expect(intrinsicSkip(opaque, ctx)).toBeUndefined();
  });

  it("skips the kube-root-ca.crt ConfigMap but keeps the default ServiceAccount", () => {
    expect(intrinsicSkip(item(TYPES.configMap, "kube-root-ca.crt", { namespace: "shop" }), ctx)?.reason).toBe(
      "cluster-recreates",
    );
    expect(intrinsicSkip(item(TYPES.serviceAccount, "default", { namespace: "shop" }), ctx)).toBeUndefined();
  });

  it("skips Endpoints and EndpointSlices that controllers write", () => {
    expect(intrinsicSkip(item(TYPES.endpoints, "web", { namespace: "shop" }), ctx)?.reason).toBe(
      "cluster-recreates",
    );
    // A selector-less Service's Endpoints are hand-written: restored.
    expect(intrinsicSkip(item(TYPES.endpoints, "external-db", { namespace: "shop" }), ctx)).toBeUndefined();
    const managed = { "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io" };
    expect(
      intrinsicSkip(item(TYPES.endpointSlice, "web-8k2lp", { namespace: "shop", labels: managed }), ctx)
        ?.reason,
    ).toBe("cluster-recreates");
    const mirrored = { "endpointslice.kubernetes.io/managed-by": "endpointslicemirroring-controller.k8s.io" };
    expect(
      intrinsicSkip(item(TYPES.endpointSlice, "db-x", { namespace: "shop", labels: mirrored }), ctx),
    ).toBeDefined();
    const own = { "endpointslice.kubernetes.io/managed-by": "my-operator" };
    expect(
      intrinsicSkip(item(TYPES.endpointSlice, "db-y", { namespace: "shop", labels: own }), ctx),
    ).toBeUndefined();
  });

  it("skips the API server's own Service, Endpoints and EndpointSlice", () => {
    for (const type of [TYPES.service, TYPES.endpoints, TYPES.endpointSlice]) {
      expect(intrinsicSkip(item(type, "kubernetes", { namespace: "default" }), ctx)?.reason).toBe(
        "cluster-recreates",
      );
    }
    expect(intrinsicSkip(item(TYPES.service, "kubernetes", { namespace: "shop" }), ctx)).toBeUndefined();
  });

  it("skips automanaged APIServices only", () => {
    const automanaged = { "kube-aggregator.kubernetes.io/automanaged": "onstart" };
    expect(intrinsicSkip(item(TYPES.apiService, "v1.apps", { labels: automanaged }), ctx)?.reason).toBe(
      "cluster-recreates",
    );
    expect(intrinsicSkip(item(TYPES.apiService, "v1beta1.metrics.k8s.io"), ctx)).toBeUndefined();
  });
});

describe("isLegacyTokenName", () => {
  it("recognises <sa>-token-<5 characters>", () => {
    expect(isLegacyTokenName("default-token-abc12", "default")).toBe(true);
    expect(isLegacyTokenName("default-token-abc123", "default")).toBe(false);
    expect(isLegacyTokenName("default-token-abc12", "builder")).toBe(false);
    expect(isLegacyTokenName("my-default-token-abc12", "default")).toBe(false);
  });
});
