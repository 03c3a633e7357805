import type { VolumeOptions } from "../volumes/index.js";

/**
 * What a backup takes: the options of `kubesnap backup create`, as plain JSON so the same
 * shape is a Backup object's spec in server mode and a manifest's record in the bucket.
 */
export type ClusterResourcesPolicy = "true" | "false" | "auto";

/** The volume options (--snapshot-volumes, --snapshot-class, --item-operation-timeout, --volume-policy) are optional. */
export interface BackupSpec extends VolumeOptions {
  /** Namespace globs; ["*"] takes every namespace. */
  readonly includedNamespaces: readonly string[];
  readonly excludedNamespaces: readonly string[];
  /** Resource names ("deployments", "deployments.apps", "Deployment"); ["*"] takes all. */
  readonly includedResources: readonly string[];
  readonly excludedResources: readonly string[];
  /**
   * auto: cluster-scoped objects only for a whole-cluster backup, plus those the included
   * objects need (their Namespaces, the PVs of their PVCs, the CRDs of their custom resources).
   */
  readonly includeClusterResources: ClusterResourcesPolicy;
  /** A label selector, sent to the API server as is ("app=nginx,tier in (web)"). */
  readonly labelSelector?: string;
  /** Alternatives: an item matching any of these is taken ("--or-selector"). */
  readonly orLabelSelectors?: readonly string[];
  /** How long the backup is kept, in milliseconds. */
  readonly ttlMs: number;
  readonly storageLocation: string;
  /** Labels of the backup itself (for `backup get -l`). */
  readonly labels: Readonly<Record<string, string>>;
}

export const DEFAULT_TTL_MS = 720 * 3600 * 1000;

export function defaultBackupSpec(storageLocation: string): BackupSpec {
  return {
    includedNamespaces: ["*"],
    excludedNamespaces: [],
    includedResources: ["*"],
    excludedResources: [],
    includeClusterResources: "auto",
    ttlMs: DEFAULT_TTL_MS,
    storageLocation,
    labels: {},
  };
}

/**
 * A whole-cluster backup: no namespace filter and no label selector narrows it. A backup
 * narrowed by a selector takes only the cluster-scoped objects its items need, like one
 * narrowed by namespace.
 */
export function takesWholeCluster(spec: BackupSpec): boolean {
  const selected = spec.labelSelector !== undefined || (spec.orLabelSelectors?.length ?? 0) > 0;
  return spec.includedNamespaces.includes("*") && spec.excludedNamespaces.length === 0 && !selected;
}

/** The selectors to list with: none, the one selector, or each alternative of --or-selector. */
export function listSelectors(spec: BackupSpec): readonly (string | undefined)[] {
  if (spec.orLabelSelectors && spec.orLabelSelectors.length > 0) return spec.orLabelSelectors;
  return [spec.labelSelector];
}
