/**
 * Lock objects. A snapshot writer holds locks/<id>.json for its lifetime so gc knows a
 * snapshot may be referencing blobs it deduplicated against; gc holds locks/gc.json
 * (created with putIfAbsent) so writers wait and two gcs never run at once. Holders
 * rewrite their lock every 30 s; a lock whose heartbeat is older than 10 min belongs
 * to a dead process. Staleness compares the holder's clock with the reader's, so clocks
 * must agree to within minutes.
 */
import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { ObjectInfo, Storage } from "../storage/index.js";
import type { Clock } from "./clock.js";
import { GC_LOCK_KEY, LOCKS_PREFIX, lockIdOfKey, lockKey } from "./layout.js";

const HEARTBEAT_MS = 30_000;
export const STALE_AFTER_MS = 10 * 60_000;
const GC_POLL_MS = 5_000;

export type LockKind = "snapshot" | "gc";

export interface LockRecord {
  readonly kind: LockKind;
  /** The snapshot being written (snapshot locks only). */
  readonly snapshot?: string;
  readonly host: string;
  readonly pid: number;
  readonly createdAt: string;
  readonly heartbeatAt: string;
}

/** A lock found in the location; record is undefined when the object is not valid lock JSON. */
export interface FoundLock {
  readonly key: string;
  readonly kind: LockKind;
  readonly record: LockRecord | undefined;
  /** Last sign of life: the heartbeat, or the object's modification time for unreadable locks. */
  readonly aliveAt: number;
}

export interface LockContext {
  readonly storage: Storage;
  readonly clock: Clock;
}

export class HeldLock {
  private lastRefresh: number;
  private refreshing: Promise<void> = Promise.resolve();
  private readonly stopHeartbeat: () => void;
  private released = false;

  constructor(
    private readonly ctx: LockContext,
    readonly key: string,
    private readonly record: LockRecord,
  ) {
    this.lastRefresh = Date.parse(record.heartbeatAt);
    this.stopHeartbeat = ctx.clock.every(HEARTBEAT_MS, () => {
      // A failed heartbeat is retried at the next tick; assertFresh() catches a lock that went stale.
      this.refresh().catch(() => undefined);
    });
  }

  /** Rewrites the lock with a new heartbeat. */
  refresh(): Promise<void> {
    const run = this.refreshing.then(async () => {
      if (this.released) return;
      const now = this.ctx.clock.now();
      await this.ctx.storage.put(this.key, encodeLock({ ...this.record, heartbeatAt: iso(now) }));
      this.lastRefresh = now;
    });
    this.refreshing = run.catch(() => undefined);
    return run;
  }

  /**
   * Throws Conflict when the heartbeat has not been refreshed for longer than the stale
   * window: a gc may since have treated this lock as dead and deleted blobs we rely on.
   */
  assertFresh(): void {
    if (this.ctx.clock.now() - this.lastRefresh <= STALE_AFTER_MS) return;
    throw new KubesnapError("Conflict", `Lock ${this.key} at ${this.ctx.storage.description} went stale`, {
      hint: "its heartbeat could not be written for 10 minutes; run the snapshot again",
    });
  }

  async release(): Promise<void> {
    this.stopHeartbeat();
    this.released = true;
    // Wait for a heartbeat in flight, or it could recreate the lock after the delete.
    await this.refreshing;
    await this.ctx.storage.delete(this.key);
  }
}

export async function acquireSnapshotLock(ctx: LockContext, snapshot: string): Promise<HeldLock> {
  const record = newRecord(ctx.clock, "snapshot", snapshot);
  const key = lockKey(randomBytes(16).toString("hex"));
  await ctx.storage.put(key, encodeLock(record));
  return new HeldLock(ctx, key, record);
}

/** Takes the gc lock, replacing a stale one; Conflict when another gc is alive. */
export async function acquireGcLock(ctx: LockContext): Promise<HeldLock> {
  const record = newRecord(ctx.clock, "gc");
  for (let attempt = 0; attempt < 2; attempt++) {
    if (await ctx.storage.putIfAbsent(GC_LOCK_KEY, encodeLock(record)))
      return new HeldLock(ctx, GC_LOCK_KEY, record);
    const existing = await readGcLock(ctx.storage);
    if (!existing) continue; // released between our attempt and the read
    if (!isStale(existing, ctx.clock.now())) {
      throw new KubesnapError("Conflict", `Another gc is running on ${ctx.storage.description}`, {
        hint: `${describeHolder(existing)}; try again when it has finished`,
      });
    }
    // Storage has no compare-and-delete, so two gcs replacing the same stale lock at the
    // same moment could both proceed. A stale gc lock (a gc that died 10+ minutes ago)
    // is rare enough that we accept this rather than add a consensus protocol.
    await ctx.storage.delete(GC_LOCK_KEY);
  }
  throw new KubesnapError("Conflict", `Cannot take the gc lock on ${ctx.storage.description}`, {
    hint: "another gc took it at the same moment; try again",
  });
}

/** Waits (polling) while a live gc lock exists; Timeout after maxWaitMs. */
export async function waitForGc(ctx: LockContext, maxWaitMs: number): Promise<void> {
  const deadline = ctx.clock.now() + maxWaitMs;
  for (;;) {
    const gc = await readGcLock(ctx.storage);
    if (!gc || isStale(gc, ctx.clock.now())) return;
    if (ctx.clock.now() >= deadline) {
      throw new KubesnapError("Timeout", `A gc has held ${ctx.storage.description} for too long`, {
        hint: `${describeHolder(gc)}; wait for it to finish, or delete ${GC_LOCK_KEY} if that process is gone`,
      });
    }
    await ctx.clock.sleep(GC_POLL_MS);
  }
}

/** Every snapshot lock in the location. */
export async function listSnapshotLocks(storage: Storage): Promise<FoundLock[]> {
  const found: FoundLock[] = [];
  for await (const info of storage.list(LOCKS_PREFIX)) {
    if (lockIdOfKey(info.key) === undefined) continue;
    const lock = await readLock(storage, info);
    if (lock) found.push(lock);
  }
  return found;
}

/**
 * A lock is stale when its heartbeat is older than the stale window, or at once when it was
 * taken on this host by a process that no longer runs (a backup killed with SIGKILL): no
 * need to keep gc waiting ten minutes for a writer known to be dead.
 */
export function isStale(lock: FoundLock, now: number): boolean {
  if (lock.record?.host === hostname() && !processAlive(lock.record.pid)) return true;
  return now - lock.aliveAt > STALE_AFTER_MS;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

export function describeHolder(lock: FoundLock): string {
  const r = lock.record;
  if (!r) return `${lock.key} is held by an unknown process`;
  const what = r.kind === "gc" ? "gc" : `snapshot "${r.snapshot ?? "?"}"`;
  return `${lock.key} is held by ${what} on host ${r.host} (pid ${r.pid}) since ${r.createdAt}, last heartbeat ${r.heartbeatAt}`;
}

async function readGcLock(storage: Storage): Promise<FoundLock | undefined> {
  const info = await storage.stat(GC_LOCK_KEY);
  return info ? readLock(storage, info) : undefined;
}

/** Reads a lock; undefined when it vanished between list and get (its holder released it). */
async function readLock(storage: Storage, info: ObjectInfo): Promise<FoundLock | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(info.key);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
  const kind: LockKind = info.key === GC_LOCK_KEY ? "gc" : "snapshot";
  const record = decodeLock(bytes);
  const heartbeat = record ? Date.parse(record.heartbeatAt) : Number.NaN;
  return {
    key: info.key,
    kind,
    record,
    aliveAt: Number.isNaN(heartbeat) ? info.lastModified.getTime() : heartbeat,
  };
}

function newRecord(clock: Clock, kind: LockKind, snapshot?: string): LockRecord {
  const now = iso(clock.now());
  const base = { kind, host: hostname(), pid: process.pid, createdAt: now, heartbeatAt: now };
  return snapshot === undefined ? base : { ...base, snapshot };
}

function encodeLock(record: LockRecord): Uint8Array {
  return Buffer.from(`${JSON.stringify(record, null, 2)}\n`);
}

function decodeLock(bytes: Uint8Array): LockRecord | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(bytes).toString("utf8"));
    if (typeof value !== "object" || value === null) return undefined;
    const r = value as Record<string, unknown>;
    const valid =
      (r.kind === "snapshot" || r.kind === "gc") &&
      typeof r.host === "string" &&
      typeof r.pid === "number" &&
      typeof r.createdAt === "string" &&
      typeof r.heartbeatAt === "string";
    return valid ? (value as LockRecord) : undefined;
  } catch {
    return undefined;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
