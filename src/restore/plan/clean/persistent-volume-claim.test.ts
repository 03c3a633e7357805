import { describe, expect, it } from "vitest";
import { persistentVolumeClaim } from "../testing/objects.js";
import { dropBindingAnnotations } from "./persistent-volume-claim.js";

describe("dropBindingAnnotations", () => {
  it("removes the binding and provisioning annotations and keeps the rest, and the volume name", () => {
    const claim = persistentVolumeClaim("shop", "data", "u", "pvc-data");
    dropBindingAnnotations(claim);
    expect(claim.metadata.annotations).toEqual({ "backup.example.com/tier": "gold" });
    expect(claim.metadata.finalizers).toEqual(["kubernetes.io/pvc-protection"]);
    expect(claim.spec).toHaveProperty("volumeName", "pvc-data");
  });

  it("removes the annotations map when nothing is left", () => {
    const claim = persistentVolumeClaim("shop", "data", "u", "pvc-data");
    delete claim.metadata.annotations?.["backup.example.com/tier"];
    dropBindingAnnotations(claim);
    expect(claim.metadata).not.toHaveProperty("annotations");
  });
});
