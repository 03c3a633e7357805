/**
 * A restore's volume data, in the three places it acts: what the planner must know (claims
 * provisioned anew, so their old PVs stay out; pods restored for their volumes' files), what
 * the apply step does to claims and pods, and what is left once everything is created (wait
 * for the files, release the VolumeSnapshots). With restorePVs false (Velero's
 * --restore-volumes=false) claims the backup snapshotted get new empty volumes and no pod's
 * files are restored: the manifests come back, the data stays in the backup.
 */
import type { KubeClient } from "../cluster/client.js";
import type { RunLog } from "../report/log.js";
import type { Results } from "../report/results.js";
import { fsVolumesByPod, type PodVolumeRestoreStep } from "../volumes/fs/index.js";
import {
  CLAIM_BIND_WAIT_MS,
  claimVolumes,
  createSnapshotSources,
  DEFAULT_ITEM_OPERATION_TIMEOUT_MS,
  releaseSnapshotSources,
  restoredSources,
  type SnapshotSource,
  snapshotSources,
  type VolumeRecord,
} from "../volumes/index.js";
import type { ApplyDeps } from "./apply/apply.js";
import type { RestoreOptions, RestorePlan } from "./plan/index.js";
import type { RestoreSpec } from "./record.js";

export interface VolumeDataContext {
  readonly client: KubeClient;
  readonly names: { readonly backup: string; readonly restore: string };
  readonly results: Results;
  readonly log: RunLog;
  readonly spec: RestoreSpec;
  /** The backup's volume records. */
  readonly volumes: readonly VolumeRecord[] | undefined;
  /** The file-system step, when node agents can be reached (server mode). */
  readonly podVolumes?: PodVolumeRestoreStep;
}

type VolumePlanOptions = Pick<
  RestoreOptions,
  "provisionedVolumes" | "podsWithVolumeData" | "restoreVolumeData"
>;
type VolumeApplyDeps = Pick<ApplyDeps, "claimVolumes" | "beforeClaims" | "podVolumes">;

export class RestoreVolumeData {
  private readonly withData: boolean;
  /** One per claim the backup snapshotted, whether or not the plan restores it. */
  private readonly sources: readonly SnapshotSource[];

  constructor(private readonly ctx: VolumeDataContext) {
    this.withData = ctx.spec.restorePVs !== false;
    this.sources = snapshotSources(ctx.volumes, {
      restoreName: ctx.names.restore,
      namespaceMapping: ctx.spec.namespaceMapping,
    });
  }

  /** Claims the backup snapshotted get new volumes, not their old PVs; pods with copied files come back. */
  planOptions(): VolumePlanOptions {
    const podsWithFiles = [...fsVolumesByPod(this.ctx.volumes).keys()];
    if (!this.withData && (this.sources.length > 0 || podsWithFiles.length > 0)) {
      this.ctx.log.info(
        "volume data is not restored (restorePVs false): snapshotted claims get new, empty volumes",
      );
    }
    return {
      provisionedVolumes: this.sources.flatMap((s) => s.volume.volumeName ?? []),
      podsWithVolumeData: this.withData ? podsWithFiles : [],
      restoreVolumeData: this.withData,
    };
  }

  /** What the apply step does for the claims and pods the plan restores. */
  applyDeps(plan: RestorePlan): VolumeApplyDeps & { readonly finish: () => Promise<void> } {
    const claims = restoredSources(this.sources, plan);
    const snapshotDeps = { ...this.ctx, timeoutMs: DEFAULT_ITEM_OPERATION_TIMEOUT_MS };
    const { podVolumes } = this.ctx;
    if (!this.withData) {
      return { claimVolumes: claimVolumes(claims, { withData: false }), finish: async () => {} };
    }
    return {
      claimVolumes: claimVolumes(claims, { withData: true }),
      beforeClaims: () => createSnapshotSources(claims, snapshotDeps),
      ...(podVolumes ? { podVolumes } : {}),
      finish: async () => {
        await Promise.all([
          podVolumes?.finish({ results: this.ctx.results, log: this.ctx.log }),
          releaseSnapshotSources(claims, { ...snapshotDeps, timeoutMs: CLAIM_BIND_WAIT_MS }),
        ]);
      },
    };
  }
}
