import { describe, expect, it } from "vitest";
import { namespaceObject } from "../testing/objects.js";
import { renameNamespace } from "./namespace.js";

describe("renameNamespace", () => {
  it("renames a mapped namespace and its metadata.name label, keeping its other labels", () => {
    const ns = namespaceObject("shop", "u", { "pod-security.kubernetes.io/enforce": "restricted" });
    renameNamespace(ns, { namespaceMapping: { shop: "shop-copy" }, preserveNodePorts: false });
    expect(ns.metadata.name).toBe("shop-copy");
    expect(ns.metadata.labels).toEqual({
      "kubernetes.io/metadata.name": "shop-copy",
      "pod-security.kubernetes.io/enforce": "restricted",
    });
  });

  it("keeps an unmapped namespace's name", () => {
    const ns = namespaceObject("blog", "u");
    renameNamespace(ns, { namespaceMapping: { shop: "x" }, preserveNodePorts: false });
    expect(ns.metadata.name).toBe("blog");
  });
});
