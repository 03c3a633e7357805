import { describe, expect, it } from "vitest";
import { convertPreserveUnknownFields } from "./crd.js";

function crd(preserveUnknownFields: boolean) {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: "widgets.example.com", uid: "u" },
    spec: {
      group: "example.com",
      names: { kind: "Widget", plural: "widgets", singular: "widget", listKind: "WidgetList" },
      scope: "Namespaced",
      preserveUnknownFields,
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", properties: { spec: { type: "object" } } } },
        },
        { name: "v1alpha1", served: false, storage: false },
      ],
    },
  };
}

describe("convertPreserveUnknownFields", () => {
  it("turns preserveUnknownFields: true into x-kubernetes-preserve-unknown-fields on every schema", () => {
    const object = crd(true);
    convertPreserveUnknownFields(object);
    expect(object.spec.preserveUnknownFields).toBe(false);
    expect(object.spec.versions).toEqual([
      {
        name: "v1",
        served: true,
        storage: true,
        schema: {
          openAPIV3Schema: {
            type: "object",
            properties: { spec: { type: "object" } },
            "x-kubernetes-preserve-unknown-fields": true,
          },
        },
      },
      {
        name: "v1alpha1",
        served: false,
        storage: false,
        schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
      },
    ]);
  });

  it("leaves a CRD without preserveUnknownFields alone", () => {
    const object = crd(false);
    const before = structuredClone(object);
    convertPreserveUnknownFields(object);
    expect(object).toEqual(before);
  });
});
