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

/**
 * Where a restored claim whose data the backup holds as a CSI snapshot gets its volume:
 * from that snapshot (through the VolumeSnapshot the restore makes from its handle), or,
 * when the restore leaves volume data out (restorePVs false), a new empty one.
 */
export type NewVolume = { readonly from: "snapshot"; readonly snapshot: string } | { readonly from: "empty" };

/**
 * The claim loses volumeName so the provisioner makes a new volume (the old one may be gone
 * with its namespace), and its dataSource names the VolumeSnapshot, or nothing for an empty
 * volume (as Velero's restorePVs false does). dataSourceRef goes too: the API server fills
 * it in from dataSource, and refuses the two when they differ.
 */
export function provisionAnew(claim: KubeObject, volume: NewVolume): void {
  const spec: Record<string, unknown> = { ...(claim.spec as Record<string, unknown> | undefined) };
  delete spec.volumeName;
  delete spec.dataSourceRef;
  delete spec.dataSource;
  if (volume.from === "snapshot") {
    spec.dataSource = { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: volume.snapshot };
  }
  claim.spec = spec;
}

export function dropBindingAnnotations(claim: KubeObject): void {
  const annotations = claim.metadata.annotations;
  if (annotations === undefined) return;
  for (const key of BINDING_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length === 0) delete claim.metadata.annotations;
}
