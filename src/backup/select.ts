import { groupResource, type ResourceType } from "../core/kube-types.js";
import { globMatch } from "../restore/plan/glob.js";
import { type BackupSpec, takesWholeCluster } from "./spec.js";

/**
 * Never backed up: the cluster's own bookkeeping, which is meaningless on another cluster
 * or is recreated at once (nodes register themselves, events and leases are heartbeats),
 * and kubesnap's own operational objects.
 */
export const NEVER_BACKED_UP = new Set([
  "nodes",
  "events",
  "events.events.k8s.io",
  "leases.coordination.k8s.io",
  "componentstatuses",
  "csinodes.storage.k8s.io",
  "volumeattachments.storage.k8s.io",
  "bindings",
]);

const NEVER_BACKED_UP_GROUPS = new Set(["metrics.k8s.io", "kubesnap.io"]);

export interface TypeSelection {
  /** Types to list, in a stable order. */
  readonly namespaced: readonly ResourceType[];
  readonly clusterScoped: readonly ResourceType[];
  /** Cluster-scoped types taken only for what included items need (auto mode). */
  readonly clusterScopedIfNeeded: readonly ResourceType[];
  /** Names in --include-resources that match no served resource: warnings, not failures. */
  readonly unknownResources: readonly string[];
}

/** Does a user's resource name ("deploy", "deployments", "deployments.apps", "Deployment") name this type? */
export function resourceMatches(name: string, type: ResourceType): boolean {
  const wanted = name.toLowerCase();
  if (wanted === "*") return true;
  return (
    wanted === groupResource(type) ||
    wanted === type.resource ||
    wanted === type.kind.toLowerCase() ||
    wanted === `${type.kind.toLowerCase()}.${type.group}`
  );
}

/** Which served types a backup lists. Pure: from discovery and the spec. */
export function selectTypes(types: readonly ResourceType[], spec: BackupSpec): TypeSelection {
  const candidates = types.filter(
    (t) => !NEVER_BACKED_UP.has(groupResource(t)) && !NEVER_BACKED_UP_GROUPS.has(t.group),
  );
  const included = candidates.filter(
    (t) =>
      spec.includedResources.some((name) => resourceMatches(name, t)) &&
      !spec.excludedResources.some((name) => resourceMatches(name, t)),
  );
  const unknownResources = spec.includedResources.filter(
    (name) => name !== "*" && !types.some((t) => resourceMatches(name, t)),
  );
  const byName = (a: ResourceType, b: ResourceType) => groupResource(a).localeCompare(groupResource(b));
  const namespaced = included.filter((t) => t.namespaced).sort(byName);
  const clusterTypes = included.filter((t) => !t.namespaced).sort(byName);
  const policy = spec.includeClusterResources;
  const whole = policy === "true" || (policy === "auto" && takesWholeCluster(spec));
  return {
    namespaced,
    clusterScoped: whole ? clusterTypes : [],
    clusterScopedIfNeeded: policy === "auto" && !whole ? clusterTypes : [],
    unknownResources,
  };
}

/** Is a namespace taken by the spec's include and exclude globs? */
export function namespaceSelected(namespace: string, spec: BackupSpec): boolean {
  return (
    spec.includedNamespaces.some((glob) => globMatch(glob, namespace)) &&
    !spec.excludedNamespaces.some((glob) => globMatch(glob, namespace))
  );
}

/**
 * Namespaces to list one by one, when the includes are plain names: listing only those is
 * far cheaper than listing the whole cluster and filtering. Undefined means list cluster-wide.
 */
export function namespacesToList(spec: BackupSpec): readonly string[] | undefined {
  const plain = spec.includedNamespaces.every((ns) => !/[*?[]/.test(ns));
  return plain ? spec.includedNamespaces.filter((ns) => namespaceSelected(ns, spec)) : undefined;
}
