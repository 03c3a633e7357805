/**
 * The marker a restored volume gets when the node agent is done with it:
 * <volume>/.kubesnap/<restore uid>, holding "ok" or "failed: <reason>". The restored pod's
 * init container (`kubesnap restore-wait`) waits for it, so the pod's own containers start
 * on the restored files, and not at all when they could not be restored.
 */
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { utimeSeconds } from "../volumes/fs/index.js";

export const MARKER_DIR = ".kubesnap";

export function markerPath(volumeDir: string, restoreUid: string): string {
  return join(volumeDir, MARKER_DIR, restoreUid);
}

/** Writes the marker, leaving the volume's own mtime as the restore set it. */
export async function writeMarker(
  volumeDir: string,
  restoreUid: string,
  outcome: MarkerOutcome,
): Promise<void> {
  const before = await stat(volumeDir, { bigint: true });
  await mkdir(join(volumeDir, MARKER_DIR), { recursive: true });
  await writeFile(markerPath(volumeDir, restoreUid), outcome.ok ? "ok\n" : `failed: ${outcome.reason}\n`);
  await utimes(volumeDir, utimeSeconds(before.atimeNs), utimeSeconds(before.mtimeNs));
}

export type MarkerOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

/** The marker's outcome, or undefined while there is none. */
export async function readMarker(volumeDir: string, restoreUid: string): Promise<MarkerOutcome | undefined> {
  let text: string;
  try {
    text = await readFile(markerPath(volumeDir, restoreUid), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const line = text.trim();
  return line === "ok" ? { ok: true } : { ok: false, reason: line.replace(/^failed: /, "") };
}
