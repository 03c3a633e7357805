import { KubesnapError } from "../../core/errors.js";
import { validateGlob } from "./glob.js";
import { type LabelSelector, validateLabelSelector } from "./label-selector.js";
import { type NamespaceMapping, validateNamespaceMapping } from "./namespace-mapping.js";
import { NEVER_RESTORED, NEVER_RESTORED_GROUPS, resourceNameMatches } from "./resources.js";

/** What to do with an item that already exists in the cluster (Velero's --existing-resource-policy). */
export type ExistingResourcePolicy = "none" | "update";

/** What the user asked of a restore; every field is optional and has Velero's default. */
export interface RestoreOptions {
  /** Namespace globs; default ["*"]. Matched against the namespace in the backup, before mapping. */
  readonly includeNamespaces?: readonly string[];
  readonly excludeNamespaces?: readonly string[];
  /** Group-resource names ("deployments.apps", "pods") or "*"; default ["*"]. */
  readonly includeResources?: readonly string[];
  readonly excludeResources?: readonly string[];
  /**
   * true: restore cluster-scoped items; false: none; undefined (auto): all of them when
   * no namespace filter is set, otherwise only those the restored namespaced items need
   * (PVs bound to restored PVCs, CRDs of restored custom resources).
   */
  readonly includeClusterResources?: boolean | undefined;
  /** Only items whose labels match; items pulled in as dependencies are exempt. */
  readonly labelSelector?: LabelSelector | undefined;
  /** Items matching any of these (Velero's --or-selector); cannot be combined with labelSelector. */
  readonly orSelectors?: readonly LabelSelector[] | undefined;
  readonly namespaceMapping?: NamespaceMapping;
  /** Default "none": an existing item is left alone (with a warning when it differs). */
  readonly existingResourcePolicy?: ExistingResourcePolicy;
  /** Keep Services' node ports instead of letting the cluster allocate new ones. Default false. */
  readonly preserveNodePorts?: boolean;
  /**
   * PersistentVolumes not re-created because their claims are provisioned anew from a CSI
   * snapshot (the backup's volume records say which).
   */
  readonly provisionedVolumes?: readonly string[];
  /**
   * Pods ("namespace/name" in the backup) whose volumes' files the backup copied: restored
   * even when their controller is, so the files have a pod to go into (see carriesState).
   */
  readonly podsWithVolumeData?: readonly string[];
  /**
   * Default true. false (restorePVs false): claims the backup snapshotted get new empty
   * volumes, and no pod's volume files are restored (podsWithVolumeData is then empty).
   */
  readonly restoreVolumeData?: boolean;
}

/** RestoreOptions with defaults applied and validated; what the planner works from. */
export interface ResolvedRestoreOptions {
  readonly includeNamespaces: readonly string[];
  readonly excludeNamespaces: readonly string[];
  readonly includeResources: readonly string[];
  readonly excludeResources: readonly string[];
  readonly includeClusterResources: boolean | undefined;
  /** labelSelector as a one-element list, orSelectors as given, or empty for "no selector". */
  readonly selectors: readonly LabelSelector[];
  readonly namespaceMapping: NamespaceMapping;
  readonly existingResourcePolicy: ExistingResourcePolicy;
  readonly preserveNodePorts: boolean;
  readonly provisionedVolumes: ReadonlySet<string>;
  readonly podsWithVolumeData: ReadonlySet<string>;
  readonly restoreVolumeData: boolean;
}

export function resolveRestoreOptions(options: RestoreOptions): ResolvedRestoreOptions {
  const includeNamespaces = nonEmptyOr(options.includeNamespaces, ["*"]);
  const excludeNamespaces = options.excludeNamespaces ?? [];
  for (const pattern of [...includeNamespaces, ...excludeNamespaces]) validateGlob(pattern);
  rejectBoth("namespace", includeNamespaces, excludeNamespaces);

  const includeResources = nonEmptyOr(options.includeResources, ["*"]).map(normalizeResourceName);
  const excludeResources = (options.excludeResources ?? []).map(normalizeResourceName);
  rejectBoth("resource", includeResources, excludeResources);
  for (const name of includeResources) rejectNeverRestored(name);

  if (
    options.labelSelector !== undefined &&
    options.orSelectors !== undefined &&
    options.orSelectors.length > 0
  ) {
    throw new KubesnapError(
      "InvalidInput",
      "Invalid restore options: labelSelector and orSelectors are both set",
      {
        hint: "use one: a single selector, or a list of alternatives",
      },
    );
  }
  const selectors =
    options.labelSelector !== undefined ? [options.labelSelector] : (options.orSelectors ?? []);
  selectors.forEach((selector, index) => {
    validateLabelSelector(
      selector,
      options.labelSelector !== undefined ? "labelSelector" : `orSelectors[${index}]`,
    );
  });

  const namespaceMapping = options.namespaceMapping ?? {};
  validateNamespaceMapping(namespaceMapping);

  return {
    includeNamespaces,
    excludeNamespaces,
    includeResources,
    excludeResources,
    includeClusterResources: options.includeClusterResources,
    selectors,
    namespaceMapping,
    existingResourcePolicy: options.existingResourcePolicy ?? "none",
    preserveNodePorts: options.preserveNodePorts ?? false,
    provisionedVolumes: new Set(options.provisionedVolumes ?? []),
    podsWithVolumeData: new Set(options.podsWithVolumeData ?? []),
    restoreVolumeData: options.restoreVolumeData ?? true,
  };
}

/** True when no namespace filter narrows the restore (Velero's IncludeEverything). */
export function restoresAllNamespaces(options: ResolvedRestoreOptions): boolean {
  return options.includeNamespaces.includes("*") && options.excludeNamespaces.length === 0;
}

function nonEmptyOr(values: readonly string[] | undefined, fallback: readonly string[]): readonly string[] {
  return values !== undefined && values.length > 0 ? values : fallback;
}

function normalizeResourceName(name: string): string {
  const normalized = name.trim().toLowerCase();
  if (normalized === "" || /[\s,/]/.test(normalized)) {
    throw new KubesnapError("InvalidInput", `Invalid resource name "${name}"`, {
      hint: 'use group-resource names such as "deployments.apps", "pods" or "*"',
    });
  }
  return normalized;
}

function rejectBoth(what: string, includes: readonly string[], excludes: readonly string[]): void {
  const both = includes.find((value) => value !== "*" && excludes.includes(value));
  if (both !== undefined) {
    throw new KubesnapError(
      "InvalidInput",
      `Invalid restore options: ${what} "${both}" is both included and excluded`,
      {
        hint: `remove "${both}" from one of the two lists`,
      },
    );
  }
}

/** Velero refuses to restore these even when asked by name; so do we, loudly rather than silently. */
function rejectNeverRestored(name: string): void {
  if (name === "*") return;
  const named = [...NEVER_RESTORED.keys()].find((gr) => {
    const [resource = "", ...groupParts] = gr.split(".");
    return resourceNameMatches(name, { resource, group: groupParts.join(".") });
  });
  const group = [...NEVER_RESTORED_GROUPS.keys()].find((g) => name.endsWith(`.${g}`));
  if (named === undefined && group === undefined) return;
  const reason = named !== undefined ? NEVER_RESTORED.get(named) : NEVER_RESTORED_GROUPS.get(group as string);
  throw new KubesnapError(
    "InvalidInput",
    `Invalid restore options: "${name}" is never restored (${reason})`,
    {
      hint: `remove "${name}" from includeResources`,
    },
  );
}
