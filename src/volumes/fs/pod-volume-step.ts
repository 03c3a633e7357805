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
import type { Claim, Volume } from "../csi/kinds.js";
import { claimFacts } from "../plan.js";
import { decideVolume, type VolumePolicy } from "../policy.js";
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
 * A PVC volume is also copied when a volume policy chooses fs-backup for its claim; that
 * needs the claim and its PersistentVolume, so it is decided once every item was seen.
 */
export class PodVolumeChoices {
  private readonly noted: { pod: KubeObject; chosen: readonly ChosenVolume[]; claims: ChosenVolume[] }[] = [];
  private readonly refused: { ref: ItemRef; message: string }[] = [];
  private readonly claims = new Map<string, Claim>();
  private readonly volumes = new Map<string, Volume>();

  constructor(
    private readonly options: {
      defaultVolumesToFsBackup: boolean;
      volumePolicies?: readonly VolumePolicy[];
    },
  ) {}

  noteItem(item: KubeObject, type: ResourceType): void {
    const resource = groupResource(type);
    if (resource === "persistentvolumeclaims") this.claims.set(claimKeyOf(item), item as Claim);
    if (resource === "persistentvolumes") this.volumes.set(item.metadata.name, item as Volume);
    if (resource !== "pods") return;
    const phase = (item.status as { phase?: string } | undefined)?.phase;
    if (phase === "Succeeded" || phase === "Failed") return;
    const { chosen, refused } = choosePodVolumes(item, this.options);
    const ref = podRef(item);
    for (const r of refused)
      this.refused.push({ ref, message: `volume ${r.volume} is not backed up: ${r.reason}` });
    this.noted.push({ pod: item, chosen, claims: claimVolumes(item) });
  }

  /** Each pod with the volumes to copy: chosen by annotation or default, or by a volume policy. */
  get pods(): PodWithVolumes[] {
    const policies = this.options.volumePolicies ?? [];
    const found: PodWithVolumes[] = [];
    for (const { pod, chosen, claims } of this.noted) {
      const byPolicy = claims.filter(
        (v) => !chosen.some((c) => c.volume === v.volume) && this.policyCopies(pod, v, policies),
      );
      const volumes = [...chosen, ...byPolicy];
      if (volumes.length > 0) found.push({ pod, volumes });
    }
    return found;
  }

  private policyCopies(pod: KubeObject, volume: ChosenVolume, policies: readonly VolumePolicy[]): boolean {
    if (policies.length === 0 || !volume.pvc) return false;
    const claim = this.claims.get(`${pod.metadata.namespace ?? ""}/${volume.pvc}`);
    if (!claim) return false;
    const facts = claimFacts(claim, this.volumes.get(claim.spec?.volumeName ?? ""));
    return decideVolume(facts, { policies, snapshotVolumes: true }).action === "fs-backup";
  }

  /** Reports the volumes the annotation named that cannot be copied. */
  reportRefused(ctx: PodVolumeRunContext): void {
    for (const { ref, message } of this.refused) ctx.log.warn(ctx.results.warning(ref, message));
  }
}

function claimKeyOf(claim: KubeObject): string {
  return `${claim.metadata.namespace ?? ""}/${claim.metadata.name}`;
}

/** The pod's PVC volumes (what a volume policy can choose). */
function claimVolumes(pod: KubeObject): ChosenVolume[] {
  const volumes = (
    pod.spec as { volumes?: { name?: string; persistentVolumeClaim?: { claimName?: string } }[] }
  )?.volumes;
  return (volumes ?? []).flatMap((v) =>
    v.name && v.persistentVolumeClaim?.claimName
      ? [{ volume: v.name, pvc: v.persistentVolumeClaim.claimName }]
      : [],
  );
}

export function podRef(pod: KubeObject): ItemRef {
  return { resource: "pods", namespace: pod.metadata.namespace ?? "", name: pod.metadata.name };
}

/**
 * Local mode: the CLI cannot reach node agents (they take their work from the server),
 * so each chosen volume is a warning that its files are not in the backup.
 */
export function localPodVolumeStep(options: {
  defaultVolumesToFsBackup: boolean;
  volumePolicies?: readonly VolumePolicy[];
}): PodVolumeStep {
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
