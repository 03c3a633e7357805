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
 * A claim restored from a CSI snapshot: its dataSource names the VolumeSnapshot the restore
 * made from the backup's snapshot handle, and it loses volumeName so the provisioner makes a
 * new volume holding the snapshot's data (the old volume may be gone with its namespace).
 * dataSourceRef goes too: the API server fills it in from dataSource, and refuses the two
 * when they differ.
 */
export function provisionFromSnapshot(claim: KubeObject, snapshotName: string): void {
  const spec: Record<string, unknown> = { ...(claim.spec as Record<string, unknown> | undefined) };
  delete spec.volumeName;
  delete spec.dataSourceRef;
  spec.dataSource = { apiGroup: "snapshot.storage.k8s.io", kind: "VolumeSnapshot", name: snapshotName };
  claim.spec = spec;
}

export function dropBindingAnnotations(claim: KubeObject): void {
  const annotations = claim.metadata.annotations;
  if (annotations === undefined) return;
  for (const key of BINDING_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length === 0) delete claim.metadata.annotations;
}
