import type { Backup, BackupSpec as BackupResourceSpec } from "../api/index.js";
import { runBackup } from "../backup/run.js";
import type { BackupSpec } from "../backup/spec.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { formatGoDuration, parseDuration } from "../core/duration.js";
import { describeError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { parseLabelSelector } from "../restore/plan/index.js";
import { engineVolumeOptions, resourceVolumeFields } from "../volumes/index.js";
import type { Logger, Reconciler } from "./controller.js";
import { LABELS, SYNCED_ANNOTATION, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import type { BackupOutcome, ServerMetrics } from "./metrics.js";
import { DEFAULT_FS_BACKUP_TIMEOUT_MS, serverPodVolumeStep } from "./pod-volume-backups.js";
import { addLabels, failOrphanedRuns, patchStatus } from "./status.js";

/** The engine's spec from a Backup object's: the TTL parsed, the location resolved. */
export function engineBackupSpec(
  spec: BackupResourceSpec,
  location: string,
  labels: Record<string, string>,
): BackupSpec {
  if (spec.labelSelector) parseLabelSelector(spec.labelSelector);
  for (const alternative of spec.orLabelSelectors ?? []) parseLabelSelector(alternative);
  return {
    includedNamespaces: spec.includedNamespaces,
    excludedNamespaces: spec.excludedNamespaces,
    includedResources: spec.includedResources,
    excludedResources: spec.excludedResources,
    includeClusterResources: spec.includeClusterResources,
    ...(spec.labelSelector ? { labelSelector: spec.labelSelector } : {}),
    ...(spec.orLabelSelectors?.length ? { orLabelSelectors: spec.orLabelSelectors } : {}),
    ttlMs: parseDuration(spec.ttl, { what: "spec.ttl" }),
    storageLocation: location,
    labels,
    ...engineVolumeOptions(spec),
  };
}

/** A Backup object's spec from the engine's (the inverse of engineBackupSpec). */
export function resourceBackupSpec(spec: BackupSpec): BackupResourceSpec {
  return {
    includedNamespaces: spec.includedNamespaces,
    excludedNamespaces: spec.excludedNamespaces,
    includedResources: spec.includedResources,
    excludedResources: spec.excludedResources,
    includeClusterResources: spec.includeClusterResources,
    ...(spec.labelSelector ? { labelSelector: spec.labelSelector } : {}),
    ...(spec.orLabelSelectors?.length ? { orLabelSelectors: spec.orLabelSelectors } : {}),
    ttl: formatGoDuration(spec.ttlMs),
    ...(spec.storageLocation ? { storageLocation: spec.storageLocation } : {}),
    ...resourceVolumeFields(spec),
  };
}

/**
 * Runs Backups: New → InProgress → Completed | PartiallyFailed | Failed. A Backup found
 * InProgress that this process is not running was left by a server that stopped (restart,
 * crash, lost leadership): it is finished as Failed with that reason, never left hanging.
 */
export class BackupController implements Reconciler {
  readonly name = "backup";
  readonly type = TYPES.backups;
  private readonly running = new Set<string>();

  constructor(
    private readonly deps: {
      client: KubeClient;
      /** The server's namespace, where PodVolumeBackups are made. */
      namespace: string;
      locations: ServerLocations;
      log: Logger;
      metrics: ServerMetrics;
      now?: () => Date;
      /** How long a backup waits for node agents to copy its pod volumes. */
      fsBackupTimeoutMs?: number;
    },
  ) {}

  /** After (re-)gaining leadership: see failOrphanedRuns. */
  async onSynced(objects: readonly KubeObject[]): Promise<void> {
    await failOrphanedRuns(objects, {
      client: this.deps.client,
      type: this.type,
      running: this.running,
      reason:
        "the kubesnap server running this backup stopped before it finished; nothing was committed; create the backup again",
      onFailed: (backup) =>
        this.deps.log.info("backup left InProgress by a stopped server marked Failed", { backup }),
    });
  }

  async reconcile(_key: string, object: KubeObject | undefined, signal: AbortSignal): Promise<undefined> {
    const backup = object as Backup | undefined;
    if (!backup || this.running.has(backup.metadata.name) || (backup.status?.phase ?? "New") !== "New")
      return;
    // A Backup made by location sync gets its status from the stored record, not from a run.
    if (backup.metadata.annotations?.[SYNCED_ANNOTATION]) return;
    // The cache can lag behind this server's own writes: only the API server says it is still New.
    const current = await this.deps.client.get<Backup>(
      resourcePath(this.type, { namespace: backup.metadata.namespace, name: backup.metadata.name }),
    );
    if ((current.status?.phase ?? "New") === "New") await this.run(current, signal);
  }

  private record(backup: Backup, outcome: BackupOutcome, started: Date): void {
    const { metrics } = this.deps;
    metrics.backupTotal.inc({ outcome });
    metrics.backupDuration.observe((this.now().getTime() - started.getTime()) / 1000);
    const schedule = backup.metadata.labels?.[LABELS.schedule];
    if (schedule && outcome === "Completed") {
      metrics.backupLastSuccessfulTimestamp.set({ schedule }, this.now().getTime() / 1000);
    }
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  private async run(backup: Backup, signal: AbortSignal): Promise<void> {
    const { client, locations, log, metrics } = this.deps;
    const name = backup.metadata.name;
    let spec: BackupSpec;
    let location: ReturnType<ServerLocations["find"]>;
    try {
      location = locations.find(backup.spec.storageLocation);
      if (location.spec.accessMode === "ReadOnly") {
        throw new Error(`BackupStorageLocation "${location.metadata.name}" is ReadOnly (restore-only mode)`);
      }
      spec = engineBackupSpec(backup.spec, location.metadata.name, backup.metadata.labels ?? {});
    } catch (err) {
      await patchStatus(client, this.type, backup, {
        phase: "FailedValidation",
        validationErrors: [describeError(err)],
      });
      return;
    }
    // A location the last check found Unavailable fails the backup at once, with that reason,
    // instead of after the store's retries run out.
    if (location.status?.phase === "Unavailable") {
      await patchStatus(client, this.type, backup, {
        phase: "Failed",
        completionTimestamp: this.now().toISOString(),
        failureReason: `BackupStorageLocation "${location.metadata.name}" is Unavailable: ${location.status.message ?? "no reason given"}`,
      });
      this.record(backup, "Failed", this.now());
      return;
    }
    this.running.add(name);
    const started = this.now();
    try {
      await patchStatus(client, this.type, backup, {
        phase: "InProgress",
        startTimestamp: started.toISOString(),
        expiration: new Date(started.getTime() + spec.ttlMs).toISOString(),
        progress: { itemsBackedUp: 0, totalItems: 0 },
      });
      // Labelled with its location, so sync can drop the object if the data leaves the bucket.
      await addLabels(client, this.type, backup, { [LABELS.location]: location.metadata.name });
      log.info("backup started", { backup: name, location: location.metadata.name });
      let lastReport = 0;
      const repository = await locations.repository(location);
      const { record, stats } = await runBackup(name, spec, {
        client,
        repository,
        signal,
        podVolumes: serverPodVolumeStep({
          client,
          namespace: this.deps.namespace,
          backup,
          storageLocation: location.metadata.name,
          retainUntil: new Date(started.getTime() + spec.ttlMs),
          defaultVolumesToFsBackup: spec.defaultVolumesToFsBackup ?? false,
          volumePolicies: spec.volumePolicies ?? [],
          timeoutMs: this.deps.fsBackupTimeoutMs ?? DEFAULT_FS_BACKUP_TIMEOUT_MS,
        }),
        onProgress: (p) => {
          if (Date.now() - lastReport < 2000) return;
          lastReport = Date.now();
          void patchStatus(client, this.type, backup, {
            progress: { itemsBackedUp: p.itemsDone, totalItems: p.itemsDone },
          }).catch(() => undefined);
        },
      });
      const { status } = record;
      await patchStatus(client, this.type, backup, { ...status, phase: status.phase });
      this.record(backup, status.phase as BackupOutcome, started);
      metrics.backupItems.inc(status.progress.itemsBackedUp);
      metrics.backupBytes.inc(stats.bytesWritten);
      log.info("backup finished", {
        backup: name,
        phase: status.phase,
        items: status.progress.itemsBackedUp,
      });
    } catch (err) {
      const reason = describeError(err);
      await patchStatus(client, this.type, backup, {
        phase: "Failed",
        completionTimestamp: this.now().toISOString(),
        failureReason: reason,
      });
      this.record(backup, "Failed", started);
      log.error("backup failed", { backup: name, reason });
    } finally {
      this.running.delete(name);
    }
  }
}
