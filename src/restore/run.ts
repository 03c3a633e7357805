import type { BackupRecord, ItemGroup } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { describeError } from "../core/errors.js";
import { groupResource } from "../core/kube-types.js";
import { RunLog } from "../report/log.js";
import { Results, type ResultsDoc } from "../report/results.js";
import type { Repository } from "../repository/index.js";
import type { PodVolumeRestoreStep } from "../volumes/fs/index.js";
import { applyPlan } from "./apply/apply.js";
import { loadItems } from "./load.js";
import {
  globMatch,
  parseLabelSelector,
  planRestore,
  type RestoreOptions,
  type RestorePlan,
  SKIP_REASONS,
} from "./plan/index.js";
import { finishedRestorePhase, type RestoreRecord, type RestoreSpec, type RestoreStatus } from "./record.js";
import { RestoreVolumeData } from "./volume-data.js";

export interface RestoreProgress {
  readonly itemsDone: number;
  readonly itemsTotal: number;
}

export interface RestoreDeps {
  readonly client: KubeClient;
  readonly repository: Repository;
  readonly backup: BackupRecord;
  readonly now?: () => Date;
  readonly onProgress?: (progress: RestoreProgress) => void;
  /** The file-system step: restored pods' volumes whose files the backup copied. */
  readonly podVolumes?: PodVolumeRestoreStep;
}

export interface RestoreOutcome {
  readonly record: RestoreRecord;
  readonly log: string;
  readonly results: ResultsDoc;
}

/** The planner's options from the spec: selectors parsed, "auto" left to the planner. */
export function restoreOptions(spec: RestoreSpec): RestoreOptions {
  return {
    includeNamespaces: spec.includedNamespaces,
    excludeNamespaces: spec.excludedNamespaces,
    includeResources: spec.includedResources,
    excludeResources: spec.excludedResources,
    includeClusterResources:
      spec.includeClusterResources === "auto" ? undefined : spec.includeClusterResources === "true",
    ...(spec.labelSelector ? { labelSelector: parseLabelSelector(spec.labelSelector) } : {}),
    ...(spec.orLabelSelectors ? { orSelectors: spec.orLabelSelectors.map(parseLabelSelector) } : {}),
    namespaceMapping: spec.namespaceMapping,
    existingResourcePolicy: spec.existingResourcePolicy,
    preserveNodePorts: spec.preserveNodePorts,
  };
}

/**
 * load → plan → apply. Reads the metadata of the backup's items (only the namespaces the
 * spec can take), plans in one pure step, then creates tier by tier. Items that cannot be
 * read or created are errors by name; the phase follows from them.
 */
export async function runRestore(
  name: string,
  spec: RestoreSpec,
  deps: RestoreDeps,
): Promise<RestoreOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const log = new RunLog(now);
  const results = new Results();
  const options = restoreOptions(spec);
  let plan: RestorePlan | undefined;
  let failureReason: string | undefined;
  let restored = 0;
  let alreadyExisted = 0;
  let total = 0;
  // Both passes read most of the backup's blobs: whole packs, fetched once, serve them.
  const repository = deps.repository.withPackCache();
  try {
    log.info(`restoring backup ${spec.backupName} as ${name}`);
    const { items, unreadable } = await loadItems(repository, deps.backup, {
      wantGroup: (group) => groupMayBeTaken(group, spec),
    });
    for (const bad of unreadable) {
      const ref = {
        resource: groupResource(bad.group.type),
        name: bad.name ?? "(unknown name)",
        ...(bad.group.namespace ? { namespace: bad.group.namespace } : {}),
      };
      log.error(results.error(ref, bad.error));
    }
    const volumeData = new RestoreVolumeData({
      client: deps.client,
      names: { backup: spec.backupName, restore: name },
      results,
      log,
      spec,
      volumes: deps.backup.volumes,
      ...(deps.podVolumes ? { podVolumes: deps.podVolumes } : {}),
    });
    plan = planRestore(
      items.map((i) => i.meta),
      { ...options, ...volumeData.planOptions() },
    );
    for (const warning of plan.warnings) log.warn(results.warning(undefined, warning));
    total = plan.summary.restore;
    log.info(
      `plan: ${plan.summary.restore} items to restore, ${plan.summary.skip} left alone, in ${plan.tiers.length} tiers`,
    );
    let done = 0;
    const { finish, ...volumeDeps } = volumeData.applyDeps(plan);
    const counts = await applyPlan(plan, items, {
      client: deps.client,
      repository,
      results,
      log,
      names: { backup: spec.backupName, restore: name },
      spec,
      onItem: () => deps.onProgress?.({ itemsDone: ++done, itemsTotal: total }),
      ...volumeDeps,
    });
    restored = counts.restored;
    alreadyExisted = counts.alreadyExisted;
    await finish();
  } catch (err) {
    failureReason = describeError(err);
    log.error(`restore failed: ${failureReason}`);
  }
  const skipped: RestoreStatus["skipped"] = Object.fromEntries([
    ...SKIP_REASONS.map((reason) => [reason, plan?.summary.skipByReason[reason] ?? 0]),
    ["already-exists", alreadyExisted],
  ]);
  const status: RestoreStatus = {
    phase: failureReason ? "Failed" : finishedRestorePhase(results.errors, restored + alreadyExisted),
    startTimestamp: started.toISOString(),
    completionTimestamp: now().toISOString(),
    errors: results.errors,
    warnings: results.warnings,
    ...(failureReason ? { failureReason } : {}),
    progress: { itemsRestored: restored, totalItems: total },
    skipped,
  };
  log.info(`restore ${name} finished: ${status.phase}`);
  return {
    record: {
      apiVersion: "kubesnap.io/v1",
      kind: "Restore",
      metadata: { name, creationTimestamp: started.toISOString() },
      spec,
      status,
    },
    log: log.text(),
    results: results.toJSON(),
  };
}

/** Namespaced groups in namespaces the spec excludes are never read: they cannot be restored. */
function groupMayBeTaken(group: ItemGroup, spec: RestoreSpec): boolean {
  if (!group.namespace) return true;
  const ns = group.namespace;
  return (
    spec.includedNamespaces.some((g) => globMatch(g, ns)) &&
    !spec.excludedNamespaces.some((g) => globMatch(g, ns))
  );
}
