import type { KubeObject, ResourceType } from "../../core/kube-types.js";

/**
 * The objects CSI snapshots are made of, and the few fields kubesnap reads or writes.
 * snapshot.storage.k8s.io/v1 is served by the external-snapshotter's CRDs, which a cluster
 * may not have: the backup checks discovery before it asks for any of these.
 */
export const SNAPSHOT_GROUP = "snapshot.storage.k8s.io";

function snapshotType(resource: string, kind: string, namespaced: boolean): ResourceType {
  return { group: SNAPSHOT_GROUP, version: "v1", resource, kind, namespaced };
}

export const TYPES = {
  snapshots: snapshotType("volumesnapshots", "VolumeSnapshot", true),
  contents: snapshotType("volumesnapshotcontents", "VolumeSnapshotContent", false),
  classes: snapshotType("volumesnapshotclasses", "VolumeSnapshotClass", false),
  claims: {
    group: "",
    version: "v1",
    resource: "persistentvolumeclaims",
    kind: "PersistentVolumeClaim",
    namespaced: true,
  },
  volumes: {
    group: "",
    version: "v1",
    resource: "persistentvolumes",
    kind: "PersistentVolume",
    namespaced: false,
  },
} as const satisfies Record<string, ResourceType>;

/** Set on a VolumeSnapshotClass to make it the one kubesnap uses for its driver. */
export const DEFAULT_CLASS_LABEL = "kubesnap.io/default";

/**
 * The snapshot controller sets this on a content whose VolumeSnapshot is being deleted; the
 * csi-snapshotter sidecar deletes the driver's snapshot of a content being deleted only
 * with it (or when the content is an unbound pre-provisioned one).
 */
export const BEING_DELETED_ANNOTATION = "snapshot.storage.kubernetes.io/volumesnapshot-being-deleted";

export interface Claim extends KubeObject {
  spec?: { storageClassName?: string; volumeName?: string };
}

export interface Volume extends KubeObject {
  spec?: { csi?: { driver?: string; volumeHandle?: string } };
}

export interface SnapshotClass extends KubeObject {
  driver: string;
  deletionPolicy?: string;
}

export interface VolumeSnapshot extends KubeObject {
  status?: {
    readyToUse?: boolean;
    boundVolumeSnapshotContentName?: string;
    restoreSize?: string;
    error?: { message?: string };
  };
}

export interface VolumeSnapshotContent extends KubeObject {
  spec: { driver: string; deletionPolicy: string };
  status?: { snapshotHandle?: string; restoreSize?: number; readyToUse?: boolean };
}
