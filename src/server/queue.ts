/**
 * A work queue of object keys, as client-go's: a key waiting is queued once however often
 * it changes, a key being worked on is not handed out again until that work ends (then it
 * runs once more if it changed meanwhile), and failed keys come back after a backoff.
 */
export class WorkQueue {
  private readonly waiting: string[] = [];
  private readonly queued = new Set<string>();
  private readonly active = new Set<string>();
  private readonly dirty = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly sleepers: (() => void)[] = [];
  private closed = false;

  add(key: string): void {
    if (this.closed) return;
    if (this.active.has(key)) {
      this.dirty.add(key);
      return;
    }
    if (this.queued.has(key)) return;
    this.queued.add(key);
    this.waiting.push(key);
    this.sleepers.shift()?.();
  }

  addAfter(key: string, ms: number): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.add(key);
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Requeues a failed key with exponential backoff (0.5 s doubling to 5 minutes). */
  retry(key: string): void {
    const count = (this.failures.get(key) ?? 0) + 1;
    this.failures.set(key, count);
    this.addAfter(key, Math.min(300_000, 500 * 2 ** (count - 1)));
  }

  forget(key: string): void {
    this.failures.delete(key);
  }

  /** The next key to work on, or undefined once the queue is closed. */
  async take(): Promise<string | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      const key = this.waiting.shift();
      if (key !== undefined) {
        this.queued.delete(key);
        this.active.add(key);
        return key;
      }
      await new Promise<void>((resolve) => {
        this.sleepers.push(resolve);
      });
    }
  }

  done(key: string): void {
    this.active.delete(key);
    if (this.dirty.delete(key)) this.add(key);
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    // Every waiting worker must wake to see the queue closed, not just one.
    for (const wake of this.sleepers.splice(0)) wake();
  }
}
