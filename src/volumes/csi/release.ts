import { resourcePath } from "../../cluster/paths.js";
import { isKubesnapError } from "../../core/errors.js";
import type { KubeObject } from "../../core/kube-types.js";
import { TYPES } from "./kinds.js";
import { deleteIfPresent, findObject } from "./objects.js";
import type { SnapshotSourceDeps } from "./restore.js";
import type { SnapshotSource } from "./restore-plan.js";
import { pollUntil, systemClock } from "./wait.js";

type Claim = KubeObject & { status?: { phase?: string } };

/** How long a restore waits for its snapshot-provisioned claims to bind before leaving their snapshots. */
export const CLAIM_BIND_WAIT_MS = 120_000;

/**
 * Removes the VolumeSnapshot and VolumeSnapshotContent a restored claim was provisioned from,
 * once the claim is Bound (the driver has made the volume; the provisioner refuses a snapshot
 * being deleted before that). Left behind, every restore would add a pair per claim to the
 * user's namespace and cluster. The content is Retain, so deleting both leaves the driver's
 * snapshot to the backup that holds it. A claim not bound within deps.timeoutMs (a storage
 * class that binds when a pod is scheduled) keeps its pair, with a warning that says so.
 */
export async function releaseSnapshotSources(
  sources: readonly SnapshotSource[],
  deps: SnapshotSourceDeps,
): Promise<void> {
  await Promise.all(
    sources.map(async (source) => {
      const claim = `${source.targetNamespace}/${source.volume.pvc}`;
      const ref = {
        resource: "persistentvolumeclaims",
        namespace: source.targetNamespace,
        name: source.volume.pvc,
      };
      try {
        if (!(await bound(source, deps))) {
          deps.log.warn(
            deps.results.warning(
              ref,
              `VolumeSnapshot ${source.targetNamespace}/${source.name} and VolumeSnapshotContent ${source.name} stay: claim ${claim} was not bound within ${deps.timeoutMs / 1000} s; delete them once it is (the content is Retain: the backup's snapshot stays)`,
            ),
          );
          return;
        }
        await deleteIfPresent(
          deps.client,
          resourcePath(TYPES.snapshots, { namespace: source.targetNamespace, name: source.name }),
        );
        await deleteIfPresent(deps.client, resourcePath(TYPES.contents, { name: source.name }));
      } catch (err) {
        deps.log.warn(
          deps.results.warning(
            ref,
            `the VolumeSnapshot it was provisioned from could not be removed: ${String(err)}`,
          ),
        );
      }
    }),
  );
}

/** True once the claim is Bound; also true when it does not exist (nothing will use the snapshot). */
async function bound(source: SnapshotSource, deps: SnapshotSourceDeps): Promise<boolean> {
  const path = resourcePath(TYPES.claims, { namespace: source.targetNamespace, name: source.volume.pvc });
  try {
    await pollUntil(deps.clock ?? systemClock, deps.timeoutMs, async () => {
      const claim = await findObject<Claim>(deps.client, path);
      return claim === undefined || claim.status?.phase === "Bound" ? true : undefined;
    });
    return true;
  } catch (err) {
    if (isKubesnapError(err, "Timeout")) return false;
    throw err;
  }
}
