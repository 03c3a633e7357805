import type { Backup, DownloadRequestSpec } from "../api/index.js";
import { BACKUP_LOG_FILE, BACKUP_RESULTS_FILE } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import { readRestoreLog, readRestoreResults } from "../restore/store.js";
import { LABELS, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";

export type DownloadTarget = DownloadRequestSpec["target"];

/** What a download serves: the file's text and its media type. */
export interface DownloadFile {
  readonly body: string;
  readonly contentType: string;
}

const TEXT = "text/plain; charset=utf-8";
const JSON_TYPE = "application/json";

/**
 * Reads the file a DownloadRequest names, from wherever the server keeps it: a backup's
 * log and results beside its snapshot in the backup's location; a restore's in the
 * location the restore controller wrote them to (the first ReadWrite one), so every
 * location is tried.
 */
export async function readDownloadTarget(
  deps: { client: KubeClient; namespace: string; locations: ServerLocations },
  target: DownloadTarget,
): Promise<DownloadFile> {
  const { client, namespace, locations } = deps;
  switch (target.kind) {
    case "BackupLog":
    case "BackupResults": {
      const backup = await client.get<Backup>(resourcePath(TYPES.backups, { namespace, name: target.name }));
      const location = locations.find(
        backup.spec.storageLocation ?? backup.metadata.labels?.[LABELS.location],
      );
      const repository = await locations.repository(location);
      const file = target.kind === "BackupLog" ? BACKUP_LOG_FILE : BACKUP_RESULTS_FILE;
      return {
        body: Buffer.from(await repository.readFile(target.name, file)).toString("utf8"),
        contentType: target.kind === "BackupLog" ? TEXT : JSON_TYPE,
      };
    }
    case "RestoreLog":
    case "RestoreResults": {
      for (const location of locations.all()) {
        const storage = (await locations.repository(location)).records();
        try {
          return target.kind === "RestoreLog"
            ? { body: await readRestoreLog(storage, target.name), contentType: TEXT }
            : {
                body: JSON.stringify(await readRestoreResults(storage, target.name)),
                contentType: JSON_TYPE,
              };
        } catch (err) {
          if (!isKubesnapError(err, "NotFound")) throw err;
        }
      }
      throw new KubesnapError(
        "NotFound",
        `no location holds the ${target.kind === "RestoreLog" ? "log" : "results"} of restore "${target.name}"`,
        {
          hint: "restore logs are kept only when the server has a ReadWrite location; the restore's status still shows its outcome",
        },
      );
    }
  }
}
