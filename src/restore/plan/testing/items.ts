import type { OwnerReference, ResourceType } from "../../../core/kube-types.js";
import type { ItemFacts, ItemMeta } from "../item-meta.js";

/** A compact ItemMeta builder for planner tests. */
export function item(
  type: ResourceType,
  name: string,
  options: {
    namespace?: string;
    uid?: string;
    labels?: Record<string, string>;
    owners?: OwnerReference[];
    facts?: ItemFacts;
  } = {},
): ItemMeta {
  return {
    type,
    name,
    ...(options.namespace === undefined ? {} : { namespace: options.namespace }),
    ...(options.uid === undefined ? {} : { uid: options.uid }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
    ...(options.owners === undefined ? {} : { ownerReferences: options.owners }),
    ...(options.facts === undefined ? {} : { facts: options.facts }),
  };
}
