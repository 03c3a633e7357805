import { BACKUP_LOG_FILE, BACKUP_RESULTS_FILE, type BackupRecord } from "../backup/record.js";
import { type BackupOutcome, type BackupProgress, runBackup } from "../backup/run.js";
import type { BackupSpec } from "../backup/spec.js";
import { type BackupVerification, verifyBackup } from "../backup/verify.js";
import { describeError, isKubesnapError, KubesnapError } from "../core/errors.js";
import { assertWritable, type BackupLocation } from "../locations/location.js";
import type { ResultsDoc } from "../report/results.js";
import type { GcReport, Repository } from "../repository/index.js";
import { deleteVolumeSnapshots, isVolumeSnapshot, localPodVolumeStep } from "../volumes/fs/index.js";
import { deleteBackupVolumes } from "../volumes/index.js";
import type { LocalSession } from "./session.js";

/** A backup and where it lives. */
export interface StoredBackup {
  readonly record: BackupRecord;
  readonly location: BackupLocation;
}

export async function createBackup(
  session: LocalSession,
  name: string,
  spec: BackupSpec,
  hooks: { onProgress?: (p: BackupProgress) => void; onLog?: (line: string) => void } = {},
): Promise<BackupOutcome> {
  const location = session.location(spec.storageLocation);
  assertWritable(location);
  // Open the location (which writes its config on first use) before touching the cluster:
  // a location that cannot be written fails the command before any work starts.
  const repository = await session.repository(location);
  const client = await session.cluster();
  return runBackup(
    name,
    { ...spec, storageLocation: location.name },
    {
      client,
      repository,
      podVolumes: localPodVolumeStep({
        defaultVolumesToFsBackup: spec.defaultVolumesToFsBackup ?? false,
        volumePolicies: spec.volumePolicies ?? [],
      }),
      ...hooks,
    },
  );
}

/** Every backup in every location (or one location); unreachable locations are reported, not fatal. */
export async function listBackups(
  session: LocalSession,
  onWarning: (message: string) => void,
  locationName?: string,
): Promise<StoredBackup[]> {
  const locations = locationName ? [session.location(locationName)] : session.config.locations;
  const found: StoredBackup[] = [];
  for (const location of locations) {
    try {
      const repository = await session.repository(location);
      // Pod volume snapshots belong to a backup; they are not backups of their own.
      const snapshots = (await repository.listSnapshots()).filter((s) => !isVolumeSnapshot(s.name));
      const records = await Promise.all(snapshots.map((s) => readRecord(repository, s.name)));
      for (const record of records) found.push({ record, location });
    } catch (err) {
      if (locationName) throw err;
      onWarning(`backup location "${location.name}" could not be read: ${describeError(err)}`);
    }
  }
  return found;
}

export async function getBackup(
  session: LocalSession,
  name: string,
): Promise<StoredBackup & { repository: Repository }> {
  for (const location of session.config.locations) {
    const repository = await session.repository(location);
    try {
      return { record: await readRecord(repository, name), location, repository };
    } catch (err) {
      if (!isKubesnapError(err, "NotFound")) throw err;
    }
  }
  throw new KubesnapError("NotFound", `Backup "${name}" not found`, {
    hint: "run `kubesnap backup get` to list backups",
  });
}

export async function backupLogs(session: LocalSession, name: string): Promise<string> {
  const { repository } = await getBackup(session, name);
  return Buffer.from(await repository.readFile(name, BACKUP_LOG_FILE)).toString("utf8");
}

export async function backupResults(session: LocalSession, name: string): Promise<ResultsDoc> {
  const { repository } = await getBackup(session, name);
  return JSON.parse(
    Buffer.from(await repository.readFile(name, BACKUP_RESULTS_FILE)).toString("utf8"),
  ) as ResultsDoc;
}

/**
 * Verifies a backup wherever it is stored. Found by listing, not by reading its manifest:
 * a damaged or swapped manifest is one of the problems verify must report, not a reason to
 * refuse.
 */
export async function verifyLocalBackup(
  session: LocalSession,
  name: string,
  samplePercent: number,
): Promise<BackupVerification> {
  for (const location of session.config.locations) {
    const repository = await session.repository(location);
    if ((await repository.listSnapshots()).some((s) => s.name === name)) {
      return verifyBackup(repository, name, { samplePercent });
    }
  }
  throw new KubesnapError("NotFound", `Backup "${name}" not found`, {
    hint: "run `kubesnap backup get` to list backups",
  });
}

/**
 * Deletes the backup's CSI snapshots (in the cluster of the current context), then its
 * manifest, then collects the data no other backup references.
 */
export async function deleteBackup(session: LocalSession, name: string): Promise<GcReport> {
  const { location, repository, record } = await getBackup(session, name);
  if (location.accessMode === "ReadOnly") {
    throw new KubesnapError(
      "ReadOnly",
      `Backup "${name}" is in ReadOnly location "${location.name}": nothing there is deleted`,
      {
        hint: `switch the location with \`kubesnap backup-location set ${location.name} --access-mode ReadWrite\` first`,
      },
    );
  }
  await deleteBackupVolumes(record, () => session.cluster());
  await repository.deleteSnapshot(name);
  await deleteVolumeSnapshots(repository, name);
  return repository.gc();
}

async function readRecord(repository: Repository, name: string): Promise<BackupRecord> {
  const manifest = await repository.readManifest(name);
  return manifest.body as BackupRecord;
}
