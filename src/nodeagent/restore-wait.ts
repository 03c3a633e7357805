/**
 * What a restored pod's init container does (`kubesnap restore-wait`): wait until the node
 * agent has left a marker for every restored volume (marker.ts), then let the pod start, or
 * fail when a volume could not be restored, so the pod's containers never start on missing
 * data (the kubelet retries the init container; the reason is in its log).
 */
import { type MarkerOutcome, readMarker } from "./marker.js";

export interface WaitOptions {
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called once per volume still waited for, so the init container's log says what it waits for. */
  readonly onWaiting?: (volume: string) => void;
}

const POLL_MS = 1000;

/** Resolves with each volume's outcome once every one has its marker in markerDir. */
export async function waitForRestoredVolumes(
  markerDir: string,
  volumes: readonly string[],
  options: WaitOptions = {},
): Promise<{ volume: string; outcome: MarkerOutcome }[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const done = new Map<string, MarkerOutcome>();
  const announced = new Set<string>();
  for (;;) {
    for (const volume of volumes) {
      if (done.has(volume)) continue;
      const outcome = await readMarker(markerDir, volume);
      if (outcome) done.set(volume, outcome);
      else if (!announced.has(volume)) {
        announced.add(volume);
        options.onWaiting?.(volume);
      }
    }
    if (done.size === volumes.length) {
      return volumes.map((volume) => ({ volume, outcome: done.get(volume) as MarkerOutcome }));
    }
    await sleep(POLL_MS);
  }
}
