/**
 * The file-system step of a backup, as the backup engine sees it: it is shown every item
 * the backup stores (keeping the pods and the volumes chosen for them, pod-volumes.ts) and,
 * once the items are collected, turns those volumes into records. The server's step
 * (src/server/pod-volume-backups.ts) has node agents copy them; a local run cannot reach
 * node agents and says so for each volume.
 */
import { groupResource, type ItemRef, type KubeObject, type ResourceType } from "../../core/kube-types.js";
import type { RunLog } from "../../report/log.js";
import type { Results } from "../../report/results.js";
import type { FsBackupVolume } from "../record.js";
import { type ChosenVolume, choosePodVolumes } from "./pod-volumes.js";

export interface PodVolumeStep {
  noteItem(item: KubeObject, type: ResourceType): void;
  /** Runs after the items are collected, before the backup commits. Problems go to results. */
  run(ctx: PodVolumeRunContext): Promise<FsBackupVolume[]>;
}

export interface PodVolumeRunContext {
  readonly results: Results;
  readonly log: RunLog;
  readonly signal?: AbortSignal;
}

/** A backed-up pod and the volumes chosen for it. */
export interface PodWithVolumes {
  readonly pod: KubeObject;
  readonly volumes: readonly ChosenVolume[];
}

/**
 * Keeps the pods whose volumes are to be copied. Pods that finished (Succeeded, Failed)
 * are left out: their volumes are unmounted, and the restore skips such pods anyway.
 * Volumes the annotation names but that cannot be copied are warnings, reported at once.
 */
export class PodVolumeChoices {
  readonly pods: PodWithVolumes[] = [];
  private readonly refused: { ref: ItemRef; message: string }[] = [];

  constructor(private readonly options: { defaultVolumesToFsBackup: boolean }) {}

  noteItem(item: KubeObject, type: ResourceType): void {
    if (groupResource(type) !== "pods") return;
    const phase = (item.status as { phase?: string } | undefined)?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const { chosen, refused } = choosePodVolumes(item, this.options);
    const ref = podRef(item);
    for (const r of refused)
      this.refused.push({ ref, message: `volume ${r.volume} is not backed up: ${r.reason}` });
    if (chosen.length > 0) this.pods.push({ pod: item, volumes: chosen });
  }

  /** Reports the volumes the annotation named that cannot be copied. */
  reportRefused(ctx: PodVolumeRunContext): void {
    for (const { ref, message } of this.refused) ctx.log.warn(ctx.results.warning(ref, message));
  }
}

export function podRef(pod: KubeObject): ItemRef {
  return { resource: "pods", namespace: pod.metadata.namespace ?? "", name: pod.metadata.name };
}

/**
 * Local mode: the CLI cannot reach node agents (they take their work from the server),
 * so each chosen volume is a warning that its files are not in the backup.
 */
export function localPodVolumeStep(options: { defaultVolumesToFsBackup: boolean }): PodVolumeStep {
  const choices = new PodVolumeChoices(options);
  return {
    noteItem: (item, type) => choices.noteItem(item, type),
    async run(ctx) {
      choices.reportRefused(ctx);
      for (const { pod, volumes } of choices.pods) {
        for (const { volume } of volumes) {
          const message =
            `volume ${volume} asks for a file-system backup, which needs the kubesnap server and its node agents ` +
            "(kubesnap install --use-node-agent); its files are not in this local backup";
          ctx.log.warn(ctx.results.warning(podRef(pod), message));
        }
      }
      return [];
    },
  };
}
