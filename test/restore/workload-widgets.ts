import type { Obj } from "./api.js";
import type { Meta } from "./workload-meta.js";

/** The workload's own CRD, in a group of its own so that test files do not share it. */
export function crdFor(group: string): Obj {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}`, labels: { "kubesnap-test/fixture": "widgets" } },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  properties: {
                    size: { type: "integer", minimum: 0 },
                    color: { type: "string" },
                    parts: { type: "array", items: { type: "string" } },
                    extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  },
                },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

/**
 * A Widget CRD in `group` whose objects may hold any fields: for tests that need some custom
 * resource, not the workload's typed one.
 */
export function looseWidgetCrd(group: string): Obj {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}` },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
        },
      ],
    },
  };
}

/** Custom resources of the workload's CRD. */
export function widgets(meta: Meta, apiVersion: string): Obj[] {
  return [
    {
      apiVersion,
      kind: "Widget",
      metadata: meta("gear"),
      spec: { size: 3, color: "red", parts: ["a", "b"], extra: { nested: { deep: true } } },
    },
    {
      apiVersion,
      kind: "Widget",
      metadata: meta("sprocket", { tier: "gold" }),
      spec: { size: 0, color: "blue" },
    },
  ];
}
