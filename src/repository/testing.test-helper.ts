/** Shared by the repository's unit tests: a real FileStorage on a temp dir and a manual clock. */
import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { FileStorage } from "../storage/index.js";
import type { Clock } from "./clock.js";
import type { Repository } from "./repository.js";

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

/**
 * Commits snapshot `name` holding data as one id list "items" (keys in data order) and
 * the given side files; returns the data ids and the commit's result.
 */
export async function writeSnapshot(
  repo: Repository,
  name: string,
  data: readonly Uint8Array[],
  files: Readonly<Record<string, string>> = {},
) {
  const writer = await repo.startSnapshot(name);
  const list = writer.idList();
  const ids = await Promise.all(data.map((bytes) => writer.addBlob(bytes)));
  for (const [i, id] of ids.entries()) await list.add(`k${String(i).padStart(6, "0")}`, id);
  for (const [file, text] of Object.entries(files)) await writer.putFile(file, Buffer.from(text));
  const items = await list.finish();
  return { ids, ...(await writer.commit({ body: { note: name }, lists: { items } })) };
}

/** Every stored object under dir: key (relative, '/'-separated) and bytes. */
export async function storedObjects(dir: string): Promise<{ key: string; bytes: Buffer }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => {
        const path = join(e.parentPath, e.name);
        return { key: relative(dir, path).split(sep).join("/"), bytes: await readFile(path) };
      }),
  );
}
