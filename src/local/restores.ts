import { describeError, isKubesnapError, KubesnapError } from "../core/errors.js";
import type { BackupLocation } from "../locations/location.js";
import type { ResultsDoc } from "../report/results.js";
import type { RestoreRecord, RestoreSpec } from "../restore/record.js";
import { type RestoreProgress, runRestore } from "../restore/run.js";
import {
  deleteRestore as deleteStored,
  listRestores as listStored,
  readRestore,
  readRestoreLog,
  readRestoreResults,
  restoreExists,
  saveRestore,
} from "../restore/store.js";
import type { Storage } from "../storage/index.js";
import { localPodVolumeRestoreStep } from "../volumes/fs/index.js";
import { getBackup } from "./backups.js";
import type { LocalSession } from "./session.js";

/**
 * Where a local-mode restore is recorded: the location the backup came from, unless that
 * location is ReadOnly. Restore-only mode must leave its bucket untouched, so the record
 * then goes to the first ReadWrite location (the embedded default, usually).
 */
async function recordStorage(session: LocalSession, backupLocation: BackupLocation): Promise<Storage> {
  if (backupLocation.accessMode === "ReadWrite") return recordsOf(session, backupLocation);
  const fallback = session.config.locations.find((l) => l.accessMode === "ReadWrite");
  if (!fallback) {
    throw new KubesnapError(
      "ReadOnly",
      "Every backup location is ReadOnly: there is nowhere to record the restore",
      {
        hint: "add a ReadWrite location (it can be a local directory) with `kubesnap backup-location create`",
      },
    );
  }
  return recordsOf(session, fallback);
}

/** Restore records are kept beside a location's repository, sealed like it when it is encrypted. */
async function recordsOf(session: LocalSession, location: BackupLocation): Promise<Storage> {
  return (await session.repository(location)).records();
}

export async function createRestore(
  session: LocalSession,
  name: string,
  spec: RestoreSpec,
  hooks: { onProgress?: (p: RestoreProgress) => void } = {},
): Promise<RestoreRecord> {
  const backup = await getBackup(session, spec.backupName);
  if (backup.record.status.phase === "Failed") {
    throw new KubesnapError(
      "InvalidInput",
      `Backup "${spec.backupName}" failed and holds nothing to restore`,
      {
        hint: `see \`kubesnap backup describe ${spec.backupName}\``,
      },
    );
  }
  const storage = await recordStorage(session, backup.location);
  if (await restoreExists(storage, name)) {
    throw new KubesnapError("AlreadyExists", `Restore "${name}" already exists`, {
      hint: "pick another name",
    });
  }
  const client = await session.cluster();
  const outcome = await runRestore(name, spec, {
    client,
    repository: backup.repository,
    backup: backup.record,
    podVolumes: localPodVolumeRestoreStep(backup.record.volumes),
    ...hooks,
  });
  await saveRestore(storage, outcome.record, { log: outcome.log, results: outcome.results });
  return outcome.record;
}

/** Restores recorded in every ReadWrite location. */
export async function listRestores(
  session: LocalSession,
  onWarning: (m: string) => void,
): Promise<RestoreRecord[]> {
  const records: RestoreRecord[] = [];
  for (const location of session.config.locations.filter((l) => l.accessMode === "ReadWrite")) {
    try {
      records.push(...(await listStored(await recordsOf(session, location))));
    } catch (err) {
      onWarning(`backup location "${location.name}" could not be read: ${describeError(err)}`);
    }
  }
  return records;
}

async function findRestore(
  session: LocalSession,
  name: string,
): Promise<{ storage: Storage; record: RestoreRecord }> {
  for (const location of session.config.locations.filter((l) => l.accessMode === "ReadWrite")) {
    const storage = await recordsOf(session, location);
    try {
      return { storage, record: await readRestore(storage, name) };
    } catch (err) {
      if (!isKubesnapError(err, "NotFound")) throw err;
    }
  }
  throw new KubesnapError("NotFound", `Restore "${name}" not found`, {
    hint: "run `kubesnap restore get` to list restores",
  });
}

export async function getRestore(session: LocalSession, name: string): Promise<RestoreRecord> {
  return (await findRestore(session, name)).record;
}

export async function restoreLogs(session: LocalSession, name: string): Promise<string> {
  return readRestoreLog((await findRestore(session, name)).storage, name);
}

export async function restoreResults(session: LocalSession, name: string): Promise<ResultsDoc> {
  return readRestoreResults((await findRestore(session, name)).storage, name);
}

export async function deleteRestore(session: LocalSession, name: string): Promise<void> {
  await deleteStored((await findRestore(session, name)).storage, name);
}
