import { groupResource } from "../../core/kube-types.js";
import { globMatch } from "./glob.js";
import type { ItemMeta } from "./item-meta.js";
import { matchesAnySelector } from "./label-selector.js";
import { type ResolvedRestoreOptions, restoresAllNamespaces } from "./options.js";
import { resourceNamesMatch } from "./resources.js";

/**
 * The user's filters, applied to one item. A failed filter is either final (the user
 * named the namespace or resource out) or "rescuable": the label selector or the
 * automatic cluster-scope rule left it out, but a restored item may still need it
 * (a PV bound to a restored PVC, the CRD of a restored custom resource), and then it
 * is restored as a dependency. Velero does the same through its additional items.
 */
export type FilterResult =
  | { readonly pass: true }
  | { readonly pass: false; readonly rescuable: boolean; readonly message: string };

const PASS: FilterResult = { pass: true };

export function resourceFilter(item: ItemMeta, options: ResolvedRestoreOptions): FilterResult {
  const resource = groupResource(item.type);
  if (resourceNamesMatch(options.excludeResources, item.type)) {
    return { pass: false, rescuable: false, message: `${resource} are excluded by excludeResources` };
  }
  if (!resourceNamesMatch(options.includeResources, item.type)) {
    return { pass: false, rescuable: false, message: `${resource} are not in includeResources` };
  }
  return PASS;
}

/** Matches a namespace name (as it is in the backup, before mapping) against the namespace filters. */
export function namespaceFilter(namespace: string, options: ResolvedRestoreOptions): FilterResult {
  if (options.excludeNamespaces.some((pattern) => globMatch(pattern, namespace))) {
    return {
      pass: false,
      rescuable: false,
      message: `namespace ${namespace} is excluded by excludeNamespaces`,
    };
  }
  if (!options.includeNamespaces.some((pattern) => globMatch(pattern, namespace))) {
    return { pass: false, rescuable: false, message: `namespace ${namespace} is not in includeNamespaces` };
  }
  return PASS;
}

export function clusterScopeFilter(options: ResolvedRestoreOptions): FilterResult {
  if (options.includeClusterResources === true) return PASS;
  if (options.includeClusterResources === false) {
    return {
      pass: false,
      rescuable: false,
      message: "cluster-scoped items are excluded (includeClusterResources=false)",
    };
  }
  if (restoresAllNamespaces(options)) return PASS;
  return {
    pass: false,
    rescuable: true,
    message:
      "cluster-scoped items are restored only when restored items need them, because a namespace filter is set " +
      "(set includeClusterResources=true to restore them all)",
  };
}

export function selectorFilter(item: ItemMeta, options: ResolvedRestoreOptions): FilterResult {
  if (options.selectors.length === 0 || matchesAnySelector(options.selectors, item.labels)) return PASS;
  return { pass: false, rescuable: true, message: "its labels do not match the label selector" };
}

/**
 * All filters for a namespaced or cluster-scoped item other than a Namespace object
 * (those follow the namespace filter; see plan.ts). Final failures win over rescuable
 * ones, so a rescued dependency never overrides something the user named out.
 */
export function filterItem(item: ItemMeta, options: ResolvedRestoreOptions): FilterResult {
  const resource = resourceFilter(item, options);
  if (!resource.pass) return resource;
  const scope = item.type.namespaced
    ? namespaceFilter(item.namespace ?? "", options)
    : clusterScopeFilter(options);
  if (!scope.pass && !scope.rescuable) return scope;
  const selector = selectorFilter(item, options);
  if (!scope.pass) return scope;
  return selector;
}
