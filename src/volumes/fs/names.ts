/**
 * Where a pod volume's backup lives: its own snapshot in the backup's repository, named
 * "<backup>_fs_<pod uid>_<volume>". Backup names, pod UIDs and volume names are
 * Kubernetes names, which never hold "_", so such a name cannot be a backup's own
 * snapshot, and the backup it belongs to is the part before the first "_".
 */

export const VOLUME_SNAPSHOT_MARK = "_fs_";

export function volumeSnapshotName(backup: string, podUid: string, volume: string): string {
  return `${backup}${VOLUME_SNAPSHOT_MARK}${podUid}_${volume}`;
}

/** True for the snapshot of a pod volume, false for a backup's own snapshot. */
export function isVolumeSnapshot(name: string): boolean {
  return name.includes(VOLUME_SNAPSHOT_MARK);
}

/** The pod volume snapshots of one backup among snapshot names (deleted with the backup). */
export function volumeSnapshotsOf(backup: string, names: Iterable<string>): string[] {
  const prefix = `${backup}${VOLUME_SNAPSHOT_MARK}`;
  return [...names].filter((name) => name.startsWith(prefix));
}
