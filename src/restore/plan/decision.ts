import type { ItemRef, OwnerReference } from "../../core/kube-types.js";
import type { RestoreTier } from "./order.js";

/** Why an item is not restored. */
export type SkipReason =
  /** A namespace, resource, label or cluster-scope filter left it out. */
  | "excluded-by-filter"
  /** A resource kubesnap never restores (nodes, events, leases, its own resources…). */
  | "never-restored"
  /** The cluster or a built-in controller creates (or already has) it. */
  | "cluster-recreates"
  /** Its controller is restored and will create it anew. */
  | "owned-by-restored-controller"
  /** A finished Pod or Job: restoring it would run it again. */
  | "completed"
  /** The same item appeared twice in the backup (e.g. once per API version). */
  | "duplicate";

export const SKIP_REASONS: readonly SkipReason[] = [
  "excluded-by-filter",
  "never-restored",
  "cluster-recreates",
  "owned-by-restored-controller",
  "completed",
  "duplicate",
];

/**
 * What happens to one owner reference of a restored item. Owners get new uids when
 * restored, and Kubernetes' garbage collector deletes an object whose owners are all
 * gone (it looks them up by uid), so every reference is either rewritten or dropped.
 */
export type OwnerLink =
  /** The owner is restored in an earlier tier: rewrite the uid when creating the item. */
  | { readonly action: "rewrite"; readonly owner: OwnerReference }
  /**
   * The owner is restored in this tier or a later one (e.g. a Secret owned by a custom
   * resource): create the item without this reference, then add it with the owner's new
   * uid once tier `ownerTier` is done. prepareItem drops it automatically as long as the
   * owner's uid is not yet in the uid map.
   */
  | { readonly action: "rewrite-after-owner"; readonly owner: OwnerReference; readonly ownerTier: number }
  /**
   * Drop the reference: the owner is not restored (absent from the backup, or skipped), or
   * the item is a pod its controller adopts by its labels (see adoptedByLabels).
   */
  | {
      readonly action: "drop";
      readonly owner: OwnerReference;
      readonly why: "owner-not-in-backup" | "owner-not-restored" | "adopted-by-controller";
    };

export interface RestoreDecision {
  readonly action: "restore";
  /** The namespace the item is created in (mapping applied); absent for cluster-scoped items. */
  readonly targetNamespace?: string;
  /** Same as the backed-up name, except a Namespace object renamed by the mapping. */
  readonly targetName: string;
  /** Index into RestorePlan.tiers. */
  readonly tier: number;
  /** "dependency" when filters left it out but a restored item needs it. */
  readonly selectedAs: "selected" | "dependency";
  /** Present when selectedAs is "dependency": a restored item that needs this one. */
  readonly neededBy?: ItemRef;
  readonly owners: readonly OwnerLink[];
}

export interface SkipDecision {
  readonly action: "skip";
  readonly reason: SkipReason;
  /** One line for a human: why, and what it means. */
  readonly message: string;
}

export type ItemDecision = RestoreDecision | SkipDecision;

export interface PlannedItem {
  /** The item as it is in the backup (source namespace). */
  readonly ref: ItemRef;
  readonly kind: string;
  readonly decision: ItemDecision;
}

/** A namespace the apply step must make sure exists before tier "namespaces" ends. */
export interface NamespaceToCreate {
  /** Target name (mapping applied). */
  readonly name: string;
  /** The namespace in the backup whose items land here. */
  readonly sourceNamespace: string;
  /**
   * "backup": the Namespace object is in the backup and restored as an item (its labels,
   * e.g. pod-security levels, and annotations come along). "blank": it is not in the
   * backup; create an empty one (see `blankNamespace`).
   */
  readonly from: "backup" | "blank";
}

export interface PlanSummary {
  readonly total: number;
  readonly restore: number;
  readonly skip: number;
  readonly skipByReason: Readonly<Record<SkipReason, number>>;
  /** Restored items by group-resource. */
  readonly restoreByResource: Readonly<Record<string, number>>;
}

export interface RestorePlan {
  readonly tiers: readonly RestoreTier[];
  /** Every input item, in input order, with its decision. */
  readonly items: readonly PlannedItem[];
  /** Target namespaces to create, sorted by name; namespaces every cluster has are not listed. */
  readonly namespaces: readonly NamespaceToCreate[];
  readonly summary: PlanSummary;
  /** Things the user should know before applying (collisions, filters that matched nothing…). */
  readonly warnings: readonly string[];
}
