import { describe, expect, it } from "vitest";
import { protectionLabels, systemNamespaces } from "./marks.js";

describe("protectionLabels", () => {
  const options = { serverNamespace: "backup-system", allowSystemNamespace: false };

  it("labels any namespace or CRD protected", () => {
    expect(protectionLabels("Namespace", "prod", options)).toEqual({ "kubesnap.io/protected": "true" });
    expect(protectionLabels("CustomResourceDefinition", "kube-system", options)).toEqual({
      "kubesnap.io/protected": "true",
    });
  });

  it("refuses system namespaces and the server's own without --allow-system-namespace", () => {
    expect(() => protectionLabels("Namespace", "kube-system", options)).toThrow(
      /"kube-system" is a system namespace.*/,
    );
    expect(() => protectionLabels("Namespace", "backup-system", options)).toThrow(/kubesnap's own namespace/);
    expect(protectionLabels("Namespace", "kube-system", { ...options, allowSystemNamespace: true })).toEqual({
      "kubesnap.io/protected": "true",
      "kubesnap.io/protected-system-namespace": "true",
    });
  });

  it("counts the cluster's own namespaces and the server's as system namespaces", () => {
    expect(systemNamespaces("kubesnap")).toEqual([
      "default",
      "kube-node-lease",
      "kube-public",
      "kube-system",
      "kubesnap",
    ]);
  });
});
