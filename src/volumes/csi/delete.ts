import type { KubeClient } from "../../cluster/client.js";
import { resourcePath } from "../../cluster/paths.js";
import { describeError, isKubesnapError } from "../../core/errors.js";
import type { CsiSnapshotVolume, VolumeRecord } from "../record.js";
import { BEING_DELETED_ANNOTATION, TYPES, type VolumeSnapshotContent } from "./kinds.js";
import { deleteIfPresent, findObject, MERGE_PATCH } from "./objects.js";
import { type Clock, pollUntil, systemClock } from "./wait.js";

export interface DeleteSnapshotsDeps {
  readonly client: KubeClient;
  /** How long each driver snapshot may take to be deleted. */
  readonly timeoutMs: number;
  readonly clock?: Clock;
}

/**
 * Deletes the driver's snapshots of a backup: each retained VolumeSnapshotContent is switched
 * to deletionPolicy Delete, marked as being deleted (what the snapshot controller does when a
 * VolumeSnapshot goes; the csi-snapshotter sidecar calls the driver's DeleteSnapshot only for
 * a content so marked) and deleted; it is gone once the driver has deleted the snapshot.
 * A content already gone is fine (a retry, or someone deleted it); one that now holds another
 * snapshot is left alone. Returns one message per snapshot that may remain.
 */
export async function deleteSnapshots(
  volumes: readonly VolumeRecord[] | undefined,
  deps: DeleteSnapshotsDeps,
): Promise<string[]> {
  const problems: string[] = [];
  for (const volume of volumes ?? []) {
    if (volume.kind !== "csi-snapshot") continue;
    try {
      await deleteOne(volume, deps);
    } catch (err) {
      problems.push(
        `snapshot ${volume.snapshotHandle} of PVC ${volume.namespace}/${volume.pvc} (VolumeSnapshotContent ${volume.content}) may remain: ${describeError(err)}`,
      );
    }
  }
  return problems;
}

async function deleteOne(volume: CsiSnapshotVolume, deps: DeleteSnapshotsDeps): Promise<void> {
  const { client } = deps;
  const path = resourcePath(TYPES.contents, { name: volume.content });
  const content = await findObject<VolumeSnapshotContent>(client, path);
  if (!content) return;
  if (content.status?.snapshotHandle !== volume.snapshotHandle) {
    throw new Error(
      `the content now holds snapshot ${content.status?.snapshotHandle ?? "(none)"}; left alone`,
    );
  }
  await client.request({
    method: "PATCH",
    path,
    contentType: MERGE_PATCH,
    body: JSON.stringify({
      metadata: { annotations: { [BEING_DELETED_ANNOTATION]: "yes" } },
      spec: { deletionPolicy: "Delete" },
    }),
  });
  await deleteIfPresent(client, path);
  await pollUntil(deps.clock ?? systemClock, deps.timeoutMs, async () =>
    (await findObject(client, path)) === undefined ? true : undefined,
  ).catch((err: unknown) => {
    if (!isKubesnapError(err, "Timeout")) throw err;
    throw new Error(
      `the content was still there after ${deps.timeoutMs / 1000} s; check the ${volume.driver} driver's csi-snapshotter sidecar`,
    );
  });
}
