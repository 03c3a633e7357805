/**
 * Progress into a PodVolumeBackup's or PodVolumeRestore's status, at most every
 * PROGRESS_EVERY_MS: a volume of many small files reports progress thousands of times a
 * second, and each patch is an API request. A patch that fails is dropped; the next one
 * carries the newer figures.
 */
import type { KubeClient } from "../cluster/client.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import { patchStatus } from "../server/status.js";

const PROGRESS_EVERY_MS = 2000;

export function progressReporter(
  client: KubeClient,
  target: { type: ResourceType; object: Pick<KubeObject, "metadata"> },
  now: () => number = Date.now,
): (progress: { bytesDone: number; totalBytes: number }) => void {
  let last = now();
  return ({ bytesDone, totalBytes }) => {
    if (now() - last < PROGRESS_EVERY_MS) return;
    last = now();
    void patchStatus(client, target.type, target.object, { progress: { bytesDone, totalBytes } }).catch(
      () => undefined,
    );
  };
}
