/**
 * The limits the CLI is measured against: the same client (KubeClient from src/cluster)
 * doing only the API work, with nothing of kubesnap's around it.
 */
import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { BackupRecord } from "../src/backup/record.js";
import { selectTypes } from "../src/backup/select.js";
import { defaultBackupSpec } from "../src/backup/spec.js";
import type { KubeClient } from "../src/cluster/client.js";
import { discover } from "../src/cluster/discovery.js";
import { resourcePath, withQuery } from "../src/cluster/paths.js";
import { forEachLimit } from "../src/core/concurrency.js";
import type { ResourceType } from "../src/core/kube-types.js";
import { openLocation } from "../src/locations/location.js";
import { Repository } from "../src/repository/index.js";
import { loadItems, readItem } from "../src/restore/load.js";
import { blankNamespace, planRestore, prepareItem } from "../src/restore/plan/index.js";
import type { RestoreSpec } from "../src/restore/record.js";
import { restoreOptions } from "../src/restore/run.js";
import { createAll, type TypedObject } from "./objects.js";

/** Types listed at once by a backup (collect's default) and objects created at once by a restore (apply's). */
export const BACKUP_LIST_CONCURRENCY = 4;
export const RESTORE_CREATE_CONCURRENCY = 16;
const PAGE_SIZE = 500;

export interface Timed<T> {
  readonly ms: number;
  readonly value: T;
}

/**
 * A bare paginated list of every type a default (whole-cluster) backup lists: the same
 * discovery and type selection, cluster-wide, 500 per page, the same number of types at
 * once, each page parsed as the client parses it and then dropped. Discovery runs before
 * the clock starts (it also opens the pooled connections), so this is the floor.
 */
export async function bareList(client: KubeClient): Promise<Timed<{ items: number; types: number }>> {
  const discovery = await discover(client);
  const selection = selectTypes(discovery.types, defaultBackupSpec("default"));
  let items = 0;
  const listType = async (type: ResourceType) => {
    let token: string | undefined;
    do {
      const page = await client.get<{ metadata?: { continue?: string }; items: unknown[] }>(
        withQuery(resourcePath(type), { limit: PAGE_SIZE, continue: token }),
      );
      items += page.items.length;
      token = page.metadata?.continue || undefined;
    } while (token !== undefined);
  };
  const started = performance.now();
  await forEachLimit(selection.namespaced, BACKUP_LIST_CONCURRENCY, listType);
  await forEachLimit(selection.clusterScoped, BACKUP_LIST_CONCURRENCY, listType);
  return {
    ms: performance.now() - started,
    value: { items, types: selection.namespaced.length + selection.clusterScoped.length },
  };
}

/** bareList in a fresh Node process (list-child.ts), as cold as the CLI it is compared with. */
export async function bareListInChild(kubeconfig: string): Promise<Timed<{ items: number; types: number }>> {
  const child = fileURLToPath(new URL("./list-child.js", import.meta.url));
  const { stdout } = await promisify(execFile)(process.execPath, [child, kubeconfig]);
  const result = JSON.parse(stdout) as { ms: number; items: number; types: number };
  return { ms: result.ms, value: { items: result.items, types: result.types } };
}

/**
 * Exactly the objects a restore of this backup creates, as it would send them: the
 * restore's own load and plan decide which items (the same skip rules), and prepareItem
 * cleans each one. Owner references are dropped (no uid map): a bare create has no owners
 * to link. Split into the namespaces (which everything else needs first) and the rest, in
 * the restore's tier order.
 */
export async function objectsToRestore(
  locationDir: string,
  spec: RestoreSpec,
  restoreName: string,
): Promise<{ namespaces: TypedObject[]; rest: TypedObject[] }> {
  const storage = await openLocation({
    name: "default",
    provider: "file",
    bucket: locationDir,
    config: {},
    accessMode: "ReadOnly",
    default: true,
  });
  const repository = await Repository.open(storage);
  const manifest = await repository.readManifest(spec.backupName);
  const record = manifest.body as BackupRecord;
  const { items } = await loadItems(repository, record, { wantGroup: () => true });
  const plan = planRestore(
    items.map((i) => i.meta),
    restoreOptions(spec),
  );
  const names = { backupName: spec.backupName, restoreName };
  const namespaces: TypedObject[] = [];
  const rest: (TypedObject & { tier: number })[] = [];
  for (const [i, planned] of plan.items.entries()) {
    const item = items[i];
    if (planned.decision.action !== "restore" || !item) continue;
    const object = prepareItem(await readItem(repository, item.blob), { ...names, uidMap: new Map() });
    const typed = { type: item.meta.type, object };
    if (item.meta.type.group === "" && item.meta.type.resource === "namespaces") namespaces.push(typed);
    else rest.push({ ...typed, tier: planned.decision.tier });
  }
  // The restore's order (workloads last, so their controllers start after the creates, as
  // in the restore), without its waits between tiers.
  rest.sort((a, b) => a.tier - b.tier);
  const fromBackup = new Set(namespaces.map((n) => n.object.metadata.name));
  for (const ns of plan.namespaces) {
    if (fromBackup.has(ns.name) || ns.from !== "blank") continue;
    namespaces.push({
      type: { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false },
      object: blankNamespace(ns.name, names),
    });
  }
  return { namespaces, rest };
}

export interface CreateTally {
  readonly created: number;
  readonly existed: number;
  readonly failed: number;
  readonly firstError?: string;
}

/**
 * A bare parallel create: the namespaces, then every other object, each phase with the
 * restore's concurrency (16); one POST per object, AlreadyExists counted as done (a
 * restore makes the same first request for the objects the cluster made itself, such as
 * each namespace's default ServiceAccount, and then does more).
 */
export async function bareCreate(
  client: KubeClient,
  objects: { namespaces: TypedObject[]; rest: TypedObject[] },
): Promise<Timed<CreateTally>> {
  const started = performance.now();
  const a = await createAll(client, objects.namespaces, { concurrency: RESTORE_CREATE_CONCURRENCY });
  const b = await createAll(client, objects.rest, { concurrency: RESTORE_CREATE_CONCURRENCY });
  const ms = performance.now() - started;
  const firstError = a.firstError ?? b.firstError;
  return {
    ms,
    value: {
      created: a.created + b.created,
      existed: a.existed + b.existed,
      failed: a.failed + b.failed,
      ...(firstError ? { firstError } : {}),
    },
  };
}
