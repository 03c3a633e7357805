import type { KubeClient } from "../../cluster/client.js";
import { resourcePath } from "../../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../../core/errors.js";
import type { RunLog } from "../../report/log.js";
import type { Results } from "../../report/results.js";
import { type SnapshotClass, TYPES, type VolumeSnapshot } from "./kinds.js";
import { createOnce } from "./objects.js";
import { type SnapshotSource, snapshotSourceObjects } from "./restore-plan.js";
import { restoreSnapshotClass } from "./snapshot-class.js";
import { type Clock, pollUntil, systemClock } from "./wait.js";

export interface SnapshotSourceDeps {
  readonly client: KubeClient;
  readonly names: { readonly backup: string; readonly restore: string };
  readonly results: Results;
  readonly log: RunLog;
  /** How long the snapshot controller may take to bind each VolumeSnapshot to its content. */
  readonly timeoutMs: number;
  readonly clock?: Clock;
}

/**
 * Creates the VolumeSnapshotContent and VolumeSnapshot of each source and waits until the
 * snapshot is ready, before the claims are created: the provisioner backs off (up to five
 * minutes) from a claim whose snapshot is not ready yet. A source that fails is an error
 * for its claim, which is still created (it binds once the snapshot is ready).
 */
export async function createSnapshotSources(
  sources: readonly SnapshotSource[],
  deps: SnapshotSourceDeps,
): Promise<void> {
  if (sources.length === 0) return;
  const classes = listClasses(deps.client);
  await Promise.all(
    sources.map(async (source) => {
      const ref = {
        resource: "persistentvolumeclaims",
        namespace: source.targetNamespace,
        name: source.volume.pvc,
      };
      try {
        const className = restoreSnapshotClass(source.volume.driver, source.volume.class, await classes);
        const { content, snapshot } = snapshotSourceObjects(source, deps.names, className);
        await createOnce(deps.client, resourcePath(TYPES.contents), content);
        await createOnce(
          deps.client,
          resourcePath(TYPES.snapshots, { namespace: source.targetNamespace }),
          snapshot,
        );
        await waitReady(source, deps);
        deps.log.info(
          `PVC ${source.targetNamespace}/${source.volume.pvc} is provisioned from snapshot ${source.volume.snapshotHandle} (VolumeSnapshot ${source.name})`,
        );
      } catch (err) {
        deps.log.error(deps.results.error(ref, err));
      }
    }),
  );
}

/**
 * The cluster's VolumeSnapshotClasses, read once per restore. A cluster that does not serve
 * the snapshot API at all cannot provision from a snapshot: each claim's error says so.
 */
async function listClasses(client: KubeClient): Promise<SnapshotClass[]> {
  try {
    return (await client.get<{ items: SnapshotClass[] }>(resourcePath(TYPES.classes))).items;
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    throw new KubesnapError(
      "NotFound",
      "this cluster does not serve the VolumeSnapshot API (snapshot.storage.k8s.io)",
      {
        hint: "install the CSI snapshot CRDs and snapshot-controller, or restore with --restore-volumes=false",
        cause: err,
      },
    );
  }
}

async function waitReady(source: SnapshotSource, deps: SnapshotSourceDeps): Promise<void> {
  const path = resourcePath(TYPES.snapshots, { namespace: source.targetNamespace, name: source.name });
  let last: VolumeSnapshot | undefined;
  await pollUntil(deps.clock ?? systemClock, deps.timeoutMs, async () => {
    last = await deps.client.get<VolumeSnapshot>(path);
    return last.status?.readyToUse === true ? true : undefined;
  }).catch((err: unknown) => {
    if (!isKubesnapError(err, "Timeout")) throw err;
    const why = last?.status?.error?.message;
    throw new KubesnapError(
      "Timeout",
      `VolumeSnapshot ${source.targetNamespace}/${source.name} of snapshot ${source.volume.snapshotHandle} was not ready within ${deps.timeoutMs / 1000} s${why ? `: ${why}` : ""}`,
      {
        hint: `check that the ${source.volume.driver} driver and its csi-snapshotter sidecar run in this cluster`,
      },
    );
  });
}
