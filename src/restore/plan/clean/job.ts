import type { KubeObject } from "../../../core/kube-types.js";
import { deleteKeyAndPruneEmpty, getRecord } from "../json.js";

const CONTROLLER_UID_LABELS = ["controller-uid", "batch.kubernetes.io/controller-uid"];

/**
 * Unless spec.manualSelector is true, the API server generates a Job's selector from
 * the Job's uid (label batch.kubernetes.io/controller-uid, and the legacy controller-uid)
 * and rejects a Job whose selector or template names another uid. The restored Job gets
 * a new uid, so the old labels are removed and the server adds the new ones.
 * spec.manualSelector is not set: the generated selector is what the user had.
 * The Job's own labels lose them too: they were copied from the template by defaulting
 * (a Job without labels gets its template's) and would name a uid that no longer exists.
 * When manualSelector is true, the selector is the user's own and is left as it is.
 */
export function dropControllerUidLabels(job: KubeObject): void {
  const spec = getRecord(job, "spec");
  if (spec === undefined || spec.manualSelector === true) return;
  const selector = getRecord(spec, "selector");
  if (selector !== undefined) {
    for (const label of CONTROLLER_UID_LABELS) deleteKeyAndPruneEmpty(selector, "matchLabels", label);
    if (Object.keys(selector).length === 0) delete spec.selector;
  }
  for (const label of CONTROLLER_UID_LABELS) deleteKeyAndPruneEmpty(job.metadata, "labels", label);
  const templateMetadata = getRecord(spec, "template", "metadata");
  if (templateMetadata !== undefined) {
    for (const label of CONTROLLER_UID_LABELS) deleteKeyAndPruneEmpty(templateMetadata, "labels", label);
  }
}
