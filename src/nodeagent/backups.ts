/**
 * The node agent's PodVolumeBackup reconciler: for each New PodVolumeBackup of this node,
 * it finds the pod's volume under the kubelet's root and copies it into the backup's
 * location as one snapshot (committed last: an agent killed part-way leaves no snapshot).
 * The phase says how it went: Completed, PartiallyFailed (paths that could not be read,
 * each named) or Failed (the reason names the pod and volume).
 */
import type { PodVolumeBackup, PodVolumeBackupStatus } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import type { Logger, Reconciler } from "../server/controller.js";
import { TYPES } from "../server/kinds.js";
import { patchStatus } from "../server/status.js";
import { backupVolume } from "../volumes/fs/index.js";
import type { AgentLocations } from "./locations.js";
import { nodeOf, readPod, volumeDir } from "./pod-volume.js";
import { progressReporter } from "./progress.js";
import { volumeDirMissing } from "./volume-path.js";

export interface AgentDeps {
  readonly client: KubeClient;
  /** The server's namespace, where the PodVolumeBackups and locations are. */
  readonly namespace: string;
  readonly nodeName: string;
  readonly kubeletRoot: string;
  readonly locations: AgentLocations;
  readonly log: Logger;
  readonly now?: () => Date;
}

export class PodVolumeBackupReconciler implements Reconciler {
  readonly name = "pod-volume-backup";
  readonly type = TYPES.podVolumeBackups;
  private readonly running = new Set<string>();

  constructor(private readonly deps: AgentDeps) {}

  /**
   * An InProgress PodVolumeBackup of this node that this process is not running was left by
   * an agent that stopped (crash, restart, eviction): nothing was committed; say so.
   */
  async onSynced(objects: readonly KubeObject[]): Promise<void> {
    for (const pvb of objects as unknown as PodVolumeBackup[]) {
      if (pvb.spec.node !== this.deps.nodeName || pvb.status?.phase !== "InProgress") continue;
      if (this.running.has(pvb.metadata.name)) continue;
      await this.finish(pvb, {
        phase: "Failed",
        message: `the node agent on ${this.deps.nodeName} stopped while copying volume ${pvb.spec.volume} of pod ${podName(pvb)}; nothing was committed; back it up again`,
      });
    }
  }

  async reconcile(_key: string, object: KubeObject | undefined, signal: AbortSignal): Promise<undefined> {
    const pvb = object as PodVolumeBackup | undefined;
    if (!pvb || pvb.spec.node !== this.deps.nodeName || this.running.has(pvb.metadata.name)) return;
    if ((pvb.status?.phase ?? "New") !== "New") return;
    // The cache can lag behind our own writes: only the API server says it is still New.
    const current = await this.deps.client.get<PodVolumeBackup>(
      resourcePath(this.type, { namespace: pvb.metadata.namespace, name: pvb.metadata.name }),
    );
    if ((current.status?.phase ?? "New") !== "New") return;
    this.running.add(pvb.metadata.name);
    try {
      await this.run(current, signal);
    } finally {
      this.running.delete(pvb.metadata.name);
    }
  }

  private async run(pvb: PodVolumeBackup, signal: AbortSignal): Promise<void> {
    const { client, log, nodeName } = this.deps;
    const { spec } = pvb;
    const started = this.now();
    await patchStatus(client, this.type, pvb, { phase: "InProgress", startTimestamp: started.toISOString() });
    log.info("copying pod volume", { backup: spec.backupName, pod: podName(pvb), volume: spec.volume });
    try {
      const pod = await readPod(client, spec.pod);
      if (!pod || nodeOf(pod) !== nodeName) {
        throw new Error(`pod ${podName(pvb)} (UID ${spec.pod.uid}) no longer runs on node ${nodeName}`);
      }
      const dir = await volumeDir(client, { pod, volume: spec.volume, kubeletRoot: this.deps.kubeletRoot });
      if (!dir) throw volumeDirMissing(this.deps.kubeletRoot, spec.pod.uid, spec.volume);
      const repository = await this.deps.locations.repository(spec.storageLocation);
      const { body, stats } = await backupVolume(repository, dir, {
        snapshot: spec.snapshotName,
        source: {
          backup: spec.backupName,
          ...spec.pod,
          pod: spec.pod.name,
          volume: spec.volume,
          node: nodeName,
        },
        signal,
        onProgress: progressReporter(client, { type: this.type, object: pvb }),
        ...(spec.retainUntil ? { retainUntil: new Date(spec.retainUntil) } : {}),
      });
      await this.finish(pvb, {
        phase: body.errorCount > 0 ? "PartiallyFailed" : "Completed",
        progress: { bytesDone: body.totals.bytes, totalBytes: body.totals.bytes },
        files: body.totals.files,
        bytes: body.totals.bytes,
        bytesWritten: stats.bytesWritten,
        errorCount: body.errorCount,
        errors: body.errors.map((e) => e.message),
        ...(body.errorCount > 0
          ? {
              message: `${body.errorCount} paths of volume ${spec.volume} of pod ${podName(pvb)} could not be read`,
            }
          : {}),
      });
      log.info("pod volume copied", { pod: podName(pvb), volume: spec.volume, errors: body.errorCount });
    } catch (err) {
      // Stopping (the agent is shutting down): the status stays InProgress and the next
      // agent on this node marks it Failed; a patch now could race the shutdown.
      if (signal.aborted) return;
      const message = `volume ${spec.volume} of pod ${podName(pvb)} on node ${nodeName}: ${describeError(err)}`;
      await this.finish(pvb, { phase: "Failed", message });
      log.error("pod volume backup failed", { pod: podName(pvb), volume: spec.volume, reason: message });
    }
  }

  private async finish(pvb: PodVolumeBackup, status: Partial<PodVolumeBackupStatus>): Promise<void> {
    await patchStatus(this.deps.client, this.type, pvb, {
      ...status,
      completionTimestamp: this.now().toISOString(),
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

export function podName(object: { spec: { pod: { namespace: string; name: string } } }): string {
  return `${object.spec.pod.namespace}/${object.spec.pod.name}`;
}
