import { createHash } from "node:crypto";
import type { KubeClient } from "../../cluster/client.js";
import { resourcePath } from "../../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../../core/errors.js";
import { BACKUP_NAME_LABEL, labelValueFor } from "../../restore/plan/restore-labels.js";
import type { CsiSnapshotVolume, VolumeClaim } from "../record.js";
import { TYPES, type VolumeSnapshot, type VolumeSnapshotContent } from "./kinds.js";
import { findObject, MERGE_PATCH } from "./objects.js";
import { ensureRetainClass } from "./retain-class.js";
import { type Clock, pollUntil } from "./wait.js";

export interface TakeDeps {
  readonly client: KubeClient;
  readonly backupName: string;
  /** How long the snapshot may take to be ready (--item-operation-timeout). */
  readonly timeoutMs: number;
  readonly clock: Clock;
}

/** A claim the policy chose to snapshot, with what the snapshot needs. */
export interface SnapshotRequest extends VolumeClaim {
  readonly driver: string;
  readonly className: string;
}

/**
 * Takes one CSI snapshot and keeps only what outlives the backup's namespace: creates a
 * VolumeSnapshot of the claim with the Retain twin of its class (retain-class.ts), waits
 * until it is ready, and deletes the VolumeSnapshot. A VolumeSnapshot left in place would
 * take the driver's snapshot with it when its namespace is deleted (the very disaster the
 * backup is for), since classes usually say Delete. The content stays, labelled with the
 * backup, until the backup is deleted (see deleteSnapshots).
 */
export async function takeSnapshot(request: SnapshotRequest, deps: TakeDeps): Promise<CsiSnapshotVolume> {
  const { client } = deps;
  const name = snapshotName(deps.backupName, request);
  const className = await ensureRetainClass(client, request.className);
  const path = resourcePath(TYPES.snapshots, { namespace: request.namespace, name });
  await client.request({
    method: "POST",
    path: resourcePath(TYPES.snapshots, { namespace: request.namespace }),
    body: JSON.stringify({
      apiVersion: "snapshot.storage.k8s.io/v1",
      kind: "VolumeSnapshot",
      metadata: {
        name,
        namespace: request.namespace,
        labels: { [BACKUP_NAME_LABEL]: labelValueFor(deps.backupName) },
      },
      spec: {
        volumeSnapshotClassName: className,
        source: { persistentVolumeClaimName: request.pvc },
      },
    }),
  });
  let retained = false;
  try {
    const ready = await waitReady(path, request, deps);
    const contentName = ready.status?.boundVolumeSnapshotContentName ?? "";
    const content = await client.get<VolumeSnapshotContent>(
      resourcePath(TYPES.contents, { name: contentName }),
    );
    const snapshotHandle = content.status?.snapshotHandle;
    if (!snapshotHandle) {
      throw new KubesnapError(
        "Internal",
        `VolumeSnapshotContent ${contentName} is ready but names no snapshot handle`,
      );
    }
    await client.request({
      method: "PATCH",
      path: resourcePath(TYPES.contents, { name: contentName }),
      contentType: MERGE_PATCH,
      body: JSON.stringify({
        metadata: { labels: { [BACKUP_NAME_LABEL]: labelValueFor(deps.backupName) } },
        spec: { deletionPolicy: "Retain" },
      }),
    });
    retained = true;
    await client.request({ method: "DELETE", path });
    await waitGone(path, contentName, deps);
    return {
      kind: "csi-snapshot",
      namespace: request.namespace,
      pvc: request.pvc,
      ...(request.volumeName ? { volumeName: request.volumeName } : {}),
      driver: request.driver,
      snapshotHandle,
      ...(ready.status?.restoreSize ? { restoreSize: ready.status.restoreSize } : {}),
      class: request.className,
      content: contentName,
    };
  } catch (err) {
    if (!retained) await discard(path, client).catch(() => undefined);
    throw err;
  }
}

/**
 * Undoes a snapshot that will not be recorded. Its content is Retain from birth (the class's
 * twin), so deleting the VolumeSnapshot alone would leave the content, and the driver's
 * snapshot if it is ever cut, with nothing to delete them: switched to Delete first, both go
 * with the VolumeSnapshot.
 */
async function discard(path: string, client: KubeClient): Promise<void> {
  const contentName = (await findObject<VolumeSnapshot>(client, path))?.status
    ?.boundVolumeSnapshotContentName;
  if (contentName) {
    await client
      .request({
        method: "PATCH",
        path: resourcePath(TYPES.contents, { name: contentName }),
        contentType: MERGE_PATCH,
        body: JSON.stringify({ spec: { deletionPolicy: "Delete" } }),
      })
      // Gone already, or not ours to change: the VolumeSnapshot goes all the same.
      .catch(() => undefined);
  }
  await client.request({ method: "DELETE", path });
}

async function waitReady(path: string, request: SnapshotRequest, deps: TakeDeps): Promise<VolumeSnapshot> {
  let last: VolumeSnapshot | undefined;
  try {
    return await pollUntil(deps.clock, deps.timeoutMs, async () => {
      last = await deps.client.get<VolumeSnapshot>(path);
      return last.status?.readyToUse === true ? last : undefined;
    });
  } catch (err) {
    if (!isKubesnapError(err, "Timeout")) throw err;
    const why = last?.status?.error?.message;
    throw new KubesnapError(
      "Timeout",
      `The snapshot of PVC ${request.namespace}/${request.pvc} was not ready within ${deps.timeoutMs / 1000} s${why ? `: ${why}` : ""}`,
      {
        hint: "check the CSI driver's snapshotter sidecar, or allow more time with --item-operation-timeout",
      },
    );
  }
}

/**
 * The VolumeSnapshot is gone once the snapshot controller has let go of it; its content must
 * still be there. A controller that had not yet seen the Retain policy deletes the content
 * too (the driver's snapshot stays, as the sidecar does see Retain), and the backup must
 * not record a content it cannot delete later.
 */
async function waitGone(path: string, contentName: string, deps: TakeDeps): Promise<void> {
  await pollUntil(deps.clock, deps.timeoutMs, async () =>
    (await findObject(deps.client, path)) ? undefined : true,
  );
  if (!(await findObject(deps.client, resourcePath(TYPES.contents, { name: contentName })))) {
    throw new KubesnapError(
      "Conflict",
      `VolumeSnapshotContent ${contentName} was deleted with its VolumeSnapshot, before the snapshot controller saw its Retain policy`,
      { hint: "run the backup again; the driver may still hold the snapshot it names" },
    );
  }
}

/**
 * "<backup>-<8 hex of namespace/claim>": unique per claim within a backup, recognisable, and
 * within the 253 characters of a name (backup names are at most 63).
 */
export function snapshotName(backupName: string, claim: Pick<VolumeClaim, "namespace" | "pvc">): string {
  const digest = createHash("sha256").update(`${claim.namespace}/${claim.pvc}`).digest("hex");
  return `${backupName}-${digest.slice(0, 8)}`;
}
