import { KubesnapError } from "../../core/errors.js";
import { groupResource, type ItemRef } from "../../core/kube-types.js";
import type {
  ItemDecision,
  NamespaceToCreate,
  PlannedItem,
  PlanSummary,
  RestorePlan,
  SkipDecision,
  SkipReason,
} from "./decision.js";
import { SKIP_REASONS } from "./decision.js";
import { filterItem, namespaceFilter, selectorFilter } from "./filters.js";
import { describeItem, type ItemMeta, itemRef } from "./item-meta.js";
import { mapNamespace } from "./namespace-mapping.js";
import { type ResolvedRestoreOptions, type RestoreOptions, resolveRestoreOptions } from "./options.js";
import { buildTiers } from "./order.js";
import { ownedByRestoredController, ownerLinks, type StateContext } from "./owners.js";
import { type MissingDependency, planWarnings } from "./plan-warnings.js";
import { GR, neverRestoredReason, resourceNamesMatch } from "./resources.js";
import { intrinsicSkip, type SkipRuleContext, SYSTEM_NAMESPACES } from "./skip-rules.js";

/**
 * The pure planning step of a restore: from the metadata of every backed-up item and
 * the user's options, decide what is restored, where, in which order, and what is left
 * to the cluster. No I/O: the apply step reads the plan and does the creating.
 *
 * Decisions are made in passes, because some depend on others:
 *   1. per item: duplicates, never-restored resources, filters, cluster-made items;
 *   2. owned items whose controller is restored are left to that controller;
 *   3. dependencies of restored items are pulled in (PVs of PVCs, CRDs of custom resources);
 *   4. Namespace objects and the namespaces to create follow from what is restored;
 *   5. tiers, owner links, summary and warnings.
 */
export function planRestore(items: Iterable<ItemMeta>, options: RestoreOptions): RestorePlan {
  const opts = resolveRestoreOptions(options);
  const all = [...items];
  const index = indexItems(all);
  const targetNamespaceOf = (source: string) => mapNamespace(opts.namespaceMapping, source);
  const stateCtx = { podsWithVolumeData: opts.podsWithVolumeData };
  const ctx: SkipRuleContext = {
    servicesWithSelector: index.servicesWithSelector,
    targetNamespaceOf,
    provisionedVolumes: opts.provisionedVolumes,
    restoreVolumeData: opts.restoreVolumeData,
  };

  const seen = new Set<string>();
  const drafts = all.map((item) => firstPass(item, { opts, ctx, seen }));
  leaveOwnedItemsToControllers(all, drafts, index, stateCtx);
  const missingDependencies = pullInDependencies(all, drafts, { index, opts });
  const namespaces = decideNamespaces(all, drafts, opts, ctx);

  const restoredResources = new Set<string>();
  all.forEach((item, i) => {
    if (drafts[i]?.state === "restore") restoredResources.add(groupResource(item.type));
  });
  if (namespaces.length > 0) restoredResources.add(GR.namespaces);
  const tiers = buildTiers(restoredResources);
  const tierOf = new Map<string, number>();
  tiers.forEach((tier, t) => {
    for (const resource of tier.resources) tierOf.set(resource, t);
  });

  const ownerState = (uid: string) => {
    const ownerIndex = index.byUid.get(uid);
    const owner = ownerIndex === undefined ? undefined : all[ownerIndex];
    const restored = ownerIndex !== undefined && drafts[ownerIndex]?.state === "restore";
    return {
      inBackup: owner !== undefined,
      restoredInTier: restored && owner !== undefined ? tierOf.get(groupResource(owner.type)) : undefined,
    };
  };

  const planned: PlannedItem[] = all.map((item, i) => {
    const draft = drafts[i] as Draft;
    return { ref: itemRef(item), kind: item.type.kind, decision: finalDecision(item, draft) };
  });

  function finalDecision(item: ItemMeta, draft: Draft): ItemDecision {
    if (draft.state === "namespace-object") {
      // decideNamespaces settles every Namespace object; reaching here is a bug.
      throw new KubesnapError("Internal", `No decision was made for ${describeItem(item)}`);
    }
    if (draft.state === "skip") return draft.decision;
    const tier = tierOf.get(groupResource(item.type)) ?? 0;
    const isNamespace = groupResource(item.type) === GR.namespaces;
    return {
      action: "restore",
      ...(item.namespace !== undefined ? { targetNamespace: targetNamespaceOf(item.namespace) } : {}),
      targetName: isNamespace ? targetNamespaceOf(item.name) : item.name,
      tier,
      selectedAs: draft.neededBy === undefined ? "selected" : "dependency",
      ...(draft.neededBy !== undefined ? { neededBy: draft.neededBy } : {}),
      owners: ownerLinks(item, tier, ownerState, stateCtx),
    };
  }

  return {
    tiers,
    items: planned,
    namespaces,
    summary: summarize(planned),
    warnings: planWarnings({ items: all, planned, options: opts, namespaces, missingDependencies }),
  };
}

/** Working state of one item while the passes run. */
type Draft =
  | { readonly state: "restore"; readonly neededBy?: ItemRef }
  | { readonly state: "skip"; readonly decision: SkipDecision; readonly rescuable: boolean }
  | { readonly state: "namespace-object" };

interface ItemIndex {
  readonly byUid: ReadonlyMap<string, number>;
  readonly servicesWithSelector: ReadonlySet<string>;
  readonly persistentVolumeByName: ReadonlyMap<string, number>;
  /** CRDs are named "<plural>.<group>", which is exactly groupResource() of their custom resources. */
  readonly crdByName: ReadonlyMap<string, number>;
}

function indexItems(items: readonly ItemMeta[]): ItemIndex {
  const byUid = new Map<string, number>();
  const servicesWithSelector = new Set<string>();
  const persistentVolumeByName = new Map<string, number>();
  const crdByName = new Map<string, number>();
  items.forEach((item, i) => {
    if (item.uid !== undefined && !byUid.has(item.uid)) byUid.set(item.uid, i);
    const resource = groupResource(item.type);
    if (item.facts?.kind === "service" && item.facts.hasSelector) {
      servicesWithSelector.add(`${item.namespace ?? ""}/${item.name}`);
    }
    if (resource === GR.persistentVolumes && !persistentVolumeByName.has(item.name))
      persistentVolumeByName.set(item.name, i);
    if (resource === GR.crds && !crdByName.has(item.name)) crdByName.set(item.name, i);
  });
  return { byUid, servicesWithSelector, persistentVolumeByName, crdByName };
}

interface FirstPassContext {
  readonly opts: ResolvedRestoreOptions;
  readonly ctx: SkipRuleContext;
  /** Keys of items already seen, to catch duplicates. */
  readonly seen: Set<string>;
}

/** Pass 1: everything that can be decided from the item alone (plus the Service index). */
function firstPass(item: ItemMeta, { opts, ctx, seen }: FirstPassContext): Draft {
  const resource = groupResource(item.type);
  const key = `${resource}|${item.namespace ?? ""}|${item.name}`;
  if (seen.has(key)) {
    return skip(
      "duplicate",
      `${describeItem(item)} appears more than once in the backup; restored once`,
      false,
    );
  }
  seen.add(key);

  const never = neverRestoredReason(item.type);
  if (never !== undefined) return skip("never-restored", `${resource} are never restored: ${never}`, false);
  if (resource === GR.namespaces) return { state: "namespace-object" };

  const filtered = filterItem(item, opts);
  const intrinsic = intrinsicSkip(item, ctx);
  if (!filtered.pass) {
    // A cluster-made item is never worth rescuing, even if something restored needs it.
    return skip(
      "excluded-by-filter",
      `${describeItem(item)} is not restored: ${filtered.message}`,
      filtered.rescuable && intrinsic === undefined,
    );
  }
  if (intrinsic !== undefined) return { state: "skip", decision: intrinsic, rescuable: false };
  return { state: "restore" };
}

function skip(reason: SkipReason, message: string, rescuable: boolean): Draft {
  return { state: "skip", decision: { action: "skip", reason, message }, rescuable };
}

/**
 * Pass 2. "Will the owner exist after the restore" is judged on the first pass's result:
 * an owner that passed is either restored or recreated by its own restored controller,
 * and exists either way. So a Pod of a ReplicaSet of a Deployment is skipped like the
 * ReplicaSet, and the decisions do not depend on the order items arrive in.
 */
function leaveOwnedItemsToControllers(
  items: readonly ItemMeta[],
  drafts: Draft[],
  index: ItemIndex,
  ctx: StateContext,
): void {
  const passed = drafts.map((draft) => draft.state === "restore");
  const survivingOwner = (uid: string) => {
    const ownerIndex = index.byUid.get(uid);
    return ownerIndex !== undefined && passed[ownerIndex] ? items[ownerIndex] : undefined;
  };
  items.forEach((item, i) => {
    if (!passed[i]) return;
    const decision = ownedByRestoredController(item, survivingOwner, ctx);
    if (decision !== undefined) drafts[i] = { state: "skip", decision, rescuable: false };
  });
}

/**
 * Pass 3: PVs bound to restored PVCs and CRDs of restored custom resources. A needed item
 * that cannot be pulled in (the user excluded it) is reported once, with how many need it.
 */
function pullInDependencies(
  items: readonly ItemMeta[],
  drafts: Draft[],
  { index, opts }: { index: ItemIndex; opts: ResolvedRestoreOptions },
): MissingDependency[] {
  const missing = new Map<
    number,
    { item: ItemRef; dependency: ItemRef; why: string; neededByCount: number }
  >();
  const pull = (dependencyIndex: number | undefined, neededBy: ItemMeta) => {
    if (dependencyIndex === undefined) return;
    const draft = drafts[dependencyIndex];
    const dependency = items[dependencyIndex];
    if (draft === undefined || dependency === undefined || draft.state !== "skip") return;
    if (draft.rescuable) {
      drafts[dependencyIndex] = { state: "restore", neededBy: itemRef(neededBy) };
      return;
    }
    if (draft.decision.reason === "duplicate") return;
    const known = missing.get(dependencyIndex);
    if (known !== undefined) known.neededByCount++;
    else {
      const entry = {
        item: itemRef(neededBy),
        dependency: itemRef(dependency),
        why: draft.decision.message,
        neededByCount: 1,
      };
      missing.set(dependencyIndex, entry);
    }
  };
  items.forEach((item, i) => {
    if (drafts[i]?.state !== "restore") return;
    const volumeName = item.facts?.kind === "persistentvolumeclaim" ? item.facts.volumeName : undefined;
    // A claim provisioned from its snapshot needs no PV from the backup.
    if (volumeName !== undefined && !opts.provisionedVolumes.has(volumeName)) {
      pull(index.persistentVolumeByName.get(volumeName), item);
    }
    if (item.type.group !== "") pull(index.crdByName.get(groupResource(item.type)), item);
  });
  return [...missing.values()];
}

/**
 * Pass 4. Namespace objects follow the namespace filter, not the cluster-scope rule:
 * restoring a namespace's contents means restoring the namespace, with its labels
 * (pod-security levels!) and annotations, as Velero does. A Namespace object is restored
 * when its namespace has restored items, or when the user's filters select it itself.
 * Namespaces with restored items but no Namespace object in the backup are created blank.
 */
function decideNamespaces(
  items: readonly ItemMeta[],
  drafts: Draft[],
  opts: ResolvedRestoreOptions,
  ctx: SkipRuleContext,
): NamespaceToCreate[] {
  const firstItemIn = new Map<string, ItemMeta>();
  items.forEach((item, i) => {
    if (drafts[i]?.state === "restore" && item.namespace !== undefined && !firstItemIn.has(item.namespace)) {
      firstItemIn.set(item.namespace, item);
    }
  });
  const restoredObjects = new Set<string>();
  items.forEach((item, i) => {
    if (drafts[i]?.state !== "namespace-object") return;
    const decision = decideNamespaceObject(item, firstItemIn.get(item.name), opts, ctx);
    drafts[i] = decision;
    if (decision.state === "restore") restoredObjects.add(item.name);
  });

  const byTarget = new Map<string, NamespaceToCreate>();
  for (const source of [...restoredObjects, ...firstItemIn.keys()]) {
    const name = ctx.targetNamespaceOf(source);
    if (SYSTEM_NAMESPACES.has(name) || byTarget.has(name)) continue;
    byTarget.set(name, {
      name,
      sourceNamespace: source,
      from: restoredObjects.has(source) ? "backup" : "blank",
    });
  }
  return [...byTarget.values()].sort((a, b) => a.name.localeCompare(b.name));
}

function decideNamespaceObject(
  item: ItemMeta,
  firstItem: ItemMeta | undefined,
  opts: ResolvedRestoreOptions,
  ctx: SkipRuleContext,
): Draft {
  const notRestored = (why: string) =>
    skip("excluded-by-filter", `${describeItem(item)} is not restored: ${why}`, false);
  if (resourceNamesMatch(opts.excludeResources, item.type))
    return notRestored("namespaces are excluded by excludeResources");
  const scope = namespaceFilter(item.name, opts);
  if (!scope.pass) return notRestored(scope.message);
  const intrinsic = intrinsicSkip(item, ctx);
  if (intrinsic !== undefined) return { state: "skip", decision: intrinsic, rescuable: false };
  const selected = resourceNamesMatch(opts.includeResources, item.type) && selectorFilter(item, opts).pass;
  if (selected) return { state: "restore" };
  if (firstItem !== undefined) return { state: "restore", neededBy: itemRef(firstItem) };
  return notRestored("no item in it is restored and the filters do not select the namespace itself");
}

function summarize(planned: readonly PlannedItem[]): PlanSummary {
  const skipByReason = Object.fromEntries(SKIP_REASONS.map((reason) => [reason, 0])) as Record<
    SkipReason,
    number
  >;
  const restoreByResource: Record<string, number> = {};
  let restore = 0;
  for (const { ref, decision } of planned) {
    if (decision.action === "restore") {
      restore++;
      restoreByResource[ref.resource] = (restoreByResource[ref.resource] ?? 0) + 1;
    } else skipByReason[decision.reason]++;
  }
  return { total: planned.length, restore, skip: planned.length - restore, skipByReason, restoreByResource };
}
