import type { KubeClient } from "../cluster/client.js";
import { listObjects } from "../cluster/list.js";
import { resourcePath } from "../cluster/paths.js";
import { forEachLimit } from "../core/concurrency.js";
import { isKubesnapError } from "../core/errors.js";
import { groupResource, type ItemRef, type KubeObject, type ResourceType } from "../core/kube-types.js";
import type { RunLog } from "../report/log.js";
import type { Results } from "../report/results.js";
import type { BlobId, IdListRef, SnapshotWriter } from "../repository/index.js";
import type { ItemGroup } from "./record.js";
import { namespaceSelected, namespacesToList, type TypeSelection } from "./select.js";
import { type BackupSpec, listSelectors } from "./spec.js";

export const EXCLUDE_LABEL = "kubesnap.io/exclude-from-backup";

export interface CollectDeps {
  readonly client: KubeClient;
  readonly writer: SnapshotWriter;
  readonly spec: BackupSpec;
  readonly results: Results;
  readonly log: RunLog;
  /** Called once per stored item (the volume step keeps the PVCs). */
  readonly onItem?: (item: KubeObject, type: ResourceType) => void;
  /** Called when a resource type is done. */
  readonly onType?: () => void;
  /** Resource types listed at once. */
  readonly concurrency?: number;
  /** Stops listing: the run will not be committed. */
  readonly signal?: AbortSignal;
}

interface StoredRef {
  readonly namespace: string;
  readonly name: string;
  readonly id: BlobId;
}

/** What included namespaced items need from the cluster scope (auto mode). */
interface Needs {
  readonly namespaces: Set<string>;
  readonly persistentVolumes: Set<string>;
  readonly customResources: Set<string>;
}

/** Items waiting for their blob at once, per type: enough to keep compression and uploads busy. */
const IN_FLIGHT = 32;

/**
 * Lists every selected type (a few at a time), stores each item as a blob, and returns the
 * item groups with their id lists. Listing a type that fails is an error for that type; the
 * other types go on.
 */
export async function collect(
  selection: TypeSelection,
  deps: CollectDeps,
): Promise<{ groups: ItemGroup[]; lists: Record<string, IdListRef> }> {
  const needs: Needs = { namespaces: new Set(), persistentVolumes: new Set(), customResources: new Set() };
  const out = { groups: [] as ItemGroup[], lists: {} as Record<string, IdListRef> };
  const scopes = namespacesToList(deps.spec) ?? [undefined];
  await forEachLimit(selection.namespaced, deps.concurrency ?? 4, (type) =>
    collectType(type, { scopes, needs, deps, out }),
  );
  await forEachLimit(selection.clusterScoped, deps.concurrency ?? 4, (type) =>
    collectType(type, { scopes: [undefined], needs, deps, out }),
  );
  await collectNeeded(selection.clusterScopedIfNeeded, needs, deps, out);
  return out;
}

async function collectType(
  type: ResourceType,
  ctx: {
    scopes: readonly (string | undefined)[];
    needs: Needs;
    deps: CollectDeps;
    out: Awaited<ReturnType<typeof collect>>;
  },
): Promise<void> {
  const { deps, needs } = ctx;
  const refs: StoredRef[] = [];
  const seen = new Set<string>();
  const selectors = listSelectors(deps.spec);
  try {
    for (const namespace of type.namespaced ? ctx.scopes : [undefined]) {
      for (const labelSelector of selectors) {
        const items = listObjects(deps.client, type, {
          ...(namespace ? { namespace } : {}),
          ...(labelSelector ? { labelSelector } : {}),
        });
        const pending = new Set<Promise<void>>();
        for await (const item of items) {
          deps.signal?.throwIfAborted();
          if (!shouldTake(item, type, deps)) continue;
          const key = `${item.metadata.namespace ?? ""}/${item.metadata.name}`;
          // With --or-selector an item can match several alternatives: store it once.
          if (selectors.length > 1) {
            if (seen.has(key)) continue;
            seen.add(key);
          }
          noteNeeds(item, type, needs);
          const stored = store(item, type, deps).then((ref) => {
            if (ref) refs.push(ref);
          });
          pending.add(stored);
          void stored.finally(() => pending.delete(stored));
          if (pending.size >= IN_FLIGHT) await Promise.race(pending);
        }
        await Promise.all(pending);
      }
    }
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) {
      // The API server stopped serving the type since discovery (its CRD was deleted):
      // there is nothing of it to back up, which is worth saying but is no failure.
      const message = `${groupResource(type)} is no longer served (its CustomResourceDefinition was removed during the backup?)`;
      deps.log.warn(deps.results.warning({ resource: groupResource(type), name: "(list)" }, message));
    } else {
      deps.results.error({ resource: groupResource(type), name: "(list)" }, err);
      deps.log.error(`listing ${groupResource(type)} failed: ${String(err)}`);
    }
  }
  await writeGroups(type, refs, ctx.deps.writer, ctx.out);
  if (refs.length > 0) deps.log.info(`backed up ${refs.length} ${groupResource(type)}`);
  deps.onType?.();
}

function shouldTake(item: KubeObject, type: ResourceType, deps: CollectDeps): boolean {
  const { metadata } = item;
  // An object being deleted would come back on restore only to be deleted again.
  if (metadata.deletionTimestamp) return false;
  if (metadata.labels?.[EXCLUDE_LABEL] === "true") return false;
  if (type.namespaced) return namespaceSelected(metadata.namespace ?? "", deps.spec);
  // A Namespace object follows the namespace filters, as in Velero, even when every
  // cluster-scoped type is listed (--include-cluster-resources=true): excluding a namespace
  // excludes its Namespace object too.
  if (type.group === "" && type.resource === "namespaces") return namespaceSelected(metadata.name, deps.spec);
  return true;
}

function noteNeeds(item: KubeObject, type: ResourceType, needs: Needs): void {
  if (item.metadata.namespace) needs.namespaces.add(item.metadata.namespace);
  if (type.group === "" && type.resource === "persistentvolumeclaims") {
    const volume = (item.spec as { volumeName?: string } | undefined)?.volumeName;
    if (volume) needs.persistentVolumes.add(volume);
  }
  // Built-in groups have no dots or end in k8s.io; anything else may be served by a CRD.
  if (type.group.includes(".") && !type.group.endsWith(".k8s.io"))
    needs.customResources.add(`${type.resource}.${type.group}`);
}

async function store(
  item: KubeObject,
  type: ResourceType,
  deps: CollectDeps,
): Promise<StoredRef | undefined> {
  const ref: ItemRef = {
    resource: groupResource(type),
    name: item.metadata.name,
    ...(item.metadata.namespace ? { namespace: item.metadata.namespace } : {}),
  };
  try {
    const id = await deps.writer.addBlob(Buffer.from(JSON.stringify(item)));
    deps.onItem?.(item, type);
    return { namespace: item.metadata.namespace ?? "", name: item.metadata.name, id };
  } catch (err) {
    deps.results.error(ref, err);
    return undefined;
  }
}

/** One id list per (type, namespace), keyed by name, so a restore can read one namespace alone. */
async function writeGroups(
  type: ResourceType,
  refs: StoredRef[],
  writer: SnapshotWriter,
  out: { groups: ItemGroup[]; lists: Record<string, IdListRef> },
): Promise<void> {
  refs.sort((a, b) =>
    a.namespace === b.namespace ? compare(a.name, b.name) : compare(a.namespace, b.namespace),
  );
  let start = 0;
  while (start < refs.length) {
    const namespace = refs[start]?.namespace ?? "";
    let end = start;
    const list = writer.idList();
    const names: string[] = [];
    while (end < refs.length && refs[end]?.namespace === namespace) {
      const ref = refs[end] as StoredRef;
      await list.add(ref.name, ref.id);
      names.push(ref.name);
      end++;
    }
    const name = `${groupResource(type)}/${namespace || "-"}`;
    out.lists[name] = await list.finish();
    const namesBlob = await writer.addBlob(Buffer.from(JSON.stringify(names)));
    out.groups.push({
      type,
      ...(namespace ? { namespace } : {}),
      list: name,
      names: namesBlob,
      count: end - start,
    });
    start = end;
  }
}

/** Auto mode: the Namespaces, PersistentVolumes and CRDs that the included items need. */
async function collectNeeded(
  types: readonly ResourceType[],
  needs: Needs,
  deps: CollectDeps,
  out: Awaited<ReturnType<typeof collect>>,
): Promise<void> {
  const wanted: Record<string, Set<string>> = {
    namespaces: new Set([...needs.namespaces, ...(namespacesToList(deps.spec) ?? [])]),
    persistentvolumes: needs.persistentVolumes,
    "customresourcedefinitions.apiextensions.k8s.io": needs.customResources,
  };
  for (const type of types) {
    const names = wanted[groupResource(type)];
    if (!names || names.size === 0) continue;
    const refs: StoredRef[] = [];
    for (const name of [...names].sort()) {
      try {
        const item = await deps.client.get<KubeObject>(resourcePath(type, { name }));
        const apiVersion = type.group === "" ? type.version : `${type.group}/${type.version}`;
        const ref = await store({ ...item, apiVersion, kind: type.kind }, type, deps);
        if (ref) refs.push(ref);
      } catch (err) {
        // A resource served by an aggregated API (not a CRD) has no CRD to take: nothing to record.
        if (isKubesnapError(err, "NotFound")) continue;
        deps.results.error({ resource: groupResource(type), name }, err);
      }
    }
    await writeGroups(type, refs, deps.writer, out);
    deps.onType?.();
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
