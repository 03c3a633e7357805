import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { forEachLimit } from "../core/concurrency.js";
import { describeError } from "../core/errors.js";
import type { ItemRef, KubeObject } from "../core/kube-types.js";
import type { RunLog } from "../report/log.js";
import type { Results } from "../report/results.js";
import { type Claim, SNAPSHOT_GROUP, type SnapshotClass, TYPES, type Volume } from "./csi/kinds.js";
import { findObject } from "./csi/objects.js";
import { type SnapshotRequest, takeSnapshot } from "./csi/take.js";
import { type Clock, systemClock } from "./csi/wait.js";
import { claimFacts, planVolumes, type VolumeStep } from "./plan.js";
import type { VolumePolicy } from "./policy.js";
import { claimKey, type VolumeClaim, type VolumeRecord } from "./record.js";

/** The volume options of a backup spec (see BackupSpec). */
export interface VolumeOptions {
  readonly snapshotVolumes?: boolean;
  readonly snapshotClass?: string;
  readonly itemOperationTimeoutMs?: number;
  readonly volumePolicies?: readonly VolumePolicy[];
  /** Copy the files of every pod volume (but those excluded by annotation); otherwise only annotated ones. */
  readonly defaultVolumesToFsBackup?: boolean;
}

/** Velero's default --csi-snapshot-timeout: long enough for a large volume's first snapshot. */
export const DEFAULT_ITEM_OPERATION_TIMEOUT_MS = 10 * 60_000;

export function itemOperationTimeout(options: VolumeOptions): number {
  return options.itemOperationTimeoutMs ?? DEFAULT_ITEM_OPERATION_TIMEOUT_MS;
}

export interface VolumeBackupDeps {
  readonly client: KubeClient;
  readonly backupName: string;
  readonly results: Results;
  readonly log: RunLog;
  /** The API groups the cluster serves (from discovery): snapshots need snapshot.storage.k8s.io. */
  readonly servedGroups: ReadonlySet<string>;
  readonly clock?: Clock;
}

/** Snapshots taken at once: each is mostly waiting for its driver. */
const CONCURRENCY = 4;

/**
 * The volume step of a backup, after its items are collected: reads each backed-up claim's
 * volume and the snapshot classes, plans (pure), then takes the snapshots. Returns one
 * record per claim. A snapshot that fails is an error for its claim; the others go on.
 */
export async function backupVolumes(
  claims: readonly KubeObject[],
  options: VolumeOptions,
  deps: VolumeBackupDeps,
): Promise<VolumeRecord[]> {
  if (claims.length === 0) return [];
  const { client, log } = deps;
  const facts = await Promise.all(
    (claims as Claim[]).map(async (claim) => claimFacts(claim, await readVolume(client, claim))),
  );
  const classes = deps.servedGroups.has(SNAPSHOT_GROUP)
    ? (await client.get<{ items: SnapshotClass[] }>(resourcePath(TYPES.classes))).items
    : undefined;
  const steps = planVolumes(facts, {
    policies: options.volumePolicies ?? [],
    snapshotVolumes: options.snapshotVolumes ?? true,
    ...(options.snapshotClass ? { snapshotClass: options.snapshotClass } : {}),
    classes,
  });
  const records: VolumeRecord[] = [];
  const timeoutMs = itemOperationTimeout(options);
  await forEachLimit(steps, CONCURRENCY, async (step) => {
    records.push(await runStep(step, { ...deps, timeoutMs }));
  });
  const count = (kind: VolumeRecord["kind"]) => records.filter((r) => r.kind === kind).length;
  log.info(
    `volumes: ${count("csi-snapshot")} snapshotted, ${count("fs-backup")} copied, ${count("skipped")} skipped`,
  );
  return records.sort((a, b) => claimKey(a).localeCompare(claimKey(b)));
}

async function runStep(
  step: VolumeStep,
  deps: VolumeBackupDeps & { timeoutMs: number },
): Promise<VolumeRecord> {
  const { results, log } = deps;
  switch (step.kind) {
    case "skip": {
      const ref = claimRef(step.record);
      const line = `volume data not backed up: ${step.record.reason}`;
      if (step.warn) log.warn(results.warning(ref, line));
      else log.info(`${ref.namespace}/${ref.name}: ${line}`);
      return step.record;
    }
    case "fs-backup": {
      // Claims the pod-volume step copied never reach this step: no backed-up pod mounts this one.
      const reason = `${step.because}, but no running pod in the backup mounts it, so no node agent can read its files`;
      log.warn(results.warning(claimRef(step.claim), `volume data not backed up: ${reason}`));
      return { kind: "skipped", ...step.claim, reason };
    }
    case "snapshot": {
      const { request } = step;
      try {
        const record = await takeSnapshot(request, {
          client: deps.client,
          backupName: deps.backupName,
          timeoutMs: deps.timeoutMs,
          clock: deps.clock ?? systemClock,
        });
        log.info(
          `snapshotted PVC ${request.namespace}/${request.pvc} with class ${request.className} (${step.because}): ${record.snapshotHandle}`,
        );
        return record;
      } catch (err) {
        log.error(results.error(claimRef(request), err));
        return {
          kind: "skipped",
          ...claimOf(request),
          reason: `snapshot failed: ${describeError(err)}`,
        };
      }
    }
  }
}

/** The claim part of a snapshot request, for the record of a snapshot that failed. */
function claimOf({ namespace, pvc, volumeName }: SnapshotRequest): VolumeClaim {
  return { namespace, pvc, ...(volumeName ? { volumeName } : {}) };
}

/** The claim's PersistentVolume, or undefined when it is unbound or gone. */
async function readVolume(client: KubeClient, claim: Claim): Promise<Volume | undefined> {
  const name = claim.spec?.volumeName;
  return name ? findObject<Volume>(client, resourcePath(TYPES.volumes, { name })) : undefined;
}

function claimRef(claim: { namespace: string; pvc: string }): ItemRef {
  return { resource: "persistentvolumeclaims", namespace: claim.namespace, name: claim.pvc };
}
