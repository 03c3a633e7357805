import { spawnSync } from "node:child_process";
import { hostname } from "node:os";
import { describe, expect, it } from "vitest";
import { type FoundLock, isStale, STALE_AFTER_MS } from "./lock.js";

function lock(host: string, pid: number, aliveAt: number): FoundLock {
  const at = new Date(aliveAt).toISOString();
  return {
    key: "locks/x.json",
    kind: "snapshot",
    record: { kind: "snapshot", snapshot: "s", host, pid, createdAt: at, heartbeatAt: at },
    aliveAt,
  };
}

describe("lock staleness", () => {
  const now = Date.parse("2026-11-26T07:00:00Z");
  // A pid that surely ran and ended: a child we started and waited for.
  const deadPid = spawnSync(process.execPath, ["-e", ""]).pid ?? 0;

  it("trusts a fresh heartbeat from a live process", () => {
    expect(isStale(lock(hostname(), process.pid, now), now)).toBe(false);
  });

  it("treats a lock of a dead process on this host as stale at once", () => {
    expect(isStale(lock(hostname(), deadPid, now), now)).toBe(true);
  });

  it("cannot see other hosts' processes, so waits for their heartbeat to age", () => {
    expect(isStale(lock("another-host", deadPid, now), now)).toBe(false);
    expect(isStale(lock("another-host", deadPid, now - STALE_AFTER_MS - 1), now)).toBe(true);
  });
});
