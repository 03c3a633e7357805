import { DEFAULT_CLASS_LABEL, type SnapshotClass } from "./kinds.js";

export type ClassChoice = { readonly name: string } | { readonly reason: string };

/**
 * The VolumeSnapshotClass for a driver's volumes: the one --snapshot-class names when it is
 * that driver's, otherwise the driver's class labelled kubesnap.io/default=true. No class, or
 * two labelled ones, is a reason (never a guess): the volume is then reported as skipped.
 */
export function chooseSnapshotClass(
  driver: string,
  classes: readonly SnapshotClass[],
  requested: string | undefined,
): ClassChoice {
  const forDriver = classes.filter((c) => c.driver === driver);
  if (requested !== undefined && forDriver.some((c) => c.metadata.name === requested))
    return { name: requested };
  const labelled = forDriver.filter((c) => c.metadata.labels?.[DEFAULT_CLASS_LABEL] === "true");
  const [only, ...more] = labelled;
  if (only && more.length === 0) return { name: only.metadata.name };
  const asked =
    requested === undefined ? "" : `--snapshot-class ${requested} is not a class of that driver, and `;
  if (only) {
    const names = labelled.map((c) => c.metadata.name).join(", ");
    return {
      reason: `${asked}CSI driver ${driver} has several VolumeSnapshotClasses labelled ${DEFAULT_CLASS_LABEL}=true (${names}); label one, or name it with --snapshot-class`,
    };
  }
  return {
    reason: `${asked}CSI driver ${driver} has no VolumeSnapshotClass labelled ${DEFAULT_CLASS_LABEL}=true; label one, name one with --snapshot-class, or choose fs-backup or skip for it in a volume policy`,
  };
}

/**
 * The class a restore names on the objects it makes from a snapshot handle, in the cluster it
 * restores into: the backup's own when that cluster has it for the same driver, else the
 * driver's class labelled kubesnap.io/default=true, else any class of the driver, else none
 * (the field is optional on pre-provisioned snapshots). Another cluster need not name its
 * classes as the backed-up one did (migration); Velero picks the same way.
 */
export function restoreSnapshotClass(
  driver: string,
  recorded: string | undefined,
  classes: readonly SnapshotClass[],
): string | undefined {
  const forDriver = classes.filter((c) => c.driver === driver);
  const own = forDriver.find((c) => c.metadata.name === recorded);
  const labelled = forDriver.find((c) => c.metadata.labels?.[DEFAULT_CLASS_LABEL] === "true");
  return (own ?? labelled ?? forDriver[0])?.metadata.name;
}
