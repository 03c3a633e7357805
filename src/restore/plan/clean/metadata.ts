import type { KubeObject } from "../../../core/kube-types.js";

/**
 * Metadata the API server assigns or maintains itself. A create carrying uid or
 * resourceVersion is rejected ("resourceVersion should not be set on objects to be
 * created"); the others are ignored or meaningless in the new cluster:
 * - generateName: the name is already fixed; kept it would only confuse readers.
 * - managedFields: server-side-apply ownership of the old cluster. Dropping them makes
 *   the restoring client the owner of every field; a later `kubectl apply --server-side`
 *   by the original manager may report conflicts. (Velero re-applies them with a patch
 *   after the create; the apply step could do the same from the original object.)
 * Labels, annotations and finalizers are kept: they are the user's.
 */
const SERVER_METADATA = [
  "uid",
  "resourceVersion",
  "creationTimestamp",
  "generation",
  "managedFields",
  "selfLink",
  "deletionTimestamp",
  "deletionGracePeriodSeconds",
  "generateName",
] as const;

export function resetMetadata(object: KubeObject): void {
  for (const field of SERVER_METADATA) delete object.metadata[field];
}

/**
 * Status is the controllers' report of the old cluster; the new cluster's controllers
 * write their own. The API ignores status on create for most kinds anyway.
 */
export function removeStatus(object: KubeObject): void {
  delete object.status;
}
