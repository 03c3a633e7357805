import type { Backup, Restore } from "../api/index.js";
import type { BackupRecord } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError, KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import type { RestoreSpec } from "../restore/record.js";
import { runRestore } from "../restore/run.js";
import { saveRestore } from "../restore/store.js";
import type { Cache, Logger, Reconciler } from "./controller.js";
import { LABELS, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import type { RestoreOutcome, ServerMetrics } from "./metrics.js";
import { DEFAULT_FS_BACKUP_TIMEOUT_MS } from "./pod-volume-backups.js";
import { serverPodVolumeRestoreStep } from "./pod-volume-restores.js";
import { failOrphanedRuns, patchStatus } from "./status.js";

/**
 * Runs Restores: New → InProgress → Completed | PartiallyFailed | Failed. The backup is
 * read from the location its Backup object names; the restore's log and results are kept
 * in the first ReadWrite location (a ReadOnly one is never written).
 */
export class RestoreController implements Reconciler {
  readonly name = "restore";
  readonly type = TYPES.restores;
  private readonly running = new Set<string>();

  constructor(
    private readonly deps: {
      client: KubeClient;
      /** The server's namespace, where PodVolumeRestores are made. */
      namespace: string;
      locations: ServerLocations;
      backups: Cache;
      log: Logger;
      metrics: ServerMetrics;
      /** The image of the init container restored pods wait in for their volumes' files. */
      restoreHelperImage: string;
      /** How long a restore waits for node agents to restore pod volumes. */
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
        "the kubesnap server running this restore stopped before it finished; objects created so far remain; create the restore again (existing objects are skipped)",
      onFailed: (restore) =>
        this.deps.log.info("restore left InProgress by a stopped server marked Failed", { restore }),
    });
  }

  async reconcile(_key: string, object: KubeObject | undefined): Promise<undefined> {
    const restore = object as Restore | undefined;
    if (!restore || this.running.has(restore.metadata.name) || (restore.status?.phase ?? "New") !== "New")
      return;
    // The cache can lag behind this server's own writes: only the API server says it is still New.
    const current = await this.deps.client.get<Restore>(
      resourcePath(this.type, { namespace: restore.metadata.namespace, name: restore.metadata.name }),
    );
    if ((current.status?.phase ?? "New") === "New") await this.run(current);
  }

  private findBackup(name: string): Backup {
    const backup = this.deps.backups.list().find((b) => b.metadata.name === name) as Backup | undefined;
    if (!backup)
      throw new KubesnapError("NotFound", `Backup "${name}" not found`, {
        hint: "list backups with `kubesnap backup get`",
      });
    const phase = backup.status?.phase;
    if (phase !== "Completed" && phase !== "PartiallyFailed") {
      throw new KubesnapError(
        "InvalidInput",
        `Backup "${name}" is ${phase ?? "New"}; only Completed or PartiallyFailed backups can be restored`,
      );
    }
    return backup;
  }

  private async run(restore: Restore): Promise<void> {
    const { client, locations, log } = this.deps;
    const name = restore.metadata.name;
    let backup: Backup;
    try {
      backup = this.findBackup(restore.spec.backupName);
    } catch (err) {
      await patchStatus(client, this.type, restore, {
        phase: "FailedValidation",
        validationErrors: [describeError(err)],
      });
      return;
    }
    this.running.add(name);
    const started = new Date();
    try {
      await patchStatus(client, this.type, restore, {
        phase: "InProgress",
        startTimestamp: started.toISOString(),
      });
      const location = locations.find(
        backup.spec.storageLocation ?? backup.metadata.labels?.[LABELS.location],
      );
      const repository = await locations.repository(location);
      const record = (await repository.readManifest(backup.metadata.name)).body as BackupRecord;
      const spec: RestoreSpec = { ...restore.spec, orLabelSelectors: restore.spec.orLabelSelectors ?? [] };
      let lastReport = 0;
      const outcome = await runRestore(name, spec, {
        client,
        repository,
        backup: record,
        podVolumes: serverPodVolumeRestoreStep({
          client,
          namespace: this.deps.namespace,
          restore,
          backupName: backup.metadata.name,
          storageLocation: location.metadata.name,
          volumes: record.volumes,
          image: this.deps.restoreHelperImage,
          timeoutMs: this.deps.fsBackupTimeoutMs ?? DEFAULT_FS_BACKUP_TIMEOUT_MS,
        }),
        onProgress: (p) => {
          if (Date.now() - lastReport < 2000) return;
          lastReport = Date.now();
          void patchStatus(client, this.type, restore, {
            progress: { itemsRestored: p.itemsDone, totalItems: p.itemsTotal },
          }).catch(() => undefined);
        },
      });
      const writable = locations.all().find((l) => l.spec.accessMode === "ReadWrite");
      if (writable) {
        await saveRestore((await locations.repository(writable)).records(), outcome.record, {
          log: outcome.log,
          results: outcome.results,
        });
      }
      const { status } = outcome.record;
      await patchStatus(client, this.type, restore, { ...status });
      this.record(status.phase as RestoreOutcome, started);
      log.info("restore finished", { restore: name, phase: status.phase });
    } catch (err) {
      await patchStatus(client, this.type, restore, {
        phase: "Failed",
        completionTimestamp: new Date().toISOString(),
        failureReason: describeError(err),
      });
      this.record("Failed", started);
      log.error("restore failed", { restore: name, reason: describeError(err) });
    } finally {
      this.running.delete(name);
    }
  }

  private record(outcome: RestoreOutcome, started: Date): void {
    this.deps.metrics.restoreTotal.inc({ outcome });
    this.deps.metrics.restoreDuration.observe((Date.now() - started.getTime()) / 1000);
  }
}
