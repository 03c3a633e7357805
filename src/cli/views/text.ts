import { type BackupView, failureText, type RestoreView } from "../backends/records.js";

/** Velero's timestamp style in tables: "2026-11-26 07:00:00 +0000 UTC". */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return "<n/a>";
  return `${iso.slice(0, 19).replace("T", " ")} +0000 UTC`;
}

/** A comma-separated list, or the fallback when empty ("*", "<none>"). */
export function joinOr(values: readonly string[], fallback: string): string {
  return values.length > 0 ? values.join(", ") : fallback;
}

/** Lines of a describe section, or "<none>" so an empty section still says so. */
export function orNone(lines: string[]): string[] {
  return lines.length > 0 ? lines : ["<none>"];
}

/** "Failure reason" (or "Validation errors") when there is one, as a describe field. */
export function failureField(record: BackupView | RestoreView): [string, string][] {
  const text = failureText(record.status);
  if (!text) return [];
  return [[record.status.validationErrors?.length ? "Validation errors" : "Failure reason", text]];
}
