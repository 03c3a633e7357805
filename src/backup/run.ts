import type { KubeClient } from "../cluster/client.js";
import { discover } from "../cluster/discovery.js";
import { clusterIdentity } from "../cluster/info.js";
import { describeError, KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { KUBESNAP_VERSION } from "../core/version.js";
import { RunLog } from "../report/log.js";
import { Results } from "../report/results.js";
import type { BlobId, Repository, WriterStats } from "../repository/index.js";
import type { PodVolumeStep } from "../volumes/fs/index.js";
import {
  backupVolumes,
  claimKey,
  deleteSnapshots,
  itemOperationTimeout,
  type VolumeRecord,
} from "../volumes/index.js";
import { collect } from "./collect.js";
import {
  BACKUP_FORMAT_VERSION,
  BACKUP_LOG_FILE,
  BACKUP_RESULTS_FILE,
  type BackupRecord,
  type BackupStatus,
  finishedPhase,
  type ItemGroup,
} from "./record.js";
import { selectTypes } from "./select.js";
import type { BackupSpec } from "./spec.js";

export interface BackupProgress {
  readonly itemsDone: number;
  readonly typesDone: number;
  readonly typesTotal: number;
  readonly bytesWritten: number;
}

export interface BackupDeps {
  readonly client: KubeClient;
  readonly repository: Repository;
  readonly now?: () => Date;
  readonly onProgress?: (progress: BackupProgress) => void;
  /** Receives each log line as it is written (the CLI prints them when not on a terminal). */
  readonly onLog?: (line: string) => void;
  /**
   * Aborting stops the run and commits nothing: a server that lost its leader lease must
   * not commit a backup its successor has already declared Failed.
   */
  readonly signal?: AbortSignal;
  /**
   * The file-system step: shown every stored item, it copies the chosen pod volumes (server:
   * through node agents) before the commit. Absent: pod volumes are not looked at.
   */
  readonly podVolumes?: PodVolumeStep;
}

export interface BackupOutcome {
  readonly record: BackupRecord;
  readonly stats: WriterStats;
}

/**
 * discover → select → collect → store. The backup exists only once its manifest is
 * committed, last; a run that dies before that leaves nothing that looks like a backup.
 * The cluster is asked first (who it is, what it serves): an unreachable or forbidden
 * cluster fails the command before anything is written. A run that fails after that is
 * committed as Failed, with the reason, so `backup get` tells what happened.
 */
export async function runBackup(name: string, spec: BackupSpec, deps: BackupDeps): Promise<BackupOutcome> {
  const now = deps.now ?? (() => new Date());
  const started = now();
  const log = new RunLog(now, deps.onLog);
  const results = new Results();
  const cluster = await clusterIdentity(deps.client);
  const discovery = await discover(deps.client);
  // Taking the snapshot lock is the first write: a location that cannot be written fails here.
  // On a store with object lock, everything the backup writes or reuses is retained until it expires.
  const writer = await deps.repository.startSnapshot(name, {
    retainUntil: new Date(started.getTime() + spec.ttlMs),
  });
  let groups: ItemGroup[] = [];
  let lists = {};
  let failureReason: string | undefined;
  let itemsDone = 0;
  const claims: KubeObject[] = [];
  let volumes: VolumeRecord[] = [];
  try {
    log.info(`starting backup ${name} of cluster ${cluster.uid} (${cluster.version})`);
    for (const warning of discovery.warnings) log.warn(results.warning(undefined, warning));
    const selection = selectTypes(discovery.types, spec);
    for (const unknown of selection.unknownResources) {
      log.warn(
        results.warning(
          undefined,
          `--include-resources names "${unknown}", which this cluster does not serve`,
        ),
      );
    }
    const typesTotal =
      selection.namespaced.length + selection.clusterScoped.length + selection.clusterScopedIfNeeded.length;
    let typesDone = 0;
    const report = () =>
      deps.onProgress?.({ itemsDone, typesDone, typesTotal, bytesWritten: writer.stats.bytesWritten });
    const collected = await collect(selection, {
      client: deps.client,
      writer,
      spec,
      results,
      log,
      onItem: (item, type) => {
        itemsDone++;
        if (type.group === "" && type.resource === "persistentvolumeclaims") claims.push(item);
        deps.podVolumes?.noteItem(item, type);
        if (itemsDone % 100 === 0) report();
      },
      ...(deps.signal ? { signal: deps.signal } : {}),
      onType: () => {
        typesDone++;
        report();
      },
    });
    groups = collected.groups;
    lists = collected.lists;
    const copied = deps.podVolumes
      ? await deps.podVolumes.run({ results, log, ...(deps.signal ? { signal: deps.signal } : {}) })
      : [];
    // A claim whose files were copied is not snapshotted as well.
    const copiedClaims = new Set(copied.filter((r) => r.pvc).map(claimKey));
    const snapshotted = await backupVolumes(
      claims.filter(
        (c) => !copiedClaims.has(claimKey({ namespace: c.metadata.namespace ?? "", pvc: c.metadata.name })),
      ),
      spec,
      {
        client: deps.client,
        backupName: name,
        results,
        log,
        servedGroups: new Set(discovery.types.map((t) => t.group)),
      },
    ).catch((err: unknown) => {
      log.error(results.error(undefined, `volume step failed: ${describeError(err)}`));
      return [];
    });
    volumes = [...copied, ...snapshotted];
  } catch (err) {
    failureReason = describeError(err);
    log.error(`backup failed: ${failureReason}`);
  }
  const status: BackupStatus = {
    phase: failureReason ? "Failed" : finishedPhase(results.errors),
    startTimestamp: started.toISOString(),
    completionTimestamp: now().toISOString(),
    expiration: new Date(started.getTime() + spec.ttlMs).toISOString(),
    errors: results.errors,
    warnings: results.warnings,
    ...(failureReason ? { failureReason } : {}),
    progress: { itemsBackedUp: itemsDone, totalItems: itemsDone },
    cluster,
    kubesnapVersion: KUBESNAP_VERSION,
    formatVersion: BACKUP_FORMAT_VERSION,
  };
  const record: BackupRecord = {
    apiVersion: "kubesnap.io/v1",
    kind: "Backup",
    metadata: { name, labels: spec.labels, creationTimestamp: started.toISOString() },
    spec,
    status,
    groups: failureReason ? [] : groups,
    ...(volumes.length > 0 ? { volumes } : {}),
  };
  log.info(
    `backup ${name} finished: ${status.phase}, ${itemsDone} items, ${results.errors} errors, ${results.warnings} warnings`,
  );
  try {
    await writer.putFile(BACKUP_LOG_FILE, Buffer.from(log.text()));
    await writer.putFile(BACKUP_RESULTS_FILE, Buffer.from(JSON.stringify(results.toJSON())));
    if (deps.signal?.aborted) {
      throw new KubesnapError("Conflict", `Backup "${name}" was stopped before it was committed`, {
        hint: "the server lost its leadership or was shut down; nothing was written as a backup",
      });
    }
    const { stats } = await writer.commit({
      body: record,
      lists: failureReason ? {} : lists,
      blobs: record.groups.map((g) => g.names as BlobId),
    });
    return { record, stats };
  } catch (err) {
    await writer.abort();
    // Snapshots no committed backup records would be kept by the driver forever.
    const left = await deleteSnapshots(volumes, {
      client: deps.client,
      timeoutMs: itemOperationTimeout(spec),
    });
    for (const problem of left) log.warn(`uncommitted backup ${name}: ${problem}`);
    throw err;
  }
}
