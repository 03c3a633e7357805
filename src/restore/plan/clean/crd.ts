import type { KubeObject } from "../../../core/kube-types.js";
import { getArray, getRecord, isRecord } from "../json.js";

/**
 * apiextensions.k8s.io/v1 rejects spec.preserveUnknownFields: true on create; CRDs
 * carried over from v1beta1 days still have it. The v1 way to say the same is
 * x-kubernetes-preserve-unknown-fields: true on each version's schema (Velero converts
 * the same way). A version without a schema gets a minimal object schema, which v1 requires.
 */
export function convertPreserveUnknownFields(crd: KubeObject): void {
  const spec = getRecord(crd, "spec");
  if (spec === undefined || spec.preserveUnknownFields !== true) return;
  spec.preserveUnknownFields = false;
  for (const version of getArray(spec, "versions") ?? []) {
    if (!isRecord(version)) continue;
    const schema = getRecord(version, "schema") ?? {};
    version.schema = schema;
    const openApi = getRecord(schema, "openAPIV3Schema") ?? { type: "object" };
    openApi["x-kubernetes-preserve-unknown-fields"] = true;
    schema.openAPIV3Schema = openApi;
  }
}
