import { describe, expect, it } from "vitest";
import { formatItemRef } from "../../core/kube-types.js";
import type { ItemDecision, RestorePlan } from "./decision.js";
import { planRestore } from "./plan.js";
import { item } from "./testing/items.js";
import { shopBackup } from "./testing/shop-backup.js";
import { TYPES } from "./testing/types.js";

/** "resource ns/name" → decision, for readable assertions. */
function decisions(plan: RestorePlan): Map<string, ItemDecision> {
  return new Map(plan.items.map((planned) => [formatItemRef(planned.ref), planned.decision]));
}

function restored(plan: RestorePlan): string[] {
  return plan.items.filter((p) => p.decision.action === "restore").map((p) => formatItemRef(p.ref));
}

describe("planRestore with default options", () => {
  const plan = planRestore(shopBackup(), {});
  const byRef = decisions(plan);

  it("restores what the cluster will not make by itself", () => {
    expect(restored(plan)).toEqual([
      "customresourcedefinitions.apiextensions.k8s.io certificates.cert-manager.io",
      "customresourcedefinitions.apiextensions.k8s.io clusterissuers.cert-manager.io",
      "namespaces shop",
      "namespaces blog",
      "storageclasses.storage.k8s.io local-path",
      "persistentvolumes pvc-data-db-0",
      "persistentvolumes pvc-blog-data",
      "clusterroles.rbac.authorization.k8s.io shop-reader",
      "clusterissuers.cert-manager.io letsencrypt",
      "deployments.apps shop/web",
      "services shop/web",
      "statefulsets.apps shop/db",
      "persistentvolumeclaims shop/data-db-0",
      "certificates.cert-manager.io shop/shop-tls",
      "secrets shop/shop-tls",
      "serviceaccounts shop/default",
      "persistentvolumeclaims blog/blog-data",
      "configmaps blog/blog-config",
      "configmaps kube-system/coredns",
    ]);
  });

  it("gives each skipped item its reason", () => {
    const reason = (ref: string) => {
      const decision = byRef.get(ref);
      return decision?.action === "skip" ? decision.reason : decision?.action;
    };
    expect(reason("namespaces kube-system")).toBe("cluster-recreates");
    expect(reason("namespaces default")).toBe("cluster-recreates");
    expect(reason("nodes cp-1")).toBe("never-restored");
    expect(reason("events shop/web.17f2")).toBe("never-restored");
    expect(reason("leases.coordination.k8s.io kube-system/kube-controller-manager")).toBe("never-restored");
    expect(reason("replicasets.apps shop/web-5d9c7b8f6")).toBe("owned-by-restored-controller");
    expect(reason("pods shop/web-5d9c7b8f6-abcde")).toBe("owned-by-restored-controller");
    expect(reason("pods shop/db-0")).toBe("owned-by-restored-controller");
    expect(reason("endpoints shop/web")).toBe("cluster-recreates");
    expect(reason("configmaps shop/kube-root-ca.crt")).toBe("cluster-recreates");
    expect(reason("pods kube-system/etcd-cp-1")).toBe("cluster-recreates");
  });

  it("orders the restored resources in tiers, CRDs first", () => {
    expect(plan.tiers).toEqual([
      { resources: ["customresourcedefinitions.apiextensions.k8s.io"], waitFor: "crds-established" },
      { resources: ["namespaces"], waitFor: "nothing" },
      { resources: ["storageclasses.storage.k8s.io"], waitFor: "nothing" },
      { resources: ["persistentvolumes"], waitFor: "nothing" },
      { resources: ["persistentvolumeclaims"], waitFor: "nothing" },
      { resources: ["serviceaccounts"], waitFor: "nothing" },
      { resources: ["configmaps", "secrets"], waitFor: "nothing" },
      { resources: ["clusterroles.rbac.authorization.k8s.io"], waitFor: "nothing" },
      { resources: ["services"], waitFor: "nothing" },
      { resources: ["deployments.apps", "statefulsets.apps"], waitFor: "nothing" },
      { resources: ["certificates.cert-manager.io", "clusterissuers.cert-manager.io"], waitFor: "nothing" },
    ]);
    expect(byRef.get("deployments.apps shop/web")).toMatchObject({
      action: "restore",
      tier: 9,
      targetNamespace: "shop",
    });
    expect(byRef.get("persistentvolumes pvc-data-db-0")).toEqual({
      action: "restore",
      targetName: "pvc-data-db-0",
      tier: 3,
      selectedAs: "selected",
      owners: [],
    });
  });

  it("lists the namespaces to create, without the ones every cluster has", () => {
    expect(plan.namespaces).toEqual([
      { name: "blog", sourceNamespace: "blog", from: "backup" },
      { name: "shop", sourceNamespace: "shop", from: "backup" },
    ]);
  });

  it("counts decisions", () => {
    expect(plan.summary).toMatchObject({ total: 31, restore: 19, skip: 12 });
    expect(plan.summary.skipByReason).toEqual({
      "excluded-by-filter": 0,
      "never-restored": 3,
      "cluster-recreates": 5,
      "owned-by-restored-controller": 4,
      completed: 0,
      duplicate: 0,
    });
    expect(plan.summary.restoreByResource).toMatchObject({
      persistentvolumes: 2,
      configmaps: 2,
      namespaces: 2,
    });
    expect(plan.warnings).toEqual([]);
  });
});

describe("planRestore with claims provisioned from CSI snapshots", () => {
  it("restores the claim but not its PV, and misses nothing", () => {
    for (const options of [{}, { includeNamespaces: ["shop"] }]) {
      const plan = planRestore(shopBackup(), { ...options, provisionedVolumes: ["pvc-data-db-0"] });
      expect(decisions(plan).get("persistentvolumeclaims shop/data-db-0")).toMatchObject({
        action: "restore",
      });
      expect(decisions(plan).get("persistentvolumes pvc-data-db-0")).toMatchObject({ action: "skip" });
      expect(plan.warnings).toEqual([]);
    }
  });
});

describe("planRestore with a namespace filter", () => {
  const plan = planRestore(shopBackup(), { includeNamespaces: ["shop"] });
  const byRef = decisions(plan);

  it("restores the namespace and only the cluster-scoped items its items need", () => {
    expect(restored(plan)).toEqual([
      "customresourcedefinitions.apiextensions.k8s.io certificates.cert-manager.io",
      "namespaces shop",
      "persistentvolumes pvc-data-db-0",
      "deployments.apps shop/web",
      "services shop/web",
      "statefulsets.apps shop/db",
      "persistentvolumeclaims shop/data-db-0",
      "certificates.cert-manager.io shop/shop-tls",
      "secrets shop/shop-tls",
      "serviceaccounts shop/default",
    ]);
    expect(byRef.get("persistentvolumes pvc-data-db-0")).toMatchObject({
      selectedAs: "dependency",
      neededBy: { resource: "persistentvolumeclaims", namespace: "shop", name: "data-db-0" },
    });
    expect(
      byRef.get("customresourcedefinitions.apiextensions.k8s.io certificates.cert-manager.io"),
    ).toMatchObject({
      selectedAs: "dependency",
      neededBy: { resource: "certificates.cert-manager.io", namespace: "shop", name: "shop-tls" },
    });
  });

  it("explains what it leaves out", () => {
    expect(byRef.get("configmaps blog/blog-config")).toEqual({
      action: "skip",
      reason: "excluded-by-filter",
      message: "configmaps blog/blog-config is not restored: namespace blog is not in includeNamespaces",
    });
    expect(byRef.get("storageclasses.storage.k8s.io local-path")).toMatchObject({
      reason: "excluded-by-filter",
      message: expect.stringContaining("because a namespace filter is set"),
    });
    expect(byRef.get("persistentvolumes pvc-blog-data")).toMatchObject({ reason: "excluded-by-filter" });
    expect(byRef.get("namespaces blog")).toMatchObject({ reason: "excluded-by-filter" });
  });

  it("treats excludeNamespaces as a namespace filter too", () => {
    const excluding = planRestore(shopBackup(), { excludeNamespaces: ["blog", "kube-*"] });
    expect(decisions(excluding).get("storageclasses.storage.k8s.io local-path")).toMatchObject({
      reason: "excluded-by-filter",
    });
    expect(decisions(excluding).get("configmaps kube-system/coredns")).toMatchObject({
      reason: "excluded-by-filter",
    });
  });

  it("restores every cluster-scoped item with includeClusterResources=true", () => {
    const all = decisions(
      planRestore(shopBackup(), { includeNamespaces: ["shop"], includeClusterResources: true }),
    );
    expect(all.get("storageclasses.storage.k8s.io local-path")).toMatchObject({
      action: "restore",
      selectedAs: "selected",
    });
    expect(all.get("persistentvolumes pvc-blog-data")).toMatchObject({ action: "restore" });
    expect(all.get("nodes cp-1")).toMatchObject({ reason: "never-restored" });
  });

  it("restores no cluster-scoped item with includeClusterResources=false, and warns about the PV", () => {
    const none = planRestore(shopBackup(), { includeNamespaces: ["shop"], includeClusterResources: false });
    const byRefNone = decisions(none);
    expect(byRefNone.get("persistentvolumes pvc-data-db-0")).toMatchObject({
      reason: "excluded-by-filter",
      message: expect.stringContaining("includeClusterResources=false"),
    });
    // Namespaces follow the namespace filter, not the cluster-scope switch.
    expect(byRefNone.get("namespaces shop")).toMatchObject({ action: "restore" });
    expect(none.warnings).toContain(
      "persistentvolumeclaims shop/data-db-0 needs persistentvolumes pvc-data-db-0, which is not restored " +
        "(persistentvolumes pvc-data-db-0 is not restored: cluster-scoped items are excluded " +
        "(includeClusterResources=false)); it must already exist in the cluster",
    );
    expect(none.warnings.some((w) => w.startsWith("certificates.cert-manager.io shop/shop-tls needs"))).toBe(
      true,
    );
  });
});

describe("planRestore with resource filters", () => {
  it("restores only the named resources, and the Namespace objects they need", () => {
    const plan = planRestore(shopBackup(), { includeResources: ["deployments"] });
    expect(restored(plan)).toEqual(["namespaces shop", "deployments.apps shop/web"]);
    expect(decisions(plan).get("namespaces shop")).toMatchObject({
      selectedAs: "dependency",
      neededBy: { resource: "deployments.apps", namespace: "shop", name: "web" },
    });
  });

  it("does not pull in a dependency whose resource is excluded", () => {
    const plan = planRestore(shopBackup(), {
      includeNamespaces: ["shop"],
      excludeResources: ["persistentvolumes"],
    });
    expect(decisions(plan).get("persistentvolumes pvc-data-db-0")).toMatchObject({
      reason: "excluded-by-filter",
      message: expect.stringContaining("excluded by excludeResources"),
    });
  });

  it("creates a blank namespace when Namespace objects are excluded", () => {
    const plan = planRestore(shopBackup(), { includeNamespaces: ["blog"], excludeResources: ["namespaces"] });
    expect(decisions(plan).get("namespaces blog")).toMatchObject({ reason: "excluded-by-filter" });
    expect(plan.namespaces).toEqual([{ name: "blog", sourceNamespace: "blog", from: "blank" }]);
  });
});

describe("planRestore with a label selector", () => {
  const plan = planRestore(shopBackup(), { labelSelector: { matchLabels: { app: "db" } } });

  it("restores matching items and what they need, whatever its labels", () => {
    expect(restored(plan)).toEqual([
      "namespaces shop",
      "persistentvolumes pvc-data-db-0",
      "statefulsets.apps shop/db",
      "persistentvolumeclaims shop/data-db-0",
    ]);
    expect(decisions(plan).get("deployments.apps shop/web")).toMatchObject({
      message: "deployments.apps shop/web is not restored: its labels do not match the label selector",
    });
  });

  it("accepts any of several selectors", () => {
    const either = planRestore(shopBackup(), {
      orSelectors: [
        { matchLabels: { app: "db" } },
        { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
      ],
    });
    expect(restored(either)).toContain("deployments.apps shop/web");
    expect(restored(either)).toContain("statefulsets.apps shop/db");
  });
});

describe("planRestore with a namespace mapping", () => {
  const plan = planRestore(shopBackup(), {
    includeNamespaces: ["shop", "blog"],
    namespaceMapping: { shop: "shop-copy" },
  });
  const byRef = decisions(plan);

  it("targets the mapped namespace and renames the Namespace object", () => {
    expect(byRef.get("deployments.apps shop/web")).toMatchObject({
      targetNamespace: "shop-copy",
      targetName: "web",
    });
    expect(byRef.get("namespaces shop")).toMatchObject({ action: "restore", targetName: "shop-copy" });
    expect(byRef.get("configmaps blog/blog-config")).toMatchObject({ targetNamespace: "blog" });
    expect(plan.namespaces).toEqual([
      { name: "blog", sourceNamespace: "blog", from: "backup" },
      { name: "shop-copy", sourceNamespace: "shop", from: "backup" },
    ]);
  });

  it("creates namespaces that have items but no Namespace object, blank", () => {
    const items = [item(TYPES.configMap, "settings", { namespace: "tools" })];
    expect(planRestore(items, { namespaceMapping: { tools: "tools-2" } }).namespaces).toEqual([
      { name: "tools-2", sourceNamespace: "tools", from: "blank" },
    ]);
  });

  it("restores the contents of a system namespace without re-creating it", () => {
    const items = [
      item(TYPES.namespace, "default"),
      item(TYPES.configMap, "settings", { namespace: "default" }),
    ];
    const system = planRestore(items, {});
    expect(system.namespaces).toEqual([]);
    expect(decisions(system).get("configmaps default/settings")).toMatchObject({ action: "restore" });
    expect(system.tiers.map((tier) => tier.resources)).toEqual([["configmaps"]]);
    // Mapped away from "default", it becomes an ordinary namespace.
    const moved = planRestore(items, { namespaceMapping: { default: "old-default" } });
    expect(moved.namespaces).toEqual([{ name: "old-default", sourceNamespace: "default", from: "backup" }]);
  });

  it("warns when two source namespaces land in one", () => {
    const items = [
      item(TYPES.configMap, "a", { namespace: "one" }),
      item(TYPES.configMap, "b", { namespace: "two" }),
    ];
    expect(planRestore(items, { namespaceMapping: { one: "two" } }).warnings).toEqual([
      "namespace two receives items from one and two; items with the same name will collide",
    ]);
  });
});

describe("planRestore warnings and duplicates", () => {
  it("warns about filters and mappings that match nothing", () => {
    const plan = planRestore(shopBackup(), {
      includeNamespaces: ["shop", "shpo"],
      includeResources: ["deployments.apps", "deployment"],
      namespaceMapping: { shpo: "x" },
    });
    expect(plan.warnings).toEqual([
      `includeNamespaces "shpo" matches no namespace in the backup`,
      `includeResources "deployment" matches no item in the backup (use group-resource names such as "deployments.apps")`,
      `namespaceMapping source "shpo" is not a namespace in the backup`,
    ]);
  });

  it("restores an item that appears twice only once", () => {
    const twice = [
      item(TYPES.configMap, "a", { namespace: "x" }),
      item(TYPES.configMap, "a", { namespace: "x" }),
    ];
    const plan = planRestore(twice, {});
    expect(plan.items.map((p) => p.decision.action)).toEqual(["restore", "skip"]);
    expect(plan.items[1]?.decision).toMatchObject({ reason: "duplicate" });
  });

  it("never restores kubesnap's own resources", () => {
    const plan = planRestore([item(TYPES.kubesnapBackup, "nightly", { namespace: "kubesnap" })], {});
    expect(plan.items[0]?.decision).toMatchObject({ reason: "never-restored" });
    expect(plan.namespaces).toEqual([]);
  });

  it("accepts any iterable, including a generator", () => {
    function* items() {
      yield item(TYPES.configMap, "a", { namespace: "x" });
    }
    expect(planRestore(items(), {}).summary.restore).toBe(1);
  });
});

describe("planRestore dependency warnings", () => {
  it("reports a dependency that cannot be restored once, with how many items need it", () => {
    const items = [
      item(TYPES.crd, "certificates.cert-manager.io"),
      item(TYPES.certificate, "a", { namespace: "shop" }),
      item(TYPES.certificate, "b", { namespace: "shop" }),
      item(TYPES.certificate, "c", { namespace: "shop" }),
    ];
    const plan = planRestore(items, { excludeResources: ["customresourcedefinitions.apiextensions.k8s.io"] });
    expect(plan.warnings).toEqual([
      "certificates.cert-manager.io shop/a (and 2 more) need customresourcedefinitions.apiextensions.k8s.io " +
        "certificates.cert-manager.io, which is not restored (customresourcedefinitions.apiextensions.k8s.io " +
        "certificates.cert-manager.io is not restored: customresourcedefinitions.apiextensions.k8s.io are excluded " +
        "by excludeResources); it must already exist in the cluster",
    ]);
  });
});
