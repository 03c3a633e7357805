import { describe, expect, it } from "vitest";
import { buildTiers, orderSlot } from "./order.js";

describe("buildTiers", () => {
  it("orders the fixed head, the rest, workloads, custom resources, then admission", () => {
    const tiers = buildTiers([
      "validatingwebhookconfigurations.admissionregistration.k8s.io",
      "certificates.cert-manager.io",
      "pods",
      "replicasets.apps",
      "deployments.apps",
      "ingresses.networking.k8s.io",
      "services",
      "endpoints",
      "priorityclasses.scheduling.k8s.io",
      "rolebindings.rbac.authorization.k8s.io",
      "roles.rbac.authorization.k8s.io",
      "resourcequotas",
      "configmaps",
      "secrets",
      "serviceaccounts",
      "persistentvolumeclaims",
      "persistentvolumes",
      "storageclasses.storage.k8s.io",
      "namespaces",
      "customresourcedefinitions.apiextensions.k8s.io",
    ]);
    expect(tiers.map((tier) => tier.resources)).toEqual([
      ["customresourcedefinitions.apiextensions.k8s.io"],
      ["namespaces"],
      ["storageclasses.storage.k8s.io"],
      ["persistentvolumes"],
      ["persistentvolumeclaims"],
      ["serviceaccounts"],
      ["configmaps", "secrets"],
      ["resourcequotas"],
      ["roles.rbac.authorization.k8s.io"],
      ["rolebindings.rbac.authorization.k8s.io"],
      ["priorityclasses.scheduling.k8s.io"],
      ["endpoints"],
      ["services"],
      ["ingresses.networking.k8s.io"],
      ["pods"],
      ["deployments.apps"],
      ["replicasets.apps"],
      ["certificates.cert-manager.io"],
      ["validatingwebhookconfigurations.admissionregistration.k8s.io"],
    ]);
  });

  it("waits for CRDs to be Established after the first tier only", () => {
    const tiers = buildTiers(["customresourcedefinitions.apiextensions.k8s.io", "namespaces"]);
    expect(tiers.map((tier) => tier.waitFor)).toEqual(["crds-established", "nothing"]);
    expect(buildTiers(["namespaces"])[0]?.waitFor).toBe("nothing");
  });

  it("puts controllers before the controllers they own, and pods before every controller", () => {
    for (const [owner, owned] of [
      ["deployments.apps", "replicasets.apps"],
      ["cronjobs.batch", "jobs.batch"],
      ["daemonsets.apps", "controllerrevisions.apps"],
    ] as const) {
      expect(orderSlot(owner)).toBeLessThan(orderSlot(owned));
    }
    for (const controller of ["replicasets.apps", "jobs.batch", "statefulsets.apps", "daemonsets.apps"]) {
      expect(orderSlot("pods")).toBeLessThan(orderSlot(controller));
    }
  });

  it("puts endpoints before services, and service accounts before secrets", () => {
    expect(orderSlot("endpoints")).toBeLessThan(orderSlot("services"));
    expect(orderSlot("endpointslices.discovery.k8s.io")).toBeLessThan(orderSlot("services"));
    expect(orderSlot("serviceaccounts")).toBeLessThan(orderSlot("secrets"));
  });

  it("groups other built-in kinds in one tier, alphabetically, and custom resources in a later one", () => {
    const tiers = buildTiers([
      "poddisruptionbudgets.policy",
      "horizontalpodautoscalers.autoscaling",
      "networkpolicies.networking.k8s.io",
      "httproutes.gateway.networking.k8s.io",
      "clusters.postgresql.cnpg.io",
    ]);
    expect(tiers.map((tier) => tier.resources)).toEqual([
      [
        "horizontalpodautoscalers.autoscaling",
        "networkpolicies.networking.k8s.io",
        "poddisruptionbudgets.policy",
      ],
      ["clusters.postgresql.cnpg.io", "httproutes.gateway.networking.k8s.io"],
    ]);
  });

  it("drops empty tiers", () => {
    expect(buildTiers([])).toEqual([]);
  });
});
