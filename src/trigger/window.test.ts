import { describe, expect, it } from "vitest";
import type { TriggerWindow } from "../api/index.js";
import type { Change } from "./changes.js";
import { decideWindow, MAX_WAIT_DEBOUNCES, mergeWindows, recordChange } from "./window.js";

const at = (seconds: number) => new Date(Date.UTC(2026, 10, 26, 7, 0, 0) + seconds * 1000);
const change = (name: string, namespace = "shop"): Change => ({
  event: "update",
  resource: "deployments.apps",
  namespace,
  name,
  resourceVersion: "1",
});

function windowOf(...seconds: number[]): TriggerWindow {
  let window: TriggerWindow | undefined;
  for (const [i, s] of seconds.entries()) window = recordChange(window, change(`d${i}`), { now: at(s) });
  return window as TriggerWindow;
}

describe("recordChange", () => {
  it("opens a window at the first change and counts the rest, keeping the first causes", () => {
    let window = recordChange(undefined, change("web"), { now: at(0) });
    for (let i = 0; i < 14; i++)
      window = recordChange(window, change(`d${i}`, i % 2 ? "a" : "b"), { now: at(1) });
    expect(window.since).toBe(at(0).toISOString());
    expect(window.lastChange).toBe(at(1).toISOString());
    expect(window.changes).toBe(15);
    expect(window.causes).toHaveLength(10);
    expect(window.causes[0]).toMatchObject({ name: "web", seen: at(0).toISOString() });
    expect(window.namespaces).toEqual(["a", "b", "shop"]);
  });

  it("opens the next window in a later second than the last backup, so names never collide", () => {
    const window = recordChange(undefined, change("web"), { now: at(10.2), after: at(10.7) });
    expect(window.since).toBe(at(11).toISOString());
    expect(recordChange(undefined, change("web"), { now: at(30), after: at(10.7) }).since).toBe(
      at(30).toISOString(),
    );
  });
});

describe("decideWindow", () => {
  const options = { debounceMs: 2000, minIntervalMs: 0 };

  it("waits until the changes have been quiet for the debounce", () => {
    const window = windowOf(0, 0.5, 1.5);
    expect(decideWindow(window, { ...options, now: at(2) })).toEqual({ action: "wait", ms: 1500 });
    expect(decideWindow(window, { ...options, now: at(3.5) })).toEqual({ action: "fire" });
  });

  it("fires at the latest MAX_WAIT_DEBOUNCES debounces after the window opened, for objects that never go quiet", () => {
    const window = windowOf(...Array.from({ length: 30 }, (_, i) => i));
    expect(decideWindow(window, { ...options, now: at(2 * MAX_WAIT_DEBOUNCES) })).toEqual({ action: "fire" });
  });

  it("waits for minInterval after the last backup", () => {
    const window = windowOf(100);
    expect(
      decideWindow(window, { debounceMs: 2000, minIntervalMs: 600_000, now: at(102), lastBackup: at(0) }),
    ).toEqual({ action: "wait", ms: 498_000 });
    expect(
      decideWindow(window, { debounceMs: 2000, minIntervalMs: 600_000, now: at(600), lastBackup: at(0) }),
    ).toEqual({ action: "fire" });
  });

  it("fires a window left by a server that stopped as soon as it is read again, if it is due", () => {
    expect(decideWindow(windowOf(0), { ...options, now: at(60) })).toEqual({ action: "fire" });
  });
});

describe("mergeWindows", () => {
  it("puts a window whose backup failed back in front of the changes seen meanwhile", () => {
    const merged = mergeWindows(
      windowOf(0, 1),
      recordChange(undefined, change("late", "other"), { now: at(5) }),
    );
    expect(merged).toMatchObject({
      since: at(0).toISOString(),
      lastChange: at(5).toISOString(),
      changes: 3,
      namespaces: ["other", "shop"],
    });
    expect(merged.causes.map((c) => c.name)).toEqual(["d0", "d1", "late"]);
    expect(mergeWindows(windowOf(0), undefined)).toEqual(windowOf(0));
  });
});
