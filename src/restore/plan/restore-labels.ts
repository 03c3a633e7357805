import { createHash } from "node:crypto";
import { labelValueProblem } from "./k8s-names.js";

/** Labels added to every restored object, so a restore's objects can be found (and removed) later. */
export const BACKUP_NAME_LABEL = "kubesnap.io/backup-name";
export const RESTORE_NAME_LABEL = "kubesnap.io/restore-name";

/**
 * Backup and restore names may be DNS subdomains of up to 253 characters, but a label
 * value holds at most 63. Longer names are cut to 57 characters plus a 6-character hash
 * of the full name, so distinct names stay distinct (Velero's label.GetValidName does
 * the same). The cut never ends on a '.' or '-', which a label value may not end with.
 */
export function labelValueFor(name: string): string {
  if (labelValueProblem(name) === undefined) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
  const head = name
    .slice(0, 57)
    .replace(/[^A-Za-z0-9._-]/g, "-")
    .replace(/[^A-Za-z0-9]+$/, "");
  return head === "" ? hash : `${head}${hash}`;
}
