import { MAX_CAUSES, type TriggerWindow } from "../api/index.js";
import type { Change } from "./changes.js";

/**
 * Changes wait in a window until the watched objects have been quiet for the debounce, so a
 * rollout that touches 40 objects makes one backup. Objects that never go quiet (a controller
 * rewriting one every few seconds) would starve it, so a window also closes this many
 * debounce periods after it opened.
 */
export const MAX_WAIT_DEBOUNCES = 10;

const SECOND_MS = 1000;

/**
 * The window with one more change (a new window when there is none). A new window opens at
 * least one second after `after` (the previous window's start), because the backup is named
 * after the second its window opened: two windows in one second must not share a name.
 */
export function recordChange(
  window: TriggerWindow | undefined,
  change: Change,
  options: { readonly now: Date; readonly after?: Date },
): TriggerWindow {
  const seen = options.now.toISOString();
  const cause = { ...change, seen };
  if (!window) {
    const earliest = options.after ? Math.floor(options.after.getTime() / SECOND_MS + 1) * SECOND_MS : 0;
    return {
      since: new Date(Math.max(options.now.getTime(), earliest)).toISOString(),
      lastChange: seen,
      changes: 1,
      causes: [cause],
      namespaces: change.namespace ? [change.namespace] : [],
    };
  }
  return {
    since: window.since,
    lastChange: latest(seen, window.lastChange),
    changes: window.changes + 1,
    causes: window.causes.length < MAX_CAUSES ? [...window.causes, cause] : window.causes,
    namespaces: union(window.namespaces, change.namespace ? [change.namespace] : []),
  };
}

/**
 * One window of two: a window whose backup could not be created goes back in front of
 * the changes seen meanwhile, so neither is lost.
 */
export function mergeWindows(first: TriggerWindow, later: TriggerWindow | undefined): TriggerWindow {
  if (!later) return first;
  return {
    since: earliest(first.since, later.since),
    lastChange: latest(first.lastChange, later.lastChange),
    changes: first.changes + later.changes,
    causes: [...first.causes, ...later.causes].slice(0, MAX_CAUSES),
    namespaces: union(first.namespaces, later.namespaces),
  };
}

export type WindowDecision = { readonly action: "fire" } | { readonly action: "wait"; readonly ms: number };

/**
 * Whether the window's backup is due: once the changes have been quiet for the debounce (or
 * the window has waited MAX_WAIT_DEBOUNCES of them), and not before minInterval has passed
 * since the last backup.
 */
export function decideWindow(
  window: TriggerWindow,
  options: {
    readonly now: Date;
    readonly debounceMs: number;
    readonly minIntervalMs: number;
    readonly lastBackup?: Date;
  },
): WindowDecision {
  const quiet = Date.parse(window.lastChange) + options.debounceMs;
  const longest = Date.parse(window.since) + MAX_WAIT_DEBOUNCES * options.debounceMs;
  const allowed = options.lastBackup ? options.lastBackup.getTime() + options.minIntervalMs : 0;
  const due = Math.max(Math.min(quiet, longest), allowed);
  const ms = due - options.now.getTime();
  return ms <= 0 ? { action: "fire" } : { action: "wait", ms };
}

function earliest(a: string, b: string): string {
  return new Date(Math.min(Date.parse(a), Date.parse(b))).toISOString();
}

function latest(a: string, b: string): string {
  return new Date(Math.max(Date.parse(a), Date.parse(b))).toISOString();
}

function union(a: readonly string[], b: readonly string[]): string[] {
  return [...new Set([...a, ...b])].sort();
}
