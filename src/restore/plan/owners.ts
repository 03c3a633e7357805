import { groupResource, type OwnerReference } from "../../core/kube-types.js";
import type { OwnerLink, SkipDecision } from "./decision.js";
import { describeItem, type ItemMeta } from "./item-meta.js";
import { GR } from "./resources.js";

/**
 * Owner references. kubesnap differs from Velero here: Velero strips every owner
 * reference and restores owned objects standalone, so a Deployment's ReplicaSet and
 * Pods come back twice (once restored, once recreated by the restored Deployment) and
 * the standalone copies never go away. kubesnap leaves owned objects to their
 * controller when that controller is restored too, and keeps the other owner links by
 * rewriting them to the owners' new uids.
 */

/** The controller reference of an item (at most one reference has controller: true). */
export function controllerOf(item: ItemMeta): OwnerReference | undefined {
  return item.ownerReferences?.find((owner) => owner.controller === true);
}

/** What the planner knows beyond an item's own metadata when judging whether it carries state. */
export interface StateContext {
  /** Pods ("namespace/name" in the backup) whose volumes' files the backup copied. */
  readonly podsWithVolumeData: ReadonlySet<string>;
}

/**
 * Owned kinds restored even when their controller is restored, because they carry state
 * a controller cannot regenerate identically: an operator's generated password in a
 * Secret (a new one would not open the restored database), a StatefulSet's PVC (with a
 * retention policy the StatefulSet owns it, and a new claim would be an empty volume), a
 * pod whose volumes' files the backup copied (a new pod would start with empty volumes).
 * Secrets and claims keep their controller reference, rewritten to the new owner, so the
 * controller adopts them instead of creating another; pods lose it (adoptedByLabels).
 * Exception: a PVC owned by a Pod is a generic ephemeral volume; the ephemeral-volume
 * controller creates it with the pod.
 */
export function carriesState(item: ItemMeta, controller: OwnerReference, ctx: StateContext): boolean {
  const resource = groupResource(item.type);
  if (resource === GR.secrets || resource === GR.configMaps) return true;
  if (resource === GR.pods) return adoptedByLabels(item, ctx);
  return (
    resource === GR.persistentVolumeClaims && !(controller.kind === "Pod" && controller.apiVersion === "v1")
  );
}

/**
 * A pod restored for its volume data goes without its controller reference. Its controller
 * may not be restored at all (a Deployment's ReplicaSet is made anew, with a new name only
 * when the template changed), and adding the reference later would race the controller,
 * which adopts the orphan by its labels (pod-template-hash, a StatefulSet's pod name) the
 * moment it starts, because pods are restored before controllers (see order.ts).
 */
export function adoptedByLabels(item: ItemMeta, ctx: StateContext): boolean {
  return (
    groupResource(item.type) === GR.pods && ctx.podsWithVolumeData.has(`${item.namespace ?? ""}/${item.name}`)
  );
}

/**
 * Skips an item whose controller will exist after the restore: the controller creates it
 * again from its template (Pods of a ReplicaSet, ReplicaSets of a Deployment, Jobs of a
 * CronJob, Pods of a Job/StatefulSet/DaemonSet, ControllerRevisions…). `survivingOwner`
 * returns the owner when it is restored or is itself recreated by its own restored controller
 * (a Deployment's ReplicaSet), so whole chains collapse to their top.
 */
export function ownedByRestoredController(
  item: ItemMeta,
  survivingOwner: (uid: string) => ItemMeta | undefined,
  ctx: StateContext,
): SkipDecision | undefined {
  const controller = controllerOf(item);
  if (controller === undefined || carriesState(item, controller, ctx)) return undefined;
  const owner = survivingOwner(controller.uid);
  if (owner === undefined) return undefined;
  return {
    action: "skip",
    reason: "owned-by-restored-controller",
    message: `${describeItem(item)} is created again by its controller ${controller.kind} ${controller.name}, which is restored`,
  };
}

export interface OwnerState {
  /** The owner's item in the backup, if any. */
  readonly inBackup: boolean;
  /** The tier the owner is restored in, or undefined when it is not restored by this plan. */
  readonly restoredInTier: number | undefined;
}

/** What to do with each owner reference of an item restored in tier `itemTier`. */
export function ownerLinks(
  item: ItemMeta,
  itemTier: number,
  stateOf: (uid: string) => OwnerState,
  ctx: StateContext,
): OwnerLink[] {
  const adopted = adoptedByLabels(item, ctx);
  return (item.ownerReferences ?? []).map((owner) => {
    if (adopted && owner.controller === true) return { action: "drop", owner, why: "adopted-by-controller" };
    const state = stateOf(owner.uid);
    if (state.restoredInTier === undefined) {
      return { action: "drop", owner, why: state.inBackup ? "owner-not-restored" : "owner-not-in-backup" };
    }
    if (state.restoredInTier < itemTier) return { action: "rewrite", owner };
    return { action: "rewrite-after-owner", owner, ownerTier: state.restoredInTier };
  });
}
