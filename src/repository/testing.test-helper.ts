/** Shared by the repository's unit tests: a real FileStorage on a temp dir and a manual clock. */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { FileStorage } from "../storage/index.js";
import type { Clock } from "./clock.js";

export interface TempStorage {
  readonly dir: string;
  readonly storage: FileStorage;
  cleanup(): Promise<void>;
}

export async function tempStorage(): Promise<TempStorage> {
  const dir = await mkdtemp(join(tmpdir(), "kubesnap-repo-"));
  return { dir, storage: new FileStorage(dir), cleanup: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * A clock that only moves when told to; sleep() advances it instead of waiting. It starts
 * at the real time because files' modification times (used for orphan ages) are real.
 */
export class ManualClock implements Clock {
  constructor(private time = Date.now()) {}

  now(): number {
    return this.time;
  }

  advance(ms: number): void {
    this.time += ms;
  }

  sleep(ms: number): Promise<void> {
    this.time += ms;
    return Promise.resolve();
  }

  every(): () => void {
    // Heartbeats are driven by tests calling refresh() where they matter.
    return () => undefined;
  }
}

/** Deterministic pseudo-random bytes, so failures reproduce. */
export function seededBytes(seed: number, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}
