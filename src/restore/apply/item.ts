import type { KubeClient } from "../../cluster/client.js";
import { resourcePath } from "../../cluster/paths.js";
import { isKubesnapError } from "../../core/errors.js";
import type { KubeObject, ResourceType } from "../../core/kube-types.js";
import { decideExisting, type ExistingResourcePolicy } from "../plan/index.js";

/** What happened to one item the plan restores. */
export type ItemOutcome =
  | { readonly result: "created"; readonly uid: string }
  | { readonly result: "exists"; readonly uid: string; readonly warning?: string }
  | { readonly result: "patched"; readonly uid: string; readonly warning?: string };

const MERGE_PATCH = "application/merge-patch+json";

/**
 * Creates one prepared object. When it already exists, the policy decides (decideExisting):
 * leave it (with a warning when it differs) or patch it to the backup's content; a patch the
 * server refuses (an immutable field differs) falls back to adding the restore labels.
 */
export async function applyItem(
  client: KubeClient,
  type: ResourceType,
  desired: KubeObject,
  options: { policy: ExistingResourcePolicy; preserveNodePorts: boolean },
): Promise<ItemOutcome> {
  const where = { namespace: desired.metadata.namespace };
  try {
    const created = await client.request<KubeObject>({
      method: "POST",
      path: resourcePath(type, where),
      body: JSON.stringify(desired),
    });
    return { result: "created", uid: created.metadata.uid ?? "" };
  } catch (err) {
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
  }
  const path = resourcePath(type, { ...where, name: desired.metadata.name });
  const live = await client.get<KubeObject>(path);
  const uid = live.metadata.uid ?? "";
  const decision = decideExisting(desired, live, options);
  switch (decision.action) {
    case "skip-equal":
      return { result: "exists", uid };
    case "skip-differs":
      return { result: "exists", uid, warning: decision.warning };
    case "patch":
      try {
        await client.request({
          method: "PATCH",
          path,
          body: JSON.stringify(decision.patch),
          contentType: MERGE_PATCH,
        });
        return { result: "patched", uid };
      } catch (err) {
        await client.request({
          method: "PATCH",
          path,
          body: JSON.stringify(decision.fallbackPatch),
          contentType: MERGE_PATCH,
        });
        return {
          result: "exists",
          uid,
          warning: `could not be updated to the backup's content: ${String(err)}`,
        };
      }
  }
}

/** Adds owner references whose owners were created after the item (a later tier). */
export async function addOwnerReferences(
  client: KubeClient,
  type: ResourceType,
  target: { namespace?: string; name: string },
  owners: KubeObject["metadata"]["ownerReferences"],
): Promise<void> {
  const path = resourcePath(type, target);
  const live = await client.get<KubeObject>(path);
  const ownerReferences = [...(live.metadata.ownerReferences ?? []), ...(owners ?? [])];
  await client.request({
    method: "PATCH",
    path,
    body: JSON.stringify({ metadata: { ownerReferences } }),
    contentType: MERGE_PATCH,
  });
}
