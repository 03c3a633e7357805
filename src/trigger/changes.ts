import { createHash } from "node:crypto";
import type { TriggerEvent } from "../api/index.js";
import type { KubeObject } from "../core/kube-types.js";
import { globMatch } from "../restore/plan/glob.js";
import { matchesSelector } from "../restore/plan/label-selector.js";
import type { WatchPlan } from "./check.js";

/** A change the trigger counts, as the watch saw it (the clock adds when). */
export interface Change {
  readonly event: TriggerEvent;
  /** "deployments.apps". */
  readonly resource: string;
  readonly namespace?: string;
  readonly name: string;
  readonly resourceVersion: string;
}

/** What is remembered of a watched object: enough to tell create from update, and spec from status. */
interface Seen {
  readonly namespace?: string;
  readonly name: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly resourceVersion: string;
  /** "g7" for metadata.generation 7; a content hash for kinds without a generation. */
  readonly spec: string;
}

/**
 * The objects of one watch target and the changes between what it saw and what it sees: the
 * first list is a baseline (after a server restart, old changes must not fire), each event
 * after it is compared with the object as last seen, and a re-list (after 410 Gone) is
 * compared whole, so changes made while the watch was cut are still counted. The informer
 * does not say whether an upsert was ADDED or MODIFIED; whether the object was known does.
 * Pure: the watch feeds it, and filters (namespaces, selector, events) apply here.
 */
export class WatchedObjects {
  private readonly seen = new Map<string, Seen>();
  private hasBaseline = false;

  constructor(
    private readonly resource: string,
    private readonly plan: Pick<WatchPlan, "namespaces" | "selector" | "events" | "specChangesOnly">,
  ) {}

  /** A full list: the baseline the first time, compared with what was known after that. */
  sync(objects: readonly KubeObject[]): Change[] {
    const before = new Map(this.seen);
    this.seen.clear();
    const changes: Change[] = [];
    for (const object of objects) {
      const key = keyOf(object);
      const now = seenOf(object);
      this.seen.set(key, now);
      if (!this.hasBaseline) continue;
      const was = before.get(key);
      before.delete(key);
      changes.push(...this.counted(was, now));
    }
    if (this.hasBaseline) for (const gone of before.values()) changes.push(...this.counted(gone, undefined));
    this.hasBaseline = true;
    return changes;
  }

  upsert(object: KubeObject): Change[] {
    const key = keyOf(object);
    const was = this.seen.get(key);
    const now = seenOf(object);
    this.seen.set(key, now);
    return this.counted(was, now);
  }

  remove(object: KubeObject): Change[] {
    const key = keyOf(object);
    const was = this.seen.get(key) ?? seenOf(object);
    this.seen.delete(key);
    // The DELETED event carries the object's last resourceVersion: the cause names it.
    return this.counted(was, undefined, object.metadata.resourceVersion ?? was.resourceVersion);
  }

  private counted(was: Seen | undefined, now: Seen | undefined, deletedAt?: string): Change[] {
    const event = eventOf(was, now, this.plan.specChangesOnly);
    const subject = now ?? was;
    if (!event || !subject || !this.plan.events.has(event)) return [];
    // An object that was or is selected counts: one whose label was just removed changed too.
    if (!this.selected(subject) && !(was && this.selected(was))) return [];
    return [
      {
        event,
        resource: this.resource,
        ...(subject.namespace ? { namespace: subject.namespace } : {}),
        name: subject.name,
        resourceVersion: deletedAt ?? subject.resourceVersion,
      },
    ];
  }

  private selected(object: Seen): boolean {
    if (
      object.namespace !== undefined &&
      !this.plan.namespaces.some((g) => globMatch(g, object.namespace ?? ""))
    )
      return false;
    return matchesSelector(this.plan.selector, object.labels);
  }
}

/** Which event takes an object from `was` to `now`; undefined when nothing the trigger counts changed. */
export function eventOf(
  was: Pick<Seen, "resourceVersion" | "spec"> | undefined,
  now: Pick<Seen, "resourceVersion" | "spec"> | undefined,
  specChangesOnly: boolean,
): TriggerEvent | undefined {
  if (!was) return now ? "create" : undefined;
  if (!now) return "delete";
  // Status writes change the resourceVersion but never the generation.
  const changed = specChangesOnly ? was.spec !== now.spec : was.resourceVersion !== now.resourceVersion;
  return changed ? "update" : undefined;
}

/**
 * The object's spec as a comparable string. Kinds with a spec have metadata.generation, which
 * the API server bumps on spec changes only; kinds without one (ConfigMaps, Secrets) change
 * by their content, so everything but the server's bookkeeping is hashed.
 */
export function specFingerprint(object: KubeObject): string {
  const generation = object.metadata.generation;
  if (typeof generation === "number") return `g${generation}`;
  const { resourceVersion: _rv, managedFields: _mf, ...metadata } = object.metadata;
  const { status: _status, ...rest } = object;
  return createHash("sha256")
    .update(canonicalJson({ ...rest, metadata }))
    .digest("base64url");
}

function seenOf(object: KubeObject): Seen {
  const { namespace, name, labels, resourceVersion } = object.metadata;
  return {
    ...(namespace ? { namespace } : {}),
    name,
    ...(labels ? { labels } : {}),
    resourceVersion: resourceVersion ?? "",
    spec: specFingerprint(object),
  };
}

/** By UID: an object deleted and made again under its name is a delete and a create. */
function keyOf(object: KubeObject): string {
  return object.metadata.uid ?? `${object.metadata.namespace ?? ""}/${object.metadata.name}`;
}

/** JSON with object keys sorted, so equal content always hashes alike. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value);
}
