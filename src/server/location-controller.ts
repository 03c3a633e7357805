import type { Backup, BackupStorageLocation } from "../api/index.js";
import type { BackupRecord } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { parseDuration } from "../core/duration.js";
import { describeError, isKubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { isVolumeSnapshot } from "../volumes/fs/index.js";
import { resourceBackupSpec } from "./backup-controller.js";
import type { Cache, Logger, Reconciler } from "./controller.js";
import { LABELS, SYNCED_ANNOTATION, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { patchStatus } from "./status.js";

/**
 * Backups whose data must be in the bucket. A Backup that Failed before it committed never
 * had any: it stays in the cluster to say why, whatever the bucket holds.
 */
const COMMITTED = new Set(["Completed", "PartiallyFailed"]);

/**
 * Keeps each BackupStorageLocation's status true (Available, or Unavailable with the
 * reason) and the cluster's Backups in step with its bucket: backups found there appear as
 * Backup objects (how a second cluster pointed at the same bucket sees the first one's
 * backups), and finished Backups whose data is gone from it disappear.
 */
export class LocationController implements Reconciler {
  readonly name = "backup-storage-location";
  readonly type = TYPES.locations;

  constructor(
    private readonly deps: {
      client: KubeClient;
      namespace: string;
      locations: ServerLocations;
      backups: Cache;
      log: Logger;
      /** Default period of validation and sync when the location names none. */
      defaultPeriodMs: number;
    },
  ) {}

  async reconcile(
    _key: string,
    object: KubeObject | undefined,
  ): Promise<{ requeueAfterMs: number } | undefined> {
    const bsl = object as BackupStorageLocation | undefined;
    if (!bsl) return undefined;
    const period = (value: string | undefined) => (value ? parseDuration(value) : this.deps.defaultPeriodMs);
    const validationMs = period(bsl.spec.validationFrequency);
    const syncMs = period(bsl.spec.backupSyncPeriod);
    let phase: "Available" | "Unavailable" = "Available";
    let message = "";
    try {
      const repository = await this.deps.locations.repository(bsl);
      if (syncMs > 0)
        await this.sync(
          bsl,
          // Pod volume snapshots belong to a backup; they are not backups of their own.
          (await repository.listSnapshots()).map((s) => s.name).filter((name) => !isVolumeSnapshot(name)),
        );
    } catch (err) {
      phase = "Unavailable";
      message = describeError(err);
    }
    const status = bsl.status;
    if (
      status?.phase !== phase ||
      status.message !== message ||
      status.accessMode !== bsl.spec.accessMode ||
      timeToRevalidate(status, validationMs)
    ) {
      await patchStatus(this.deps.client, this.type, bsl, {
        phase,
        message,
        accessMode: bsl.spec.accessMode,
        lastValidationTime: new Date().toISOString(),
      });
      if (status?.phase !== phase)
        this.deps.log.info("backup storage location changed phase", {
          location: bsl.metadata.name,
          phase,
          message,
        });
    }
    const periods = [validationMs, syncMs].filter((ms) => ms > 0);
    return { requeueAfterMs: periods.length > 0 ? Math.min(...periods) : 60_000 };
  }

  private async sync(bsl: BackupStorageLocation, inBucket: string[]): Promise<void> {
    const name = bsl.metadata.name;
    const inCluster = new Map(this.deps.backups.list().map((b) => [b.metadata.name, b as unknown as Backup]));
    const repository = await this.deps.locations.repository(bsl);
    for (const backupName of inBucket) {
      if (inCluster.has(backupName)) continue;
      const record = (await repository.readManifest(backupName)).body as BackupRecord;
      await this.createSynced(record, name);
      this.deps.log.info("backup synced from location", { backup: backupName, location: name });
    }
    const present = new Set(inBucket);
    for (const [backupName, backup] of inCluster) {
      const fromHere = backup.metadata.labels?.[LABELS.location] === name;
      if (!fromHere || present.has(backupName) || !COMMITTED.has(backup.status?.phase ?? "")) continue;
      await this.deps.client
        .request({
          method: "DELETE",
          path: resourcePath(TYPES.backups, { namespace: this.deps.namespace, name: backupName }),
        })
        .catch((err: unknown) => {
          if (!isKubesnapError(err, "NotFound")) throw err;
        });
      this.deps.log.info("backup gone from its location removed from the cluster", {
        backup: backupName,
        location: name,
      });
    }
  }

  /** A Backup object for a backup found in the bucket, its status taken from the stored record. */
  private async createSynced(record: BackupRecord, location: string): Promise<void> {
    const { spec } = record;
    const body = {
      apiVersion: "kubesnap.io/v1",
      kind: "Backup",
      metadata: {
        name: record.metadata.name,
        namespace: this.deps.namespace,
        labels: { ...record.metadata.labels, [LABELS.location]: location },
        // Tells the backup controller this object describes a backup that already exists.
        annotations: { [SYNCED_ANNOTATION]: "true" },
      },
      spec: resourceBackupSpec({ ...spec, storageLocation: location }),
    };
    let created: KubeObject;
    try {
      created = await this.deps.client.request<KubeObject>({
        method: "POST",
        path: resourcePath(TYPES.backups, { namespace: this.deps.namespace }),
        body: JSON.stringify(body),
      });
    } catch (err) {
      if (isKubesnapError(err, "AlreadyExists")) return;
      throw err;
    }
    await patchStatus(this.deps.client, TYPES.backups, created, { ...record.status });
  }
}

function timeToRevalidate(status: BackupStorageLocation["status"], validationMs: number): boolean {
  const last = status?.lastValidationTime ? Date.parse(status.lastValidationTime) : 0;
  return validationMs > 0 && Date.now() - last >= validationMs;
}
