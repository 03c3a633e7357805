/**
 * Applying an install to a cluster, and taking it away again. Server-side apply with one field
 * manager makes a second install an upgrade in place: fields it set before and sets no more
 * are removed, fields others set (an HPA's replicas, a user's annotations) are left alone, and
 * an unchanged object is not written at all.
 */
import { KINDS } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath, withQuery } from "../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import { type Waiter, waitForCrdsEstablished, waitWhileTerminating } from "../restore/apply/waits.js";
import { COMPONENT_LABEL, installNames, NAME_LABEL, SERVER_NAME } from "./names.js";
import { NODE_AGENT_NAME } from "./node-agent.js";

export const FIELD_MANAGER = "kubesnap";

/** The kinds an install holds: plural and scope, which the REST path needs. */
const RESOURCES: Readonly<Record<string, { resource: string; namespaced: boolean }>> = {
  Namespace: { resource: "namespaces", namespaced: false },
  CustomResourceDefinition: { resource: "customresourcedefinitions", namespaced: false },
  ClusterRole: { resource: "clusterroles", namespaced: false },
  ClusterRoleBinding: { resource: "clusterrolebindings", namespaced: false },
  ServiceAccount: { resource: "serviceaccounts", namespaced: true },
  Role: { resource: "roles", namespaced: true },
  RoleBinding: { resource: "rolebindings", namespaced: true },
  Secret: { resource: "secrets", namespaced: true },
  Service: { resource: "services", namespaced: true },
  Deployment: { resource: "deployments", namespaced: true },
  DaemonSet: { resource: "daemonsets", namespaced: true },
  ...Object.fromEntries(KINDS.map((k) => [k.kind, { resource: k.plural, namespaced: true }])),
};

export function resourceTypeOf(object: Pick<KubeObject, "apiVersion" | "kind">): ResourceType {
  const known = RESOURCES[object.kind];
  if (!known) throw new KubesnapError("Internal", `kubesnap install does not know the kind ${object.kind}`);
  const [group, version] = object.apiVersion.includes("/")
    ? (object.apiVersion.split("/") as [string, string])
    : ["", object.apiVersion];
  return { group, version, kind: object.kind, ...known };
}

/** "Deployment kubesnap/kubesnap", "CustomResourceDefinition backups.kubesnap.io". */
export function describeObject(object: KubeObject): string {
  const { namespace, name } = object.metadata;
  return `${object.kind} ${namespace ? `${namespace}/` : ""}${name}`;
}

export type ApplyOutcome = "created" | "configured" | "unchanged";

export interface ApplyOptions {
  readonly waiter: Waiter;
  /** Server-side dry run: the API server validates and admits each object but stores none. */
  readonly dryRun?: boolean;
  readonly onApplied?: (object: KubeObject, outcome: ApplyOutcome) => void;
}

/**
 * Applies the objects in order. The Namespace and CRDs go first, and the rest waits until
 * the CRDs are Established: the BackupStorageLocation cannot be created before its type is served.
 */
export async function applyInstall(
  client: KubeClient,
  objects: readonly KubeObject[],
  options: ApplyOptions,
): Promise<void> {
  const first = objects.filter((o) => o.kind === "Namespace" || o.kind === "CustomResourceDefinition");
  for (const object of first) await applyOne(client, object, options);
  const crdNames = first.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name);
  if (!options.dryRun) await waitForCrdsEstablished(client, crdNames, options.waiter);
  for (const object of objects.filter((o) => !first.includes(o))) await applyOne(client, object, options);
}

async function applyOne(client: KubeClient, object: KubeObject, options: ApplyOptions): Promise<void> {
  const type = resourceTypeOf(object);
  const path = resourcePath(type, { namespace: object.metadata.namespace, name: object.metadata.name });
  const before = await current(client, path);
  let applied: KubeObject;
  try {
    applied = await client.request<KubeObject>({
      method: "PATCH",
      path: withQuery(path, {
        fieldManager: FIELD_MANAGER,
        force: "true",
        dryRun: options.dryRun ? "All" : undefined,
      }),
      // JSON is YAML, so the apply patch needs no YAML encoder.
      body: JSON.stringify(object),
      contentType: "application/apply-patch+yaml",
    });
  } catch (err) {
    // The API server's message names fields, never a Secret's values.
    const message = err instanceof Error ? err.message : String(err);
    throw new KubesnapError(
      isKubesnapError(err) ? err.code : "Internal",
      `Cannot apply ${describeObject(object)}: ${message}`,
      { cause: err, ...(isKubesnapError(err) && err.hint ? { hint: err.hint } : {}) },
    );
  }
  const outcome =
    before === undefined ? "created" : content(before) === content(applied) ? "unchanged" : "configured";
  options.onApplied?.(object, outcome);
}

async function current(client: KubeClient, path: string): Promise<KubeObject | undefined> {
  try {
    return await client.get<KubeObject>(path);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}

/**
 * What an apply may change, for comparing: not the resourceVersion nor the status, which
 * controllers write on their own (a Deployment's status changes while its Pods start, and
 * that is not the install's doing), nor managedFields' bookkeeping.
 */
function content(object: KubeObject): string {
  const { status: _status, metadata, ...rest } = object;
  const { resourceVersion: _rv, managedFields: _mf, ...meta } = metadata;
  return canonical({ ...rest, metadata: meta });
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  const entries = Object.entries(value).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
}

export interface UninstallResult {
  /** What was deleted, described ("Deployment kubesnap/kubesnap"). */
  readonly deleted: readonly string[];
  /** Other namespaces that use the CRDs (so they were kept); empty when the CRDs were deleted. */
  readonly otherInstalls: readonly string[];
}

/**
 * Removes an install: the server first (so it stops writing), then the finalizers of its
 * objects (with the server gone nobody would remove them, and the namespace would never
 * finish terminating), its cluster-wide RBAC, its namespace, and the CRDs unless another
 * namespace still uses them (see otherInstallNamespaces). Deleting the CRDs deletes every
 * Backup object in the cluster; the backups in the bucket are not touched, and a new install
 * finds them again by syncing.
 */
export async function uninstall(
  client: KubeClient,
  namespace: string,
  options: { readonly waiter: Waiter },
): Promise<UninstallResult> {
  const names = installNames(namespace);
  const deleted: string[] = [];
  const remove = async (
    object: Pick<KubeObject, "apiVersion" | "kind"> & { metadata: KubeObject["metadata"] },
  ) => {
    const path = resourcePath(resourceTypeOf(object), object.metadata);
    try {
      await client.request({ method: "DELETE", path });
      deleted.push(describeObject(object));
    } catch (err) {
      if (!isKubesnapError(err, "NotFound")) throw err;
    }
  };
  await remove({ apiVersion: "apps/v1", kind: "Deployment", metadata: { name: SERVER_NAME, namespace } });
  await remove({ apiVersion: "apps/v1", kind: "DaemonSet", metadata: { name: NODE_AGENT_NAME, namespace } });
  await dropFinalizers(client, namespace);
  for (const name of [names.backupClusterRole, names.restoreClusterRole, names.nodeAgentClusterRole]) {
    await remove({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name },
    });
    await remove({ apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name } });
  }
  await remove({ apiVersion: "v1", kind: "Namespace", metadata: { name: namespace } });
  await waitWhileTerminating(client, namespace, options.waiter);

  const otherInstalls = await otherInstallNamespaces(client, namespace);
  if (otherInstalls.length === 0) {
    const crds = KINDS.map((kind) => ({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: `${kind.plural}.kubesnap.io` },
    }));
    for (const crd of crds) await remove(crd);
    // Gone, not just deleting: an install right after must not meet a terminating CRD.
    for (const crd of crds)
      await waitGone(client, resourcePath(resourceTypeOf(crd), crd.metadata), options.waiter);
  }
  return { deleted, otherInstalls };
}

async function waitGone(client: KubeClient, path: string, waiter: Waiter): Promise<void> {
  const deadline = Date.now() + waiter.timeoutMs;
  for (;;) {
    try {
      await client.get(path);
    } catch (err) {
      if (isKubesnapError(err, "NotFound")) return;
      throw err;
    }
    if (Date.now() > deadline) {
      throw new KubesnapError(
        "Timeout",
        `Timed out after ${waiter.timeoutMs / 1000} s waiting for ${path} to go`,
      );
    }
    await waiter.sleep(250);
  }
}

async function dropFinalizers(client: KubeClient, namespace: string): Promise<void> {
  for (const kind of KINDS) {
    const type = resourceTypeOf({ apiVersion: "kubesnap.io/v1", kind: kind.kind });
    let list: { items: KubeObject[] };
    try {
      list = await client.get(resourcePath(type, { namespace }));
    } catch (err) {
      if (isKubesnapError(err, "NotFound")) continue; // no CRD: nothing of this kind
      throw err;
    }
    for (const item of list.items.filter((i) => (i.metadata.finalizers ?? []).length > 0)) {
      await client.request({
        method: "PATCH",
        path: resourcePath(type, { namespace, name: item.metadata.name }),
        body: JSON.stringify({ metadata: { finalizers: null } }),
        contentType: "application/merge-patch+json",
      });
    }
  }
}

/**
 * Who else uses the CRDs: namespaces with a kubesnap server Deployment, or with a
 * BackupStorageLocation (a server run some other way, or one being set up). Deleting the CRDs
 * would delete their Backups, Restores and Schedules too.
 */
async function otherInstallNamespaces(client: KubeClient, namespace: string): Promise<string[]> {
  const servers = await client.get<{ items: KubeObject[] }>(
    withQuery("/apis/apps/v1/deployments", {
      labelSelector: `${NAME_LABEL}=kubesnap,${COMPONENT_LABEL}=server`,
    }),
  );
  let locations: KubeObject[] = [];
  try {
    locations = (await client.get<{ items: KubeObject[] }>("/apis/kubesnap.io/v1/backupstoragelocations"))
      .items;
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err; // no CRD, no locations
  }
  const namespaces = [...servers.items, ...locations].map((o) => o.metadata.namespace ?? "");
  return [...new Set(namespaces)].filter((ns) => ns !== namespace && ns !== "").sort();
}
