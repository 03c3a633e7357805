/**
 * The node agent's PodVolumeRestore reconciler. A restored pod is created first, then its
 * PodVolumeRestores; the agent of whichever node the pod is scheduled to takes each one
 * once the kubelet has made the volume's directory and the pod's marker emptyDir (until
 * then it looks again every WAIT_MS), writes the files into the volume, and leaves the
 * marker the pod's init container waits for, whether the restore worked or not (marker.ts).
 */
import type { PodVolumeRestore, PodVolumeRestoreStatus } from "../api/index.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import type { ReconcileResult, Reconciler } from "../server/controller.js";
import { TYPES } from "../server/kinds.js";
import { patchStatus } from "../server/status.js";
import { RESTORE_WAIT, restoreTree } from "../volumes/fs/index.js";
import { type AgentDeps, podName } from "./backups.js";
import { writeMarker } from "./marker.js";
import { nodeOf, readPod, volumeDir } from "./pod-volume.js";
import { progressReporter } from "./progress.js";

/** How often a restore looks again for its pod's node and volume directory. */
const WAIT_MS = 1000;

export class PodVolumeRestoreReconciler implements Reconciler {
  readonly name = "pod-volume-restore";
  readonly type = TYPES.podVolumeRestores;
  private readonly running = new Set<string>();

  constructor(private readonly deps: AgentDeps) {}

  /** A restore this node's agent was running when it stopped is started again: writing the files twice does no harm. */
  async onSynced(objects: readonly KubeObject[]): Promise<void> {
    for (const pvr of objects as unknown as PodVolumeRestore[]) {
      if (pvr.status?.phase !== "InProgress" || pvr.status.node !== this.deps.nodeName) continue;
      if (this.running.has(pvr.metadata.name)) continue;
      await patchStatus(this.deps.client, this.type, pvr, { phase: "New" });
    }
  }

  async reconcile(
    _key: string,
    object: KubeObject | undefined,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const pvr = object as PodVolumeRestore | undefined;
    if (!pvr || this.running.has(pvr.metadata.name) || (pvr.status?.phase ?? "New") !== "New")
      return undefined;
    const { client, nodeName, kubeletRoot } = this.deps;
    const pod = await readPod(client, pvr.spec.pod);
    if (!pod) {
      await this.finish(pvr, {
        phase: "Failed",
        message: `pod ${podName(pvr)} (UID ${pvr.spec.pod.uid}) is gone`,
      });
      return undefined;
    }
    const node = nodeOf(pod);
    // Not scheduled yet: look again. Scheduled elsewhere: that node's agent restores it.
    if (!node) return { requeueAfterMs: WAIT_MS };
    if (node !== nodeName) return undefined;
    let dirs: { volume: string | undefined; markers: string | undefined };
    try {
      dirs = {
        volume: await volumeDir(client, { pod, volume: pvr.spec.volume, kubeletRoot }),
        markers: await volumeDir(client, { pod, volume: RESTORE_WAIT, kubeletRoot }),
      };
    } catch (err) {
      await this.finish(pvr, { phase: "Failed", message: this.failure(pvr, err) });
      return undefined;
    }
    // The kubelet has not made the volumes yet.
    if (!dirs.volume || !dirs.markers) return { requeueAfterMs: WAIT_MS };
    const current = await client.get<PodVolumeRestore>(
      resourcePath(this.type, { namespace: pvr.metadata.namespace, name: pvr.metadata.name }),
    );
    if ((current.status?.phase ?? "New") !== "New") return undefined;
    this.running.add(pvr.metadata.name);
    try {
      await this.run(current, { volume: dirs.volume, markers: dirs.markers }, signal);
    } finally {
      this.running.delete(pvr.metadata.name);
    }
    return undefined;
  }

  private async run(
    pvr: PodVolumeRestore,
    dirs: { volume: string; markers: string },
    signal: AbortSignal,
  ): Promise<void> {
    const { client, log, nodeName } = this.deps;
    const { spec } = pvr;
    await patchStatus(client, this.type, pvr, {
      phase: "InProgress",
      node: nodeName,
      startTimestamp: this.now().toISOString(),
    });
    log.info("restoring pod volume", { restore: spec.restoreName, pod: podName(pvr), volume: spec.volume });
    try {
      const repository = await this.deps.locations.repository(spec.storageLocation);
      const result = await restoreTree(repository, spec.snapshotName, dirs.volume, {
        signal,
        onProgress: progressReporter(client, { type: this.type, object: pvr }),
      });
      const partial = result.errorCount > 0;
      const message = partial
        ? `${result.errorCount} paths of volume ${spec.volume} of pod ${podName(pvr)} could not be restored`
        : undefined;
      await writeMarker(dirs.markers, spec.volume, message ? { ok: false, reason: message } : { ok: true });
      await this.finish(pvr, {
        phase: partial ? "PartiallyFailed" : "Completed",
        progress: { bytesDone: result.bytes, totalBytes: result.bytes },
        files: result.files,
        errorCount: result.errorCount,
        errors: result.errors.map((e) => e.message),
        ...(message ? { message } : {}),
      });
      log.info("pod volume restored", { pod: podName(pvr), volume: spec.volume, errors: result.errorCount });
    } catch (err) {
      // Stopping: the next agent on this node starts it again (onSynced).
      if (signal.aborted) return;
      const message = this.failure(pvr, err);
      await writeMarker(dirs.markers, spec.volume, { ok: false, reason: message }).catch(() => undefined);
      await this.finish(pvr, { phase: "Failed", message });
      log.error("pod volume restore failed", { pod: podName(pvr), volume: spec.volume, reason: message });
    }
  }

  private failure(pvr: PodVolumeRestore, err: unknown): string {
    return `volume ${pvr.spec.volume} of pod ${podName(pvr)} on node ${this.deps.nodeName}: ${describeError(err)}`;
  }

  private async finish(pvr: PodVolumeRestore, status: Partial<PodVolumeRestoreStatus>): Promise<void> {
    await patchStatus(this.deps.client, this.type, pvr, {
      ...status,
      completionTimestamp: this.now().toISOString(),
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
