/** Velero's timestamp style in tables: "2026-11-26 07:00:00 +0000 UTC". */
export function formatTimestamp(iso: string | undefined): string {
  if (!iso) return "<n/a>";
  return `${iso.slice(0, 19).replace("T", " ")} +0000 UTC`;
}
