import type { KubeObject } from "../../core/kube-types.js";
import type { NewVolume } from "../../restore/plan/clean/persistent-volume-claim.js";
import type { RestorePlan } from "../../restore/plan/decision.js";
import type { NamespaceMapping } from "../../restore/plan/namespace-mapping.js";
import { mapNamespace } from "../../restore/plan/namespace-mapping.js";
import { BACKUP_NAME_LABEL, labelValueFor, RESTORE_NAME_LABEL } from "../../restore/plan/restore-labels.js";
import { type CsiSnapshotVolume, claimKey, type VolumeRecord } from "../record.js";
import { SNAPSHOT_GROUP } from "./kinds.js";
import { snapshotName } from "./take.js";

/** A claim to provision from its CSI snapshot, and the objects that make the snapshot usable. */
export interface SnapshotSource {
  readonly volume: CsiSnapshotVolume;
  readonly targetNamespace: string;
  /** Name of both the VolumeSnapshot (in targetNamespace) and its VolumeSnapshotContent. */
  readonly name: string;
}

/**
 * The snapshot sources of a restore, one per claim the backup snapshotted (mapped to its
 * target namespace). The restore creates, for each claim it restores, a pre-provisioned
 * VolumeSnapshotContent naming the driver's snapshot by handle and a VolumeSnapshot bound to
 * it, and points the claim's dataSource at that: the driver then provisions a new volume with
 * the snapshot's data, and the backed-up PersistentVolume (whose volume may be gone) is not
 * re-created.
 */
export function snapshotSources(
  volumes: readonly VolumeRecord[] | undefined,
  ctx: { readonly restoreName: string; readonly namespaceMapping: NamespaceMapping },
): SnapshotSource[] {
  return (volumes ?? []).flatMap((volume) => {
    if (volume.kind !== "csi-snapshot") return [];
    const targetNamespace = mapNamespace(ctx.namespaceMapping, volume.namespace);
    return [
      {
        volume,
        targetNamespace,
        name: snapshotName(ctx.restoreName, { namespace: targetNamespace, pvc: volume.pvc }),
      },
    ];
  });
}

/** The sources of the claims the plan restores: only those need a VolumeSnapshot. */
export function restoredSources(sources: readonly SnapshotSource[], plan: RestorePlan): SnapshotSource[] {
  const restored = new Set(
    plan.items
      .filter((p) => p.ref.resource === "persistentvolumeclaims" && p.decision.action === "restore")
      .map((p) => `${p.ref.namespace ?? ""}/${p.ref.name}`),
  );
  return sources.filter((source) => restored.has(claimKey(source.volume)));
}

/**
 * Source "namespace/claim" → where its restored claim's volume comes from: the VolumeSnapshot
 * made from its source, or (volume data left out of the restore) a new empty volume.
 */
export function claimVolumes(
  sources: readonly SnapshotSource[],
  options: { readonly withData: boolean },
): ReadonlyMap<string, NewVolume> {
  return new Map(
    sources.map((source): [string, NewVolume] => [
      claimKey(source.volume),
      options.withData ? { from: "snapshot", snapshot: source.name } : { from: "empty" },
    ]),
  );
}

/**
 * The pre-provisioned content and the snapshot bound to it. Retain: deleting the restored
 * namespace (or these objects) must never delete the snapshot the backup still holds; the
 * backup's deletion does that.
 */
export function snapshotSourceObjects(
  source: SnapshotSource,
  names: { readonly backup: string; readonly restore: string },
  /** The target cluster's class for the driver (restoreSnapshotClass); none leaves the field out. */
  className: string | undefined,
): { content: KubeObject; snapshot: KubeObject } {
  const { volume, targetNamespace, name } = source;
  const labels = {
    [BACKUP_NAME_LABEL]: labelValueFor(names.backup),
    [RESTORE_NAME_LABEL]: labelValueFor(names.restore),
  };
  const apiVersion = `${SNAPSHOT_GROUP}/v1`;
  return {
    content: {
      apiVersion,
      kind: "VolumeSnapshotContent",
      metadata: { name, labels },
      spec: {
        deletionPolicy: "Retain",
        driver: volume.driver,
        source: { snapshotHandle: volume.snapshotHandle },
        ...(className !== undefined ? { volumeSnapshotClassName: className } : {}),
        volumeSnapshotRef: { name, namespace: targetNamespace },
      },
    },
    snapshot: {
      apiVersion,
      kind: "VolumeSnapshot",
      metadata: { name, namespace: targetNamespace, labels },
      spec: {
        source: { volumeSnapshotContentName: name },
        ...(className !== undefined ? { volumeSnapshotClassName: className } : {}),
      },
    },
  };
}
