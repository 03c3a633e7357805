/**
 * One pod volume's backup as one snapshot: started with a lock, written by backupTree and
 * committed last. A process killed before the commit leaves no snapshot, only unindexed
 * packs that gc removes (docs/format.md, "Commit protocol").
 */
import type { Repository, WriterStats } from "../../repository/index.js";
import { backupTree, type TreeBackupOptions } from "./backup.js";
import type { FsSnapshotBody } from "./format.js";
import { volumeSnapshotsOf } from "./names.js";

export interface VolumeBackupOptions extends TreeBackupOptions {
  readonly snapshot: string;
  /** Object lock: retained until the backup expires. */
  readonly retainUntil?: Date;
}

export async function backupVolume(
  repository: Repository,
  root: string,
  options: VolumeBackupOptions,
): Promise<{ body: FsSnapshotBody; stats: WriterStats }> {
  const writer = await repository.startSnapshot(
    options.snapshot,
    options.retainUntil ? { retainUntil: options.retainUntil } : {},
  );
  try {
    const { body, lists } = await backupTree(root, writer, options);
    options.signal?.throwIfAborted();
    const { stats } = await writer.commit({ body, lists });
    return { body, stats };
  } catch (err) {
    await writer.abort();
    throw err;
  }
}

/**
 * Deletes the pod volume snapshots of a deleted backup (after its own manifest: the backup
 * disappears at once, and a volume snapshot left by a failure here is only space, which
 * the next delete of the backup's name cleans up). gc then frees what nothing else uses.
 */
export async function deleteVolumeSnapshots(repository: Repository, backup: string): Promise<string[]> {
  const names = volumeSnapshotsOf(
    backup,
    (await repository.listSnapshots()).map((s) => s.name),
  );
  for (const name of names) await repository.deleteSnapshot(name);
  return names;
}
