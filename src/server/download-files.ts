import type { Backup, DownloadRequestSpec } from "../api/index.js";
import { BACKUP_LOG_FILE, BACKUP_RESULTS_FILE } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { KubesnapError } from "../core/errors.js";
import type { Repository } from "../repository/index.js";
import { readRestoreLog, readRestoreResults, restoreExists } from "../restore/store.js";
import type { Storage } from "../storage/index.js";
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

type Deps = { client: KubeClient; namespace: string; locations: ServerLocations };

/**
 * Reads the file a DownloadRequest names, from wherever the server keeps it: a backup's
 * log and results beside its snapshot in the backup's location; a restore's in the
 * location the restore controller wrote them to (the first ReadWrite one), so every
 * location is looked in.
 */
export async function readDownloadTarget(deps: Deps, target: DownloadTarget): Promise<DownloadFile> {
  switch (target.kind) {
    case "BackupLog":
    case "BackupResults": {
      const repository = await backupRepository(deps, target.name);
      return {
        body: Buffer.from(await repository.readFile(target.name, backupFile(target))).toString("utf8"),
        contentType: target.kind === "BackupLog" ? TEXT : JSON_TYPE,
      };
    }
    case "RestoreLog":
    case "RestoreResults": {
      const storage = await restoreRecords(deps, target);
      return target.kind === "RestoreLog"
        ? { body: await readRestoreLog(storage, target.name), contentType: TEXT }
        : { body: JSON.stringify(await readRestoreResults(storage, target.name)), contentType: JSON_TYPE };
    }
  }
}

/**
 * Fails as readDownloadTarget would when the file is missing, but reads no file: a
 * request is answered with this check, and the file is read only when it is downloaded.
 */
export async function checkDownloadTarget(deps: Deps, target: DownloadTarget): Promise<void> {
  switch (target.kind) {
    case "BackupLog":
    case "BackupResults": {
      const repository = await backupRepository(deps, target.name);
      const file = backupFile(target);
      // Missing: reading (which stops at what is missing) gives the repository's own message.
      if (!(await repository.hasFile(target.name, file))) await repository.readFile(target.name, file);
      return;
    }
    case "RestoreLog":
    case "RestoreResults":
      await restoreRecords(deps, target);
      return;
  }
}

function backupFile(target: DownloadTarget): string {
  return target.kind === "BackupLog" ? BACKUP_LOG_FILE : BACKUP_RESULTS_FILE;
}

/** The repository of the location the Backup was written to. */
async function backupRepository(deps: Deps, name: string): Promise<Repository> {
  const { client, namespace, locations } = deps;
  const backup = await client.get<Backup>(resourcePath(TYPES.backups, { namespace, name }));
  const location = locations.find(backup.spec.storageLocation ?? backup.metadata.labels?.[LABELS.location]);
  return locations.repository(location);
}

/**
 * The records of the first location that holds the restore. Its record is written after
 * its log and results, and deleted before them, so where the record is, they are too.
 */
async function restoreRecords(deps: Deps, target: DownloadTarget): Promise<Storage> {
  for (const location of deps.locations.all()) {
    const storage = (await deps.locations.repository(location)).records();
    if (await restoreExists(storage, target.name)) return storage;
  }
  throw new KubesnapError(
    "NotFound",
    `no location holds the ${target.kind === "RestoreLog" ? "log" : "results"} of restore "${target.name}"`,
    {
      hint: "restore logs are kept only when the server has a ReadWrite location; the restore's status still shows its outcome",
    },
  );
}
