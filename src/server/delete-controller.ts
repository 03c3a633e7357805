import type { Backup, DeleteBackupRequest } from "../api/index.js";
import type { BackupRecord } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError, isKubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { deleteVolumeSnapshots } from "../volumes/fs/index.js";
import { deleteBackupVolumes } from "../volumes/index.js";
import type { Cache, Logger, Reconciler } from "./controller.js";
import { LABELS, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { patchStatus } from "./status.js";

/**
 * Carries out DeleteBackupRequests: deletes the backup's manifest, collects the data no
 * other backup references, then removes the Backup object. A backup in a ReadOnly
 * location is never deleted: the request ends Processed with that error.
 */
export class DeleteController implements Reconciler {
  readonly name = "delete-backup-request";
  readonly type = TYPES.deleteRequests;

  constructor(
    private readonly deps: {
      client: KubeClient;
      namespace: string;
      locations: ServerLocations;
      backups: Cache;
      log: Logger;
    },
  ) {}

  async reconcile(_key: string, object: KubeObject | undefined): Promise<undefined> {
    const request = object as DeleteBackupRequest | undefined;
    if (!request || (request.status?.phase ?? "New") === "Processed") return;
    const { client, locations, log } = this.deps;
    const name = request.spec.backupName;
    const backup = this.deps.backups.list().find((b) => b.metadata.name === name) as Backup | undefined;
    const errors: string[] = [];
    try {
      const location = locations.find(
        backup?.spec.storageLocation ?? backup?.metadata.labels?.[LABELS.location],
      );
      if (location.spec.accessMode === "ReadOnly") {
        errors.push(
          `backup "${name}" is in ReadOnly location "${location.metadata.name}": nothing there is deleted`,
        );
      } else {
        await patchStatus(client, this.type, request, { phase: "InProgress" });
        if (backup) await patchStatus(client, TYPES.backups, backup, { phase: "Deleting" });
        const repository = await locations.repository(location);
        try {
          // Snapshots first: the manifest is the only record of their handles.
          const manifest = await repository.readManifest(name).catch((err: unknown) => {
            if (isKubesnapError(err, "NotFound")) return undefined;
            throw err;
          });
          if (manifest) await deleteBackupVolumes(manifest.body as BackupRecord, async () => client);
          await repository.deleteSnapshot(name).catch((err: unknown) => {
            if (!isKubesnapError(err, "NotFound")) throw err;
          });
          await deleteVolumeSnapshots(repository, name);
        } catch (err) {
          // The manifest was not deleted (a snapshot could not be deleted, object lock refused
          // it, the store failed): the backup still stands, so it goes back to the phase it had.
          if (backup?.status?.phase)
            await patchStatus(client, TYPES.backups, backup, { phase: backup.status.phase });
          throw err;
        }
        const report = await repository.gc();
        log.info("backup deleted", {
          backup: name,
          gc: report.status,
          ...(report.status === "done" ? { bytesFreed: report.bytesFreed } : {}),
        });
        if (backup) {
          await client
            .request({
              method: "DELETE",
              path: resourcePath(TYPES.backups, { namespace: this.deps.namespace, name }),
            })
            .catch((err: unknown) => {
              if (!isKubesnapError(err, "NotFound")) throw err;
            });
        }
      }
    } catch (err) {
      errors.push(describeError(err));
    }
    await patchStatus(client, this.type, request, { phase: "Processed", errors });
    return undefined;
  }
}
