import { API_GROUP, type TriggerEvent, type TriggerSpec } from "../api/index.js";
import { resourceMatches } from "../backup/select.js";
import { parseDuration } from "../core/duration.js";
import { describeError } from "../core/errors.js";
import { groupResource, type ResourceType } from "../core/kube-types.js";
import { validateGlob } from "../restore/plan/glob.js";
import { type LabelSelector, parseLabelSelector } from "../restore/plan/label-selector.js";

/** One list+watch: a resource, in one namespace or (namespace undefined) in all of them. */
export interface WatchTarget {
  readonly type: ResourceType;
  readonly namespace?: string;
}

/** What a valid trigger watches and how it waits, with every value parsed. */
export interface WatchPlan {
  readonly targets: readonly WatchTarget[];
  /** Namespace globs a namespaced object must match (cluster-scoped objects always pass). */
  readonly namespaces: readonly string[];
  readonly selector: LabelSelector;
  readonly events: ReadonlySet<TriggerEvent>;
  readonly specChangesOnly: boolean;
  readonly debounceMs: number;
  readonly minIntervalMs: number;
}

export type CheckResult =
  | { readonly ok: true; readonly plan: WatchPlan }
  | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Checks a trigger's spec against the resources the cluster serves and turns it into a
 * watch plan; every problem is reported, each with what to do. Pure: the caller discovers.
 * The server marks a Trigger with problems FailedValidation; the CLI refuses to create it.
 */
export function checkTrigger(spec: TriggerSpec, served: readonly ResourceType[]): CheckResult {
  const problems: string[] = [];
  const attempt = <T>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      problems.push(describeError(err));
      return undefined;
    }
  };
  if (spec.on.length === 0)
    problems.push("the trigger names no resource to watch; name one, e.g. --on deployments.apps");
  const types = new Map<string, ResourceType>();
  for (const name of spec.on) {
    const resolved = resolveWatched(name, served);
    if (typeof resolved === "string") problems.push(resolved);
    // "deployments" and "deployments.apps" are one watch.
    else types.set(groupResource(resolved), resolved);
  }
  for (const glob of spec.namespaces) attempt(() => validateGlob(glob));
  const selector = spec.labelSelector ? attempt(() => parseLabelSelector(spec.labelSelector ?? "")) : {};
  for (const text of [spec.template.labelSelector, ...(spec.template.orLabelSelectors ?? [])]) {
    if (text !== undefined) attempt(() => parseLabelSelector(text));
  }
  attempt(() => parseDuration(spec.template.ttl, { what: "template.ttl" }));
  const debounceMs = attempt(() => parseDuration(spec.debounce, { what: "debounce" }));
  const minIntervalMs = attempt(() => parseDuration(spec.minInterval, { what: "minInterval" }));
  if (spec.events.length === 0)
    problems.push("the trigger fires on no event; name some of create, update, delete");
  if (
    debounceMs !== undefined &&
    minIntervalMs !== undefined &&
    minIntervalMs > 0 &&
    debounceMs > minIntervalMs
  ) {
    // Each window waits out its debounce after the previous backup, so the interval could never apply.
    problems.push(
      `debounce ${spec.debounce} is longer than minInterval ${spec.minInterval}, so the interval would never apply; ` +
        "make minInterval at least the debounce, or 0 for no limit",
    );
  }
  if (
    problems.length > 0 ||
    selector === undefined ||
    debounceMs === undefined ||
    minIntervalMs === undefined
  )
    return { ok: false, problems };
  return {
    ok: true,
    plan: {
      targets: targetsOf([...types.values()], spec.namespaces),
      namespaces: spec.namespaces,
      selector,
      events: new Set(spec.events),
      specChangesOnly: spec.specChangesOnly,
      debounceMs,
      minIntervalMs,
    },
  };
}

/**
 * The served type a user's name means, or why there is none. An exact "resource.group" wins
 * ("events" is the core group's, not events.k8s.io's); otherwise the name must be unambiguous.
 */
export function resolveWatched(name: string, served: readonly ResourceType[]): ResourceType | string {
  const matches = served.filter((t) => name !== "*" && resourceMatches(name, t));
  const exact = matches.filter((t) => groupResource(t) === name.toLowerCase());
  const found = exact.length === 1 ? exact : matches;
  if (found.length === 0)
    return `no served resource is called "${name}"; name one that \`kubectl api-resources\` lists, e.g. "deployments.apps"`;
  if (found.length > 1)
    return `"${name}" is ambiguous: it names ${found.map(groupResource).join(", ")}; write it with its group`;
  const type = found[0] as ResourceType;
  if (type.group === API_GROUP)
    return `${groupResource(type)} cannot fire a trigger: kubesnap's own objects change with every backup it takes`;
  return type;
}

/**
 * Plain namespace names are watched one by one (far less to list and follow on a big
 * cluster); any glob means one cluster-wide watch per resource, filtered here.
 */
function targetsOf(types: readonly ResourceType[], namespaces: readonly string[]): WatchTarget[] {
  const plain = namespaces.every((ns) => !/[*?[!]/.test(ns));
  return types.flatMap((type) =>
    type.namespaced && plain ? namespaces.map((namespace) => ({ type, namespace })) : [{ type }],
  );
}
