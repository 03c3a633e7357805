/**
 * The file-system step of a backup the server runs: one PodVolumeBackup per chosen pod
 * volume, which the node agent on the pod's node carries out (it alone can read the
 * volume, under its kubelet's root), then a wait for all of them, bounded by the
 * fs-backup timeout. Each becomes an fs-backup record of the backup; a volume that could
 * not be copied, or only in part, is an error for its pod, so the backup ends
 * PartiallyFailed and never claims Completed.
 */
import { createHash } from "node:crypto";
import type { Backup, PodVolumeBackup, PodVolumeBackupSpec } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { listObjects } from "../cluster/list.js";
import { resourcePath } from "../cluster/paths.js";
import { formatGoDuration } from "../core/duration.js";
import { isKubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import {
  PodVolumeChoices,
  type PodVolumeRunContext,
  type PodVolumeStep,
  podRef,
  volumeSnapshotName,
} from "../volumes/fs/index.js";
import type { FsBackupVolume, VolumePolicy } from "../volumes/index.js";
import { LABELS, TYPES } from "./kinds.js";
import { patchStatus } from "./status.js";

/** Velero's default --fs-backup-timeout: a large volume's first copy can take hours. */
export const DEFAULT_FS_BACKUP_TIMEOUT_MS = 4 * 3600_000;

/** On PodVolumeBackups: the pod's UID, so a pod's backups are listed with a selector. */
export const POD_UID_LABEL = "kubesnap.io/pod-uid";

export interface PodVolumeBackupOptions {
  readonly client: KubeClient;
  /** The server's namespace: PodVolumeBackups live beside the Backup. */
  readonly namespace: string;
  readonly backup: Backup;
  readonly storageLocation: string;
  readonly retainUntil: Date;
  readonly defaultVolumesToFsBackup: boolean;
  /** Volume policies: a claim they give fs-backup is copied from the pods that mount it. */
  readonly volumePolicies?: readonly VolumePolicy[];
  readonly timeoutMs: number;
  readonly pollMs?: number;
  /** Time and waiting, injected so tests control them. */
  readonly now?: () => number;
  readonly sleep?: (ms: number) => Promise<void>;
}

const FINISHED = new Set(["Completed", "PartiallyFailed", "Failed"]);

export function serverPodVolumeStep(options: PodVolumeBackupOptions): PodVolumeStep {
  const choices = new PodVolumeChoices({
    defaultVolumesToFsBackup: options.defaultVolumesToFsBackup,
    ...(options.volumePolicies ? { volumePolicies: options.volumePolicies } : {}),
  });
  return {
    noteItem: (item, type) => choices.noteItem(item, type),
    run: (ctx) => runPodVolumeBackups(choices, options, ctx),
  };
}

async function runPodVolumeBackups(
  choices: PodVolumeChoices,
  options: PodVolumeBackupOptions,
  ctx: PodVolumeRunContext,
): Promise<FsBackupVolume[]> {
  choices.reportRefused(ctx);
  const wanted: PodVolumeBackup[] = [];
  const claims = new Map<string, string>();
  for (const { pod, volumes } of choices.pods) {
    const node = (pod.spec as { nodeName?: string } | undefined)?.nodeName;
    if (!node || !pod.metadata.uid) {
      const names = volumes.map((v) => v.volume).join(", ");
      ctx.log.error(
        ctx.results.error(
          podRef(pod),
          `volumes ${names} cannot be copied: the pod is not scheduled to a node, so no node agent can read them`,
        ),
      );
      continue;
    }
    for (const { volume, pvc } of volumes) {
      const pvb = await create(pod, { node, volume }, options);
      wanted.push(pvb);
      if (pvc) claims.set(pvb.metadata.name, pvc);
    }
  }
  if (wanted.length === 0) return [];
  ctx.log.info(`file-system backup: ${wanted.length} pod volumes handed to node agents`);
  const finished = await waitForAll(wanted, options, ctx);
  return wanted.map((pvb) =>
    record(finished.get(pvb.metadata.name) ?? pvb, claims.get(pvb.metadata.name), ctx),
  );
}

async function create(
  pod: KubeObject,
  where: { node: string; volume: string },
  options: PodVolumeBackupOptions,
): Promise<PodVolumeBackup> {
  const { backup, namespace } = options;
  const backupName = backup.metadata.name;
  const uid = pod.metadata.uid as string;
  const spec: PodVolumeBackupSpec = {
    backupName,
    node: where.node,
    pod: { namespace: pod.metadata.namespace ?? "", name: pod.metadata.name, uid },
    volume: where.volume,
    storageLocation: options.storageLocation,
    snapshotName: volumeSnapshotName(backupName, uid, where.volume),
    retainUntil: options.retainUntil.toISOString(),
  };
  const object: PodVolumeBackup = {
    apiVersion: "kubesnap.io/v1",
    kind: "PodVolumeBackup",
    metadata: {
      name: podVolumeObjectName(backupName, uid, where.volume),
      namespace,
      labels: { [LABELS.backup]: backupName, [POD_UID_LABEL]: uid },
      // Deleted with its Backup by Kubernetes' garbage collector.
      ownerReferences: [
        {
          apiVersion: "kubesnap.io/v1",
          kind: "Backup",
          name: backupName,
          uid: backup.metadata.uid ?? "",
          controller: true,
        },
      ],
    },
    spec,
  };
  try {
    return await options.client.request<PodVolumeBackup>({
      method: "POST",
      path: resourcePath(TYPES.podVolumeBackups, { namespace }),
      body: JSON.stringify(object),
    });
  } catch (err) {
    // A server that restarted mid-backup made it already; the name is derived, so it is the same one.
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
    return object;
  }
}

/**
 * "<backup>-<10 hex>": names must be DNS subdomains of at most 253 characters, and a
 * backup name (≤ 63) plus a hash of the pod UID and volume always is one.
 */
export function podVolumeObjectName(parent: string, podUid: string, volume: string): string {
  return `${parent}-${createHash("sha256").update(`${podUid}/${volume}`).digest("hex").slice(0, 10)}`;
}

/** Polls the backup's PodVolumeBackups until all have finished, the timeout passes, or the run stops. */
async function waitForAll(
  wanted: readonly PodVolumeBackup[],
  options: PodVolumeBackupOptions,
  ctx: PodVolumeRunContext,
): Promise<Map<string, PodVolumeBackup>> {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const deadline = now() + options.timeoutMs;
  const names = new Set(wanted.map((w) => w.metadata.name));
  const finished = new Map<string, PodVolumeBackup>();
  for (;;) {
    for await (const object of listObjects(options.client, TYPES.podVolumeBackups, {
      namespace: options.namespace,
      labelSelector: `${LABELS.backup}=${options.backup.metadata.name}`,
    })) {
      const pvb = object as PodVolumeBackup;
      if (!names.has(pvb.metadata.name) || finished.has(pvb.metadata.name)) continue;
      if (FINISHED.has(pvb.status?.phase ?? "New")) finished.set(pvb.metadata.name, pvb);
    }
    if (finished.size === names.size || ctx.signal?.aborted) return finished;
    if (now() >= deadline) break;
    await sleep(options.pollMs ?? 1000);
  }
  // The node agent of a node that is gone, or never ran, would leave the rest New forever;
  // marked Failed, none starts later and writes data no backup refers to.
  const message = `no node agent finished it within --fs-backup-timeout (${formatGoDuration(options.timeoutMs)})`;
  for (const pvb of wanted) {
    if (finished.has(pvb.metadata.name)) continue;
    const failed = { ...pvb, status: { ...pvb.status, phase: "Failed" as const, message } };
    await patchStatus(options.client, TYPES.podVolumeBackups, pvb, failed.status).catch(() => undefined);
    finished.set(pvb.metadata.name, failed);
  }
  return finished;
}

/** The backup's record of one volume; anything short of Completed is an error for the pod. */
function record(pvb: PodVolumeBackup, pvc: string | undefined, ctx: PodVolumeRunContext): FsBackupVolume {
  const { spec } = pvb;
  const status = pvb.status;
  const phase =
    status?.phase === "Completed" || status?.phase === "PartiallyFailed" ? status.phase : "Failed";
  const ref = { resource: "pods", namespace: spec.pod.namespace, name: spec.pod.name };
  if (phase === "Completed") {
    ctx.log.info(
      `copied volume ${spec.volume} of pod ${spec.pod.namespace}/${spec.pod.name}: ${status?.bytes ?? 0} bytes`,
    );
  } else {
    const paths = (status?.errors ?? []).slice(0, 5).join("; ");
    const detail =
      phase === "Failed"
        ? (status?.message ?? "the node agent gave no reason")
        : `${status?.errorCount ?? 0} paths could not be copied: ${paths}`;
    ctx.log.error(ctx.results.error(ref, `volume ${spec.volume} on node ${spec.node}: ${detail}`));
  }
  return {
    kind: "fs-backup",
    namespace: spec.pod.namespace,
    ...(pvc ? { pvc } : {}),
    pod: spec.pod.name,
    podUid: spec.pod.uid,
    volume: spec.volume,
    node: spec.node,
    snapshot: spec.snapshotName,
    phase,
    files: status?.files ?? 0,
    bytes: status?.bytes ?? 0,
    errors: status?.errorCount ?? 0,
    ...(status?.message ? { message: status.message } : {}),
  };
}
