import type { BackupProblem, BackupVerification } from "../../backup/verify.js";
import { formatBytes } from "../output/progress.js";
import { formatTimestamp } from "./text.js";

export const verifyColumns = ["KIND", "STORAGE OBJECT", "BACKED-UP OBJECTS", "PROBLEM"];

export function verifyRow(problem: BackupProblem): string[] {
  const objects =
    problem.objects.length > 3
      ? `${problem.objects.slice(0, 3).join(", ")} and ${problem.objects.length - 3} more`
      : problem.objects.join(", ") || "<none named>";
  return [problem.kind, problem.key ?? "<no object>", objects, problem.message];
}

/** "read 120 of 2,400 blobs (5% sample), 1.2 MiB, at …: 2 problems" */
export function verificationSummary(v: Omit<BackupVerification, "backup">): string {
  const sample = v.samplePercent < 100 ? ` (${v.samplePercent}% sample)` : "";
  const outcome = v.problems.length === 0 ? "no problems" : `${v.problems.length} problem(s)`;
  return (
    `read ${v.blobsChecked} of ${v.blobsReferenced} blobs${sample}, ${formatBytes(v.bytesRead)}, ` +
    `at ${formatTimestamp(v.verifiedAt)}: ${outcome}`
  );
}
