import type { KubeClient } from "../../cluster/client.js";
import { resourcePath } from "../../cluster/paths.js";
import { forEachLimit } from "../../core/concurrency.js";
import { isKubesnapError } from "../../core/errors.js";
import {
  groupResource,
  type ItemRef,
  type OwnerReference,
  type ResourceType,
} from "../../core/kube-types.js";
import type { RunLog } from "../../report/log.js";
import type { Results } from "../../report/results.js";
import type { Repository } from "../../repository/index.js";
import type { PodVolumeRestoreStep } from "../../volumes/fs/index.js";
import { type LoadedItem, readItem } from "../load.js";
import {
  blankNamespace,
  type NewVolume,
  type PlannedItem,
  prepareItem,
  type RestoreDecision,
  type RestorePlan,
} from "../plan/index.js";
import type { RestoreSpec } from "../record.js";
import { addOwnerReferences, applyItem } from "./item.js";
import { DEFAULT_WAITER, type Waiter, waitForCrdsEstablished, waitWhileTerminating } from "./waits.js";

export interface ApplyDeps {
  readonly client: KubeClient;
  readonly repository: Repository;
  readonly results: Results;
  readonly log: RunLog;
  readonly names: { readonly backup: string; readonly restore: string };
  readonly spec: RestoreSpec;
  readonly onItem?: () => void;
  readonly concurrency?: number;
  readonly waiter?: Waiter;
  /** Source "namespace/name" of a claim → where its new volume comes from. */
  readonly claimVolumes?: ReadonlyMap<string, NewVolume>;
  /** Runs before the tier that creates PersistentVolumeClaims: makes their snapshots ready. */
  readonly beforeClaims?: () => Promise<void>;
  /** Pods whose volumes have file-system backups: an init container to wait, then their files. */
  readonly podVolumes?: PodVolumeRestoreStep;
}

export interface ApplyCounts {
  restored: number;
  alreadyExisted: number;
  failed: number;
}

interface Restorable {
  readonly item: LoadedItem;
  readonly planned: PlannedItem;
  readonly decision: RestoreDecision;
}

/**
 * The apply step: creates what the plan restores, tier by tier (items of one tier in
 * parallel), waiting where the plan says to, and records each item's outcome. A failed
 * item is an error in the results; the rest go on.
 */
export async function applyPlan(
  plan: RestorePlan,
  items: readonly LoadedItem[],
  deps: ApplyDeps,
): Promise<ApplyCounts> {
  const counts: ApplyCounts = { restored: 0, alreadyExisted: 0, failed: 0 };
  const uidMap = new Map<string, string>();
  const byTier = new Map<number, Restorable[]>();
  plan.items.forEach((planned, i) => {
    const item = items[i];
    if (planned.decision.action !== "restore" || !item) return;
    const tier = byTier.get(planned.decision.tier) ?? [];
    tier.push({ item, planned, decision: planned.decision });
    byTier.set(planned.decision.tier, tier);
  });
  const waiter = deps.waiter ?? DEFAULT_WAITER;
  const late: Restorable[] = [];

  for (const [t, tier] of plan.tiers.entries()) {
    if (tier.resources.includes("namespaces")) await ensureBlankNamespaces(plan, deps, waiter);
    if (tier.resources.includes("persistentvolumeclaims")) await deps.beforeClaims?.();
    const work = byTier.get(t) ?? [];
    await forEachLimit(work, deps.concurrency ?? 16, async (entry) => {
      const ok = await restoreOne(entry, { deps, uidMap, counts });
      if (ok && entry.decision.owners.some((o) => o.action === "rewrite-after-owner")) late.push(entry);
    });
    if (tier.waitFor === "crds-established") {
      const crds = work.map((e) => e.decision.targetName);
      deps.log.info(`waiting for ${crds.length} CustomResourceDefinitions to be Established`);
      await waitForCrdsEstablished(deps.client, crds, waiter);
    }
  }
  await linkLateOwners(late, uidMap, deps);
  return counts;
}

async function restoreOne(
  entry: Restorable,
  ctx: { deps: ApplyDeps; uidMap: Map<string, string>; counts: ApplyCounts },
): Promise<boolean> {
  const { deps, counts } = ctx;
  const type = entry.item.meta.type;
  const target = targetRef(entry);
  try {
    const object = await readItem(deps.repository, entry.item.blob);
    let desired = prepareItem(object, {
      backupName: deps.names.backup,
      restoreName: deps.names.restore,
      namespaceMapping: deps.spec.namespaceMapping,
      preserveNodePorts: deps.spec.preserveNodePorts,
      uidMap: ctx.uidMap,
      ...(deps.claimVolumes ? { claimVolumes: deps.claimVolumes } : {}),
    });
    const isPod = type.group === "" && type.resource === "pods";
    const source = { namespace: entry.item.meta.namespace ?? "", name: entry.item.meta.name };
    if (isPod && deps.podVolumes) desired = deps.podVolumes.prepare(source, desired);
    const outcome = await applyItem(deps.client, type, desired, {
      policy: deps.spec.existingResourcePolicy,
      preserveNodePorts: deps.spec.preserveNodePorts,
    });
    if (entry.item.meta.uid) ctx.uidMap.set(entry.item.meta.uid, outcome.uid);
    // A pod that existed already keeps its files: only a pod made here gets them restored.
    if (isPod && deps.podVolumes && outcome.result === "created") {
      const target = { namespace: desired.metadata.namespace ?? "", name: desired.metadata.name };
      await deps.podVolumes.created({ source, target: { ...target, uid: outcome.uid } });
    }
    if (outcome.result === "exists") counts.alreadyExisted++;
    else counts.restored++;
    if ("warning" in outcome && outcome.warning) deps.log.warn(deps.results.warning(target, outcome.warning));
    deps.onItem?.();
    return true;
  } catch (err) {
    counts.failed++;
    deps.log.error(deps.results.error(target, err));
    return false;
  }
}

/** Namespaces that have items but no Namespace object in the backup are created blank. */
async function ensureBlankNamespaces(plan: RestorePlan, deps: ApplyDeps, waiter: Waiter): Promise<void> {
  const namespacesType: ResourceType = {
    group: "",
    version: "v1",
    resource: "namespaces",
    kind: "Namespace",
    namespaced: false,
  };
  for (const ns of plan.namespaces) {
    try {
      await waitWhileTerminating(deps.client, ns.name, waiter);
      if (ns.from !== "blank") continue;
      await deps.client.request({
        method: "POST",
        path: resourcePath(namespacesType),
        body: JSON.stringify(
          blankNamespace(ns.name, { backupName: deps.names.backup, restoreName: deps.names.restore }),
        ),
      });
      deps.log.info(`created namespace ${ns.name}`);
    } catch (err) {
      if (!isKubesnapError(err, "AlreadyExists"))
        deps.log.error(deps.results.error({ resource: "namespaces", name: ns.name }, err));
    }
  }
}

/** Owner references to owners restored in a later tier than the item, added once they exist. */
async function linkLateOwners(
  late: readonly Restorable[],
  uidMap: Map<string, string>,
  deps: ApplyDeps,
): Promise<void> {
  for (const entry of late) {
    const owners: OwnerReference[] = entry.decision.owners.flatMap((link) => {
      const uid = link.action === "rewrite-after-owner" ? uidMap.get(link.owner.uid) : undefined;
      return uid ? [{ ...link.owner, uid }] : [];
    });
    if (owners.length === 0) continue;
    const target = targetRef(entry);
    try {
      await addOwnerReferences(deps.client, entry.item.meta.type, target, owners);
    } catch (err) {
      deps.log.warn(deps.results.warning(target, `owner references could not be restored: ${String(err)}`));
    }
  }
}

function targetRef(entry: Restorable): ItemRef & { namespace?: string } {
  return {
    resource: groupResource(entry.item.meta.type),
    name: entry.decision.targetName,
    ...(entry.decision.targetNamespace ? { namespace: entry.decision.targetNamespace } : {}),
  };
}
