import { describe, expect, it } from "vitest";
import { remapSubjectNamespaces } from "./rbac.js";

describe("remapSubjectNamespaces", () => {
  it("moves ServiceAccount subjects with their namespace and leaves users, groups and roleRef", () => {
    const binding = {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: "shop-readers", uid: "u" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "view" },
      subjects: [
        { kind: "ServiceAccount", name: "web", namespace: "shop" },
        { kind: "ServiceAccount", name: "agent", namespace: "monitoring" },
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane@example.com" },
        { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "ops" },
      ],
    };
    remapSubjectNamespaces(binding, { namespaceMapping: { shop: "shop-copy" }, preserveNodePorts: false });
    expect(binding.subjects).toEqual([
      { kind: "ServiceAccount", name: "web", namespace: "shop-copy" },
      { kind: "ServiceAccount", name: "agent", namespace: "monitoring" },
      { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane@example.com" },
      { kind: "Group", apiGroup: "rbac.authorization.k8s.io", name: "ops" },
    ]);
    expect(binding.roleRef.name).toBe("view");
  });
});
