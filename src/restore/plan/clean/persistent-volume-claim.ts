import type { KubeObject } from "../../../core/kube-types.js";

/**
 * Annotations through which the PV controller and the scheduler track a claim's binding
 * and provisioning in the old cluster. Left on, the PV controller believes binding (or
 * provisioning by a named provisioner, or on a named node) is already done or under way,
 * and the claim can stay Pending. Velero removes the same ones.
 * spec.volumeName is kept: the claim binds to the PV of that name, restored before it.
 */
const BINDING_ANNOTATIONS = [
  "pv.kubernetes.io/bind-completed",
  "pv.kubernetes.io/bound-by-controller",
  "volume.kubernetes.io/storage-provisioner",
  "volume.beta.kubernetes.io/storage-provisioner",
  "volume.kubernetes.io/selected-node",
];

export function dropBindingAnnotations(claim: KubeObject): void {
  const annotations = claim.metadata.annotations;
  if (annotations === undefined) return;
  for (const key of BINDING_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length === 0) delete claim.metadata.annotations;
}
