import { describe, expect, it } from "vitest";
import { isBuiltInGroup, neverRestoredReason, resourceNameMatches } from "./resources.js";
import { TYPES } from "./testing/types.js";

describe("resourceNameMatches", () => {
  it("matches group-resource names exactly, and * everything", () => {
    expect(resourceNameMatches("deployments.apps", TYPES.deployment)).toBe(true);
    expect(resourceNameMatches("pods", TYPES.pod)).toBe(true);
    expect(resourceNameMatches("*", TYPES.crd)).toBe(true);
    expect(resourceNameMatches("replicasets.apps", TYPES.deployment)).toBe(false);
  });

  it("lets a name without a group select that resource in any group, as kubectl does", () => {
    expect(resourceNameMatches("deployments", TYPES.deployment)).toBe(true);
    expect(resourceNameMatches("certificates", TYPES.certificate)).toBe(true);
    expect(resourceNameMatches("Deployments", TYPES.deployment)).toBe(true);
  });

  it("does not match kinds or a wrong group", () => {
    expect(resourceNameMatches("deployment", TYPES.deployment)).toBe(false);
    expect(resourceNameMatches("deployments.extensions", TYPES.deployment)).toBe(false);
  });
});

describe("neverRestoredReason", () => {
  it("names the resources Velero never restores, plus leases and kubesnap.io", () => {
    for (const type of [TYPES.node, TYPES.event, TYPES.csiNode, TYPES.lease, TYPES.kubesnapBackup]) {
      expect(neverRestoredReason(type)).toBeTypeOf("string");
    }
    expect(neverRestoredReason({ group: "events.k8s.io", resource: "events" })).toBeDefined();
    expect(neverRestoredReason({ group: "storage.k8s.io", resource: "volumeattachments" })).toBeDefined();
    expect(neverRestoredReason({ group: "metrics.k8s.io", resource: "pods" })).toBeDefined();
  });

  it("lets everything else be restored", () => {
    expect(neverRestoredReason(TYPES.pod)).toBeUndefined();
    expect(neverRestoredReason(TYPES.certificate)).toBeUndefined();
  });
});

describe("isBuiltInGroup", () => {
  it("knows Kubernetes' own groups", () => {
    expect(isBuiltInGroup("")).toBe(true);
    expect(isBuiltInGroup("apps")).toBe(true);
    expect(isBuiltInGroup("networking.k8s.io")).toBe(true);
    expect(isBuiltInGroup("gateway.networking.k8s.io")).toBe(false);
    expect(isBuiltInGroup("cert-manager.io")).toBe(false);
  });
});
