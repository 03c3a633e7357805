import type { KubeObject, ObjectMeta } from "../core/kube-types.js";
import type { OpenApiSchema, Schema } from "./schema.js";

export const API_GROUP = "kubesnap.io";
export const API_VERSION = "v1";
export const API_GROUP_VERSION = `${API_GROUP}/${API_VERSION}`;

/**
 * A kubesnap.io object as the API server stores it: status is absent until the server writes
 * it. A type alias, not an interface, so it converts to and from KubeObject.
 */
export type Resource<Kind extends string, Spec, Status> = {
  readonly apiVersion: typeof API_GROUP_VERSION;
  readonly kind: Kind;
  readonly metadata: ObjectMeta;
  readonly spec: Spec;
  readonly status?: Status;
};

/** One column of `kubectl get`, read by the API server from each object with a JSONPath. */
export interface PrinterColumn {
  readonly name: string;
  readonly type: "string" | "integer" | "boolean" | "date";
  readonly jsonPath: string;
  readonly description?: string;
  /** 1: shown only by `kubectl get -o wide`. */
  readonly priority?: number;
}

/** Everything a CRD needs to know about one kind; the schemas also give its TypeScript types. */
export interface KindDefinition<Spec, Status> {
  readonly kind: string;
  readonly plural: string;
  readonly shortNames?: readonly string[];
  readonly description: string;
  readonly spec: Schema<Spec, boolean>;
  readonly status: Schema<Status, boolean>;
  readonly columns: readonly PrinterColumn[];
  /** Object names longer than Kubernetes' 253, with the reason; checked by the CRD schema. */
  readonly nameMaxLength?: number;
}

export function defineKind<Spec, Status>(
  definition: KindDefinition<Spec, Status>,
): KindDefinition<Spec, Status> {
  return definition;
}

/** The age column kubectl shows by default, which a CRD with its own columns must list itself. */
export const AGE_COLUMN: PrinterColumn = {
  name: "Age",
  type: "date",
  jsonPath: ".metadata.creationTimestamp",
};

/**
 * The CustomResourceDefinition of a kind: namespaced (objects live in the server's
 * namespace, as Velero's do), one served and stored version, the status subresource (so
 * users who may edit a spec cannot forge its status, and the server's status writes never
 * race a user's spec edits), and the category "kubesnap" (`kubectl get kubesnap` lists all).
 */
export function customResourceDefinition(definition: KindDefinition<unknown, unknown>): KubeObject {
  const { kind, plural } = definition;
  const spec = definition.spec.openApi;
  const metadata: OpenApiSchema = { type: "object" };
  // Structural schemas may restrict metadata.name (and generateName), nothing else of metadata.
  if (definition.nameMaxLength !== undefined) {
    metadata.properties = { name: { type: "string", maxLength: definition.nameMaxLength } };
  }
  const root: OpenApiSchema = {
    type: "object",
    description: definition.description,
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata,
      spec,
      status: definition.status.openApi,
    },
  };
  // A spec with a default of its own may be left out; any other spec has required fields.
  if (spec.default === undefined) root.required = ["spec"];
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `${plural}.${API_GROUP}`, labels: { "app.kubernetes.io/name": "kubesnap" } },
    spec: {
      group: API_GROUP,
      names: {
        kind,
        listKind: `${kind}List`,
        plural,
        singular: kind.toLowerCase(),
        ...(definition.shortNames ? { shortNames: [...definition.shortNames] } : {}),
        categories: ["kubesnap"],
      },
      scope: "Namespaced",
      versions: [
        {
          name: API_VERSION,
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: definition.columns.map((c) => ({ ...c })),
          schema: { openAPIV3Schema: structuredClone(root) },
        },
      ],
    },
  };
}
