import type { KubeObject } from "../../../core/kube-types.js";
import type { NamespaceMapping } from "../namespace-mapping.js";

/** What the per-kind cleaning rules need to know about the restore. */
export interface CleanContext {
  readonly namespaceMapping: NamespaceMapping;
  readonly preserveNodePorts: boolean;
}

/**
 * One cleaning rule. Rules edit the object in place: prepareItem hands them its own
 * deep copy, so the transform as a whole stays pure. A rule must be idempotent, since
 * decideExisting runs the same rules over the live object to compare like with like.
 */
export type CleanRule = (object: KubeObject, ctx: CleanContext) => void;
