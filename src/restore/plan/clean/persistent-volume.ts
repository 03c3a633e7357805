import type { KubeObject } from "../../../core/kube-types.js";
import { getRecord } from "../json.js";
import { mapNamespace } from "../namespace-mapping.js";
import type { CleanContext } from "./context.js";

/**
 * A bound PV's claimRef names its claim by namespace, name and uid. The restored claim
 * has a new uid, and the PV controller treats a claimRef whose uid does not match as a
 * claim that was deleted (and releases, or with reclaimPolicy Delete deletes, the volume).
 * Without uid the claimRef is a pre-binding by name, which the controller completes.
 * The namespace follows the namespace mapping, or the PV would wait for a claim in the
 * old namespace.
 */
export function remapClaimRef(volume: KubeObject, ctx: CleanContext): void {
  const claimRef = getRecord(volume, "spec", "claimRef");
  if (claimRef === undefined) return;
  delete claimRef.uid;
  delete claimRef.resourceVersion;
  if (typeof claimRef.namespace === "string")
    claimRef.namespace = mapNamespace(ctx.namespaceMapping, claimRef.namespace);
}

/**
 * Restored, the PV is a statically provisioned volume pre-bound to its claim, not one the
 * controller bound, so the controller's marker goes (as in Velero). provisioned-by stays:
 * it tells the provisioner the volume is its own to delete under reclaimPolicy Delete.
 */
export function dropBoundByControllerAnnotation(volume: KubeObject): void {
  const annotations = volume.metadata.annotations;
  if (annotations === undefined) return;
  delete annotations["pv.kubernetes.io/bound-by-controller"];
  if (Object.keys(annotations).length === 0) delete volume.metadata.annotations;
}
