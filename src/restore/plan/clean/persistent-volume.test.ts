import { describe, expect, it } from "vitest";
import { persistentVolume } from "../testing/objects.js";
import { dropBoundByControllerAnnotation, remapClaimRef } from "./persistent-volume.js";

const claim = { namespace: "shop", name: "data", uid: "c1f9d0e2-1111-4a55-9e0c-7d2b8c4a0f31" };

describe("persistent volume rules", () => {
  it("turns the claimRef into a pre-binding by name, in the mapped namespace", () => {
    const pv = persistentVolume("pvc-data", "u", claim);
    remapClaimRef(pv, { namespaceMapping: { shop: "shop-copy" }, preserveNodePorts: false });
    expect((pv.spec as Record<string, unknown>).claimRef).toEqual({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      namespace: "shop-copy",
      name: "data",
    });
  });

  it("keeps the claim's namespace without a mapping", () => {
    const pv = persistentVolume("pvc-data", "u", claim);
    remapClaimRef(pv, { namespaceMapping: {}, preserveNodePorts: false });
    expect((pv.spec as { claimRef: { namespace: string } }).claimRef.namespace).toBe("shop");
  });

  it("drops the bound-by-controller marker and keeps provisioned-by", () => {
    const pv = persistentVolume("pvc-data", "u", claim);
    dropBoundByControllerAnnotation(pv);
    expect(pv.metadata.annotations).toEqual({ "pv.kubernetes.io/provisioned-by": "rancher.io/local-path" });
  });

  it("leaves an unbound volume alone", () => {
    const pv = persistentVolume("pvc-data", "u", claim);
    delete (pv.spec as Record<string, unknown>).claimRef;
    const before = structuredClone(pv);
    remapClaimRef(pv, { namespaceMapping: { shop: "x" }, preserveNodePorts: false });
    expect(pv).toEqual(before);
  });
});
