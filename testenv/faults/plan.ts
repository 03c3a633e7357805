/**
 * What a fault proxy does to each request (or connection) it carries: the knobs, a seeded
 * random draw per request, and counts of what it did. The counts are what make a fault test
 * honest: a test that saw no fault injected has proved nothing, and can check that it did.
 */

export interface Faults {
  /** Share of requests answered with a 503 (an S3 SlowDown error) without reaching the target. */
  readonly errorRate: number;
  /** Share of requests (or new connections) whose connection is cut without an answer. */
  readonly dropRate: number;
  /** Share of requests read in full and then never answered, as a hung server does. */
  readonly stallRate: number;
  /** Waited before each forwarded request (or new connection). */
  readonly delayMs: number;
  /** The target is gone: every request (or new connection) is cut at once, open ones too. */
  readonly down: boolean;
}

/** What happens to one request: the first five are faults, "forward" is none. */
export type Fate = "refused" | "dropped" | "errored" | "stalled" | "forwarded";

export type FaultCounts = Record<Fate, number>;

const noFaults: Faults = { errorRate: 0, dropRate: 0, stallRate: 0, delayMs: 0, down: false };

export class FaultPlan {
  #faults: Faults;
  readonly #random: () => number;
  readonly #counts: FaultCounts = { refused: 0, dropped: 0, errored: 0, stalled: 0, forwarded: 0 };

  /** The same seed gives the same fates in the same order of requests. */
  constructor(faults: Partial<Faults> = {}, seed: number = Math.floor(Math.random() * 2 ** 32)) {
    this.#faults = checked({ ...noFaults, ...faults });
    this.#random = mulberry32(seed);
  }

  get faults(): Faults {
    return this.#faults;
  }

  get counts(): Readonly<FaultCounts> {
    return { ...this.#counts };
  }

  set(change: Partial<Faults>): void {
    this.#faults = checked({ ...this.#faults, ...change });
  }

  /** Draws the fate of the next request and counts it. */
  decide(): Fate {
    const fate = this.#draw();
    this.#counts[fate]++;
    return fate;
  }

  #draw(): Fate {
    const { down, dropRate, errorRate, stallRate } = this.#faults;
    if (down) return "refused";
    // One draw per request, even when every rate is 0, so a seed's sequence does not
    // depend on when a test turned a fault on.
    const r = this.#random();
    if (r < dropRate) return "dropped";
    if (r < dropRate + errorRate) return "errored";
    if (r < dropRate + errorRate + stallRate) return "stalled";
    return "forwarded";
  }
}

function checked(faults: Faults): Faults {
  const { dropRate, errorRate, stallRate, delayMs } = faults;
  const rates = [dropRate, errorRate, stallRate];
  if (rates.some((r) => !(r >= 0 && r <= 1)) || dropRate + errorRate + stallRate > 1) {
    throw new Error(`fault proxy: rates must be in [0, 1] and sum to at most 1 (${JSON.stringify(faults)})`);
  }
  if (!(delayMs >= 0)) throw new Error(`fault proxy: delayMs must be >= 0, not ${delayMs}`);
  return faults;
}

/** A small, fast 32-bit PRNG: enough for choosing faults, and reproducible from its seed. */
function mulberry32(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}
