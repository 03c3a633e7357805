import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";

/**
 * Writes (part of) an object's status through the status subresource, as a merge patch:
 * the server owns status, users own spec, and the two never overwrite each other.
 */
export async function patchStatus(
  client: KubeClient,
  type: ResourceType,
  object: Pick<KubeObject, "metadata">,
  status: Record<string, unknown>,
): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: "PATCH",
    path: `${resourcePath(type, { namespace: object.metadata.namespace, name: object.metadata.name })}/status`,
    body: JSON.stringify({ status }),
    contentType: "application/merge-patch+json",
  });
}

/** Adds labels to an object (a merge patch of metadata.labels). */
export async function addLabels(
  client: KubeClient,
  type: ResourceType,
  object: Pick<KubeObject, "metadata">,
  labels: Record<string, string>,
): Promise<void> {
  await client.request({
    method: "PATCH",
    path: resourcePath(type, { namespace: object.metadata.namespace, name: object.metadata.name }),
    body: JSON.stringify({ metadata: { labels } }),
    contentType: "application/merge-patch+json",
  });
}

/**
 * After (re-)gaining leadership, a run InProgress that this process is not running was left
 * by a server that stopped (restart, crash, lost lease): it is finished as Failed with `reason`,
 * never left hanging.
 */
export async function failOrphanedRuns(
  objects: readonly (KubeObject & { status?: { phase?: string } })[],
  ctx: {
    readonly client: KubeClient;
    readonly type: ResourceType;
    /** Names of the runs this process is carrying out. */
    readonly running: ReadonlySet<string>;
    readonly reason: string;
    readonly onFailed: (name: string) => void;
  },
): Promise<void> {
  for (const object of objects) {
    if (object.status?.phase !== "InProgress" || ctx.running.has(object.metadata.name)) continue;
    await patchStatus(ctx.client, ctx.type, object, {
      phase: "Failed",
      completionTimestamp: new Date().toISOString(),
      failureReason: ctx.reason,
    });
    ctx.onFailed(object.metadata.name);
  }
}
