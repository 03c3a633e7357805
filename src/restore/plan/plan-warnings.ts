import { formatItemRef, groupResource, type ItemRef } from "../../core/kube-types.js";
import type { NamespaceToCreate, PlannedItem } from "./decision.js";
import { globMatch } from "./glob.js";
import type { ItemMeta } from "./item-meta.js";
import { mapNamespace } from "./namespace-mapping.js";
import type { ResolvedRestoreOptions } from "./options.js";
import { GR, resourceNameMatches } from "./resources.js";

/**
 * Warnings a user should read before applying a plan: filters and mappings that match
 * nothing (usually a typo), namespaces that would receive items from two sources, and
 * restored items whose dependency stays behind.
 */
/** A restored item whose dependency (its PV, its CRD) is in the backup but not restored. */
export interface MissingDependency {
  /** The first restored item that needs it. */
  readonly item: ItemRef;
  readonly dependency: ItemRef;
  readonly why: string;
  /** How many restored items need it. */
  readonly neededByCount: number;
}

export interface WarningInput {
  readonly items: readonly ItemMeta[];
  readonly planned: readonly PlannedItem[];
  readonly options: ResolvedRestoreOptions;
  readonly namespaces: readonly NamespaceToCreate[];
  readonly missingDependencies: readonly MissingDependency[];
}

export function planWarnings(input: WarningInput): string[] {
  return [
    ...unmatchedFilters(input),
    ...unusedMappings(input),
    ...collidingTargets(input),
    ...input.missingDependencies.map(({ item, dependency, why, neededByCount }) => {
      const others = neededByCount > 1 ? ` (and ${neededByCount - 1} more)` : "";
      return (
        `${formatItemRef(item)}${others} ${neededByCount > 1 ? "need" : "needs"} ${formatItemRef(dependency)}, ` +
        `which is not restored (${why}); it must already exist in the cluster`
      );
    }),
  ];
}

function backupNamespaces(items: readonly ItemMeta[]): Set<string> {
  const namespaces = new Set<string>();
  for (const item of items) {
    if (item.namespace !== undefined) namespaces.add(item.namespace);
    if (groupResource(item.type) === GR.namespaces) namespaces.add(item.name);
  }
  return namespaces;
}

function unmatchedFilters({ items, options }: WarningInput): string[] {
  const warnings: string[] = [];
  const namespaces = [...backupNamespaces(items)];
  for (const pattern of options.includeNamespaces) {
    if (pattern !== "*" && !namespaces.some((namespace) => globMatch(pattern, namespace))) {
      warnings.push(`includeNamespaces "${pattern}" matches no namespace in the backup`);
    }
  }
  for (const name of options.includeResources) {
    if (name !== "*" && !items.some((item) => resourceNameMatches(name, item.type))) {
      warnings.push(
        `includeResources "${name}" matches no item in the backup (use group-resource names such as "deployments.apps")`,
      );
    }
  }
  return warnings;
}

function unusedMappings({ items, options }: WarningInput): string[] {
  const namespaces = backupNamespaces(items);
  return Object.keys(options.namespaceMapping)
    .filter((source) => !namespaces.has(source))
    .map((source) => `namespaceMapping source "${source}" is not a namespace in the backup`);
}

/** Two restored source namespaces landing in one target (e.g. a→b while b is restored as itself). */
function collidingTargets({ planned, options }: WarningInput): string[] {
  const sourcesByTarget = new Map<string, Set<string>>();
  for (const { ref, decision } of planned) {
    if (decision.action !== "restore") continue;
    const source = ref.namespace ?? (ref.resource === GR.namespaces ? ref.name : undefined);
    if (source === undefined) continue;
    const target = mapNamespace(options.namespaceMapping, source);
    const sources = sourcesByTarget.get(target) ?? new Set<string>();
    sources.add(source);
    sourcesByTarget.set(target, sources);
  }
  return [...sourcesByTarget.entries()]
    .filter(([, sources]) => sources.size > 1)
    .map(
      ([target, sources]) =>
        `namespace ${target} receives items from ${[...sources].sort().join(" and ")}; items with the same name will collide`,
    );
}
