/**
 * Time as the repository sees it. Locks, heartbeats and the wait for a running gc
 * take a Clock so tests can move time forward instead of sleeping.
 */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number;
  /** Resolves after ms milliseconds. */
  sleep(ms: number): Promise<void>;
  /** Calls fn every ms milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  every(ms, fn) {
    const timer = setInterval(fn, ms);
    // A heartbeat must never keep the process alive on its own.
    timer.unref();
    return () => clearInterval(timer);
  },
};
