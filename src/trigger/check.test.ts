import { describe, expect, it } from "vitest";
import { checkTrigger, resolveWatched } from "./check.js";
import { SERVED, triggerSpec } from "./testing.test-helper.js";

function problems(overrides: Parameters<typeof triggerSpec>[0]): readonly string[] {
  const result = checkTrigger(triggerSpec(overrides), SERVED);
  return result.ok ? [] : result.problems;
}

describe("checkTrigger", () => {
  it("turns a valid spec into a watch plan with every value parsed", () => {
    const result = checkTrigger(
      triggerSpec({
        on: ["deployments.apps", "configmaps", "Deployment"],
        labelSelector: "app=web",
        events: ["update"],
        debounce: "2s",
        minInterval: "10m",
      }),
      SERVED,
    );
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.plan.targets.map((t) => t.type.resource)).toEqual(["deployments", "configmaps"]);
    expect(result.plan.targets.every((t) => t.namespace === undefined)).toBe(true);
    expect(result.plan.selector).toEqual({ matchLabels: { app: "web" } });
    expect([...result.plan.events]).toEqual(["update"]);
    expect(result.plan.debounceMs).toBe(2000);
    expect(result.plan.minIntervalMs).toBe(600_000);
  });

  it("watches plain namespaces one by one, and cluster-scoped resources once", () => {
    const result = checkTrigger(
      triggerSpec({ on: ["deployments", "namespaces"], namespaces: ["a", "b"] }),
      SERVED,
    );
    expect(result.ok && result.plan.targets.map((t) => `${t.type.resource}@${t.namespace ?? "*"}`)).toEqual([
      "deployments@a",
      "deployments@b",
      "namespaces@*",
    ]);
    const globbed = checkTrigger(triggerSpec({ namespaces: ["shop-*"] }), SERVED);
    expect(globbed.ok && globbed.plan.targets.map((t) => t.namespace)).toEqual([undefined]);
  });

  it("rejects an unknown resource with the reason and what to do", () => {
    expect(problems({ on: ["deployment.app"] })).toEqual([
      'no served resource is called "deployment.app"; name one that `kubectl api-resources` lists, e.g. "deployments.apps"',
    ]);
  });

  it("rejects a malformed selector", () => {
    const found = problems({ labelSelector: "app in web" });
    expect(found).toHaveLength(1);
    expect(found[0]).toContain("app in web");
  });

  it("rejects a debounce longer than min-interval, saying why", () => {
    expect(problems({ debounce: "30s", minInterval: "10s" })).toEqual([
      "debounce 30s is longer than minInterval 10s, so the interval would never apply; make minInterval at least the debounce, or 0 for no limit",
    ]);
    // No interval: any debounce.
    expect(problems({ debounce: "30s", minInterval: "0s" })).toEqual([]);
    expect(problems({ debounce: "30s", minInterval: "30s" })).toEqual([]);
  });

  it("reports every problem at once", () => {
    expect(problems({ on: [], events: [], namespaces: ["team-[a"], debounce: "soon" })).toHaveLength(4);
  });
});

describe("resolveWatched", () => {
  it("prefers the exact resource.group, so events are the core group's", () => {
    expect(resolveWatched("events", SERVED)).toMatchObject({ group: "" });
    expect(resolveWatched("events.events.k8s.io", SERVED)).toMatchObject({ group: "events.k8s.io" });
  });

  it("refuses an ambiguous name and kubesnap's own resources", () => {
    expect(resolveWatched("widgets", SERVED)).toBe(
      '"widgets" is ambiguous: it names widgets.example.com, widgets.other.example.com; write it with its group',
    );
    expect(resolveWatched("backups", SERVED)).toBe(
      "backups.kubesnap.io cannot fire a trigger: kubesnap's own objects change with every backup it takes",
    );
    expect(typeof resolveWatched("*", SERVED)).toBe("string");
  });
});
