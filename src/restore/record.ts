import type { SkipReason } from "./plan/index.js";

export type RestorePhase = "New" | "InProgress" | "Completed" | "PartiallyFailed" | "Failed";

/** The options of `kubesnap restore create`, as plain JSON (a Restore object's spec in server mode). */
export interface RestoreSpec {
  readonly backupName: string;
  readonly includedNamespaces: readonly string[];
  readonly excludedNamespaces: readonly string[];
  readonly includedResources: readonly string[];
  readonly excludedResources: readonly string[];
  /** "auto" leaves the choice to the planner (see RestoreOptions.includeClusterResources). */
  readonly includeClusterResources: "true" | "false" | "auto";
  readonly labelSelector?: string;
  readonly orLabelSelectors?: readonly string[];
  readonly namespaceMapping: Readonly<Record<string, string>>;
  readonly existingResourcePolicy: "none" | "update";
  readonly preserveNodePorts: boolean;
  /**
   * Restore volume data (default true): claims from their CSI snapshots, pods' volumes from
   * their file copies. false: snapshotted claims get new empty volumes, no files are restored.
   * Absent in records written before it existed: read as true.
   */
  readonly restorePVs: boolean;
}

export interface RestoreStatus {
  readonly phase: RestorePhase;
  readonly startTimestamp?: string;
  readonly completionTimestamp?: string;
  readonly errors: number;
  readonly warnings: number;
  readonly failureReason?: string;
  readonly progress: { readonly itemsRestored: number; readonly totalItems: number };
  /** Items left alone, by reason: the cluster recreates them, their controller does, filters… */
  readonly skipped: Readonly<Partial<Record<SkipReason | "already-exists", number>>>;
}

export interface RestoreRecord {
  readonly apiVersion: "kubesnap.io/v1";
  readonly kind: "Restore";
  readonly metadata: { readonly name: string; readonly creationTimestamp: string };
  readonly spec: RestoreSpec;
  readonly status: RestoreStatus;
}

export function finishedRestorePhase(errors: number, restored: number): RestorePhase {
  if (errors === 0) return "Completed";
  return restored > 0 ? "PartiallyFailed" : "Failed";
}
