/**
 * The marker the node agent leaves for each volume of a restored pod once it is done with
 * it: <marker dir>/<volume name>, holding "ok" or "failed: <reason>". The marker directory is
 * an emptyDir the restore adds to the pod (restore-step.ts), and the pod's init container
 * (`kubesnap restore-wait`) waits there, so the pod's own containers start on the restored
 * files, and not at all when they could not be restored. Markers stay out of the restored
 * volumes themselves: nothing of kubesnap's is left among the pod's files, and the init
 * container needs no access to them (a volume's root may be another user's, mode 0700).
 */
import { readFile, rename, writeFile } from "node:fs/promises";
import { join } from "node:path";

export type MarkerOutcome = { readonly ok: true } | { readonly ok: false; readonly reason: string };

export function markerPath(markerDir: string, volume: string): string {
  return join(markerDir, volume);
}

/** Written whole, then renamed into place: the init container never reads half a marker. */
export async function writeMarker(markerDir: string, volume: string, outcome: MarkerOutcome): Promise<void> {
  const path = markerPath(markerDir, volume);
  await writeFile(`${path}.tmp`, outcome.ok ? "ok\n" : `failed: ${outcome.reason}\n`, { mode: 0o644 });
  await rename(`${path}.tmp`, path);
}

/** The marker's outcome, or undefined while there is none. */
export async function readMarker(markerDir: string, volume: string): Promise<MarkerOutcome | undefined> {
  let text: string;
  try {
    text = await readFile(markerPath(markerDir, volume), "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const line = text.trim();
  return line === "ok" ? { ok: true } : { ok: false, reason: line.replace(/^failed: /, "") };
}
