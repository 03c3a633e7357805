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
