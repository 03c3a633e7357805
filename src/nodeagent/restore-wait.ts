/**
 * What a restored pod's init container does (`kubesnap restore-wait`): wait until the node
 * agent has left its marker in every restored volume (marker.ts), then let the pod start,
 * or fail when a volume could not be restored, so the pod's containers never start on
 * missing data (the kubelet retries the init container; the reason is in its log).
 */
import { type MarkerOutcome, readMarker } from "./marker.js";

export interface WaitOptions {
  readonly restoreUid: string;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Called once per volume still waited for, so the init container's log says what it waits for. */
  readonly onWaiting?: (dir: string) => void;
}

const POLL_MS = 1000;

/** Resolves with each volume's outcome once every one has its marker. */
export async function waitForRestoredVolumes(
  dirs: readonly string[],
  options: WaitOptions,
): Promise<{ dir: string; outcome: MarkerOutcome }[]> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const done = new Map<string, MarkerOutcome>();
  const announced = new Set<string>();
  for (;;) {
    for (const dir of dirs) {
      if (done.has(dir)) continue;
      const outcome = await readMarker(dir, options.restoreUid);
      if (outcome) done.set(dir, outcome);
      else if (!announced.has(dir)) {
        announced.add(dir);
        options.onWaiting?.(dir);
      }
    }
    if (done.size === dirs.length)
      return dirs.map((dir) => ({ dir, outcome: done.get(dir) as MarkerOutcome }));
    await sleep(POLL_MS);
  }
}
