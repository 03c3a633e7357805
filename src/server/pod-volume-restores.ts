/**
 * The file-system step of a restore the server runs: restored pods with file-system
 * volumes get the waiting init container, and once each is created, one PodVolumeRestore
 * per volume, which the node agent of the node the pod is scheduled to carries out. The
 * restore then waits for them (bounded by the fs-backup timeout); a volume not restored,
 * or only in part, is an error for its pod, so the restore ends PartiallyFailed.
 */
import type { PodVolumeRestore, PodVolumeRestoreSpec, Restore } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { listObjects } from "../cluster/list.js";
import { resourcePath } from "../cluster/paths.js";
import { formatGoDuration } from "../core/duration.js";
import { isKubesnapError } from "../core/errors.js";
import {
  fsVolumesByPod,
  type PodVolumeRestoreStep,
  type PodVolumeRunContext,
  type RestoredPod,
  withoutRestoreWait,
  withRestoreWait,
} from "../volumes/fs/index.js";
import type { VolumeRecord } from "../volumes/index.js";
import { LABELS, TYPES } from "./kinds.js";
import { podVolumeObjectName } from "./pod-volume-backups.js";
import { patchStatus } from "./status.js";

export interface PodVolumeRestoreOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly restore: Restore;
  readonly backupName: string;
  readonly storageLocation: string;
  /** The backup's volume records: which pods' volumes have file-system backups. */
  readonly volumes: readonly VolumeRecord[] | undefined;
  /** The image of the init container (kubesnap's own, which has `kubesnap restore-wait`). */
  readonly image: string;
  readonly timeoutMs: number;
  readonly pollMs?: number;
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** On PodVolumeRestores: the Restore they belong to. */
export const RESTORE_LABEL = "kubesnap.io/restore-name";

const FINISHED = new Set(["Completed", "PartiallyFailed", "Failed"]);

export function serverPodVolumeRestoreStep(options: PodVolumeRestoreOptions): PodVolumeRestoreStep {
  const byPod = fsVolumesByPod(options.volumes);
  const created: PodVolumeRestore[] = [];
  return {
    prepare(source, pod) {
      const records = byPod.get(`${source.namespace}/${source.name}`);
      if (!records) return withoutRestoreWait(pod);
      return withRestoreWait(pod, {
        volumes: records.map((r) => r.volume),
        image: options.image,
      });
    },
    async created(pod) {
      for (const record of byPod.get(`${pod.source.namespace}/${pod.source.name}`) ?? []) {
        created.push(await create(pod, { volume: record.volume, snapshot: record.snapshot }, options));
      }
    },
    async finish(ctx) {
      if (created.length === 0) return;
      ctx.log.info(`file-system restore: ${created.length} pod volumes handed to node agents`);
      const finished = await waitForAll(created, options, ctx);
      for (const pvr of created) report(finished.get(pvr.metadata.name) ?? pvr, ctx);
    },
  };
}

async function create(
  pod: RestoredPod,
  what: { volume: string; snapshot: string },
  options: PodVolumeRestoreOptions,
): Promise<PodVolumeRestore> {
  const restoreName = options.restore.metadata.name;
  const spec: PodVolumeRestoreSpec = {
    restoreName,
    backupName: options.backupName,
    pod: pod.target,
    volume: what.volume,
    storageLocation: options.storageLocation,
    snapshotName: what.snapshot,
  };
  const object: PodVolumeRestore = {
    apiVersion: "kubesnap.io/v1",
    kind: "PodVolumeRestore",
    metadata: {
      name: podVolumeObjectName(restoreName, pod.target.uid, what.volume),
      namespace: options.namespace,
      labels: { [RESTORE_LABEL]: restoreName, [LABELS.backup]: options.backupName },
      ownerReferences: [
        {
          apiVersion: "kubesnap.io/v1",
          kind: "Restore",
          name: restoreName,
          uid: options.restore.metadata.uid ?? "",
          controller: true,
        },
      ],
    },
    spec,
  };
  try {
    return await options.client.request<PodVolumeRestore>({
      method: "POST",
      path: resourcePath(TYPES.podVolumeRestores, { namespace: options.namespace }),
      body: JSON.stringify(object),
    });
  } catch (err) {
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
    return object;
  }
}

/** Polls the restore's PodVolumeRestores until all have finished, the timeout passes, or the run stops. */
async function waitForAll(
  wanted: readonly PodVolumeRestore[],
  options: PodVolumeRestoreOptions,
  ctx: PodVolumeRunContext,
): Promise<Map<string, PodVolumeRestore>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  const names = new Set(wanted.map((w) => w.metadata.name));
  const finished = new Map<string, PodVolumeRestore>();
  for (;;) {
    for await (const object of listObjects(options.client, TYPES.podVolumeRestores, {
      namespace: options.namespace,
      labelSelector: `${RESTORE_LABEL}=${options.restore.metadata.name}`,
    })) {
      const pvr = object as PodVolumeRestore;
      if (names.has(pvr.metadata.name) && FINISHED.has(pvr.status?.phase ?? "New")) {
        finished.set(pvr.metadata.name, pvr);
      }
    }
    if (finished.size === names.size || ctx.signal?.aborted) return finished;
    if (now() >= deadline) break;
    await sleep(options.pollMs ?? 1000);
  }
  // A pod never scheduled, or a node without an agent: the restore stops waiting, and says so.
  const message = `not restored within --fs-backup-timeout (${formatGoDuration(options.timeoutMs)}): the pod was not scheduled, or no node agent took it`;
  for (const pvr of wanted) {
    if (finished.has(pvr.metadata.name)) continue;
    const status = { ...pvr.status, phase: "Failed" as const, message };
    await patchStatus(options.client, TYPES.podVolumeRestores, pvr, status).catch(() => undefined);
    finished.set(pvr.metadata.name, { ...pvr, status });
  }
  return finished;
}

function report(pvr: PodVolumeRestore, ctx: PodVolumeRunContext): void {
  const { spec, status } = pvr;
  const ref = { resource: "pods", namespace: spec.pod.namespace, name: spec.pod.name };
  if (status?.phase === "Completed") {
    ctx.log.info(
      `restored volume ${spec.volume} of pod ${spec.pod.namespace}/${spec.pod.name}: ${status.files ?? 0} files`,
    );
    return;
  }
  const paths = (status?.errors ?? []).slice(0, 5).join("; ");
  const detail =
    status?.phase === "PartiallyFailed"
      ? `${status.errorCount ?? 0} paths could not be restored: ${paths}`
      : (status?.message ?? "no node agent restored it");
  ctx.log.error(ctx.results.error(ref, `volume ${spec.volume}: ${detail}`));
}
