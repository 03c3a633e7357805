/** Small helpers that bound how much work is in flight, so memory stays flat. */

/**
 * Runs fn for every item with at most limit calls in flight. Stops taking new items
 * after the first failure, waits for the running ones, then rethrows that failure.
 */
export async function forEachLimit<T>(
  items: Iterable<T> | AsyncIterable<T>,
  limit: number,
  fn: (item: T) => Promise<void>,
): Promise<void> {
  const running = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  for await (const item of items) {
    if (failure) break;
    const task: Promise<void> = fn(item)
      .catch((error: unknown) => {
        failure ??= { error };
      })
      .finally(() => running.delete(task));
    running.add(task);
    if (running.size >= limit) await Promise.race(running);
  }
  await Promise.all(running);
  if (failure) throw failure.error;
}

/** Counts permits; acquire() resolves with the function that gives the permit back. */
export class Semaphore {
  private available: number;
  private readonly waiting: (() => void)[] = [];

  constructor(permits: number) {
    this.available = permits;
  }

  async acquire(): Promise<() => void> {
    if (this.available > 0) this.available--;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiting.shift();
      // Hand the permit straight to the next waiter instead of counting it back.
      if (next) next();
      else this.available++;
    };
  }
}
