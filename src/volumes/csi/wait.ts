import { KubesnapError } from "../../core/errors.js";

/** Time as the snapshot steps see it, injected so tests control it instead of sleeping. */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** How often a snapshot's or content's state is read again while waiting. */
const POLL_MS = 500;

/**
 * Calls check until it returns a value, at most timeoutMs long; then fails with code Timeout
 * (callers add what they waited for). A check that throws ends the wait with its error.
 */
export async function pollUntil<T>(
  clock: Clock,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (clock.now() >= deadline) throw new KubesnapError("Timeout", `not done after ${timeoutMs / 1000} s`);
    await clock.sleep(POLL_MS);
  }
}
