import { describe, expect, it } from "vitest";
import { errorOf as errorOfCode } from "../../core/error-of.test-helper.js";
import {
  type LabelSelector,
  matchesAnySelector,
  matchesSelector,
  parseLabelSelector,
  parseOrSelectors,
  validateLabelSelector,
} from "./label-selector.js";

describe("parseLabelSelector", () => {
  it("parses the kubectl syntax into matchLabels and matchExpressions", () => {
    expect(parseLabelSelector("app=nginx,tier in (a,b),!x")).toEqual({
      matchLabels: { app: "nginx" },
      matchExpressions: [
        { key: "tier", operator: "In", values: ["a", "b"] },
        { key: "x", operator: "DoesNotExist" },
      ],
    });
  });

  it("accepts ==, !=, notin, existence and whitespace", () => {
    expect(parseLabelSelector(" app == web , env != prod, tier notin ( a , b ), gpu ")).toEqual({
      matchLabels: { app: "web" },
      matchExpressions: [
        { key: "env", operator: "NotIn", values: ["prod"] },
        { key: "tier", operator: "NotIn", values: ["a", "b"] },
        { key: "gpu", operator: "Exists" },
      ],
    });
  });

  it("accepts prefixed keys and empty values", () => {
    expect(parseLabelSelector("app.kubernetes.io/name=web,team=")).toEqual({
      matchLabels: { "app.kubernetes.io/name": "web", team: "" },
    });
  });

  it("keeps both requirements when a key is given twice", () => {
    const selector = parseLabelSelector("app=a,app=b");
    expect(selector).toEqual({
      matchLabels: { app: "a" },
      matchExpressions: [{ key: "app", operator: "In", values: ["b"] }],
    });
    expect(matchesSelector(selector, { app: "a" })).toBe(false);
  });

  it("parses the empty string as the selector that matches everything", () => {
    expect(parseLabelSelector("")).toEqual({});
    expect(matchesSelector(parseLabelSelector("  "), { any: "thing" })).toBe(true);
  });

  it("explains unclosed parentheses", () => {
    const error = errorOf(() => parseLabelSelector("app=nginx,tier in (a"));
    expect(error.message).toBe(
      `Invalid label selector "app=nginx,tier in (a": it has a '(' that is never closed`,
    );
    expect((error as { hint?: string }).hint).toMatch(/tier in \(a,b\)/);
  });

  it("explains empty requirements and empty value lists", () => {
    expect(errorOf(() => parseLabelSelector("app=a,,b")).message).toBe(
      `Invalid label selector "app=a,,b": it has an empty requirement (requirement 2)`,
    );
    expect(errorOf(() => parseLabelSelector("tier in ()")).message).toMatch(/with no values inside/);
  });

  it("explains bad keys and values", () => {
    expect(errorOf(() => parseLabelSelector("-app=web")).message).toMatch(/label key "-app"/);
    expect(errorOf(() => parseLabelSelector("Example.com/app=web")).message).toMatch(/not a DNS subdomain/);
    expect(errorOf(() => parseLabelSelector(`app=${"x".repeat(64)}`)).message).toMatch(/longer than 63/);
    expect(errorOf(() => parseLabelSelector("app=we b")).message).toMatch(/value "we b"/);
  });

  it("rejects < and >, which only node selectors support", () => {
    expect(errorOf(() => parseLabelSelector("replicas>3")).message).toMatch(/only in node selectors/);
  });

  it("rejects a requirement it cannot read", () => {
    expect(errorOf(() => parseLabelSelector("app in")).message).toMatch(
      /"app in", which is not a requirement/,
    );
    expect(errorOf(() => parseLabelSelector("a)")).message).toMatch("')' without '('");
  });
});

describe("parseOrSelectors", () => {
  it("splits on ' or '", () => {
    expect(parseOrSelectors("foo=bar or app in (nginx,web)")).toEqual([
      { matchLabels: { foo: "bar" } },
      { matchExpressions: [{ key: "app", operator: "In", values: ["nginx", "web"] }] },
    ]);
  });

  it("rejects an empty alternative", () => {
    expect(errorOf(() => parseOrSelectors("foo=bar or ")).message).toMatch(/empty selector around "or"/);
  });
});

describe("matchesSelector", () => {
  const labels = { app: "web", tier: "frontend" };

  it("requires every matchLabels entry", () => {
    expect(matchesSelector({ matchLabels: { app: "web" } }, labels)).toBe(true);
    expect(matchesSelector({ matchLabels: { app: "web", tier: "db" } }, labels)).toBe(false);
    expect(matchesSelector({ matchLabels: { app: "web" } }, undefined)).toBe(false);
  });

  it("follows Kubernetes semantics for each operator", () => {
    const check = (selector: LabelSelector, on: Record<string, string> | undefined) =>
      matchesSelector(selector, on);
    expect(
      check({ matchExpressions: [{ key: "tier", operator: "In", values: ["frontend", "x"] }] }, labels),
    ).toBe(true);
    expect(check({ matchExpressions: [{ key: "tier", operator: "In", values: ["db"] }] }, labels)).toBe(
      false,
    );
    expect(check({ matchExpressions: [{ key: "tier", operator: "NotIn", values: ["db"] }] }, labels)).toBe(
      true,
    );
    // NotIn and DoesNotExist hold for objects without the key at all.
    expect(check({ matchExpressions: [{ key: "env", operator: "NotIn", values: ["prod"] }] }, labels)).toBe(
      true,
    );
    expect(check({ matchExpressions: [{ key: "env", operator: "DoesNotExist" }] }, undefined)).toBe(true);
    expect(check({ matchExpressions: [{ key: "app", operator: "Exists" }] }, labels)).toBe(true);
    expect(check({ matchExpressions: [{ key: "app", operator: "DoesNotExist" }] }, labels)).toBe(false);
  });

  it("matches parsed selectors end to end", () => {
    const selector = parseLabelSelector("app=web,tier in (frontend,backend),!canary");
    expect(matchesSelector(selector, labels)).toBe(true);
    expect(matchesSelector(selector, { ...labels, canary: "true" })).toBe(false);
  });

  it("matches any of several selectors", () => {
    const selectors = parseOrSelectors("app=db or tier=frontend");
    expect(matchesAnySelector(selectors, labels)).toBe(true);
    expect(matchesAnySelector(selectors, { app: "cache" })).toBe(false);
  });
});

describe("validateLabelSelector", () => {
  it("accepts a well-formed structured selector", () => {
    expect(() =>
      validateLabelSelector(
        { matchLabels: { app: "web" }, matchExpressions: [{ key: "tier", operator: "Exists" }] },
        "labelSelector",
      ),
    ).not.toThrow();
  });

  it("rejects In without values and Exists with values", () => {
    expect(
      errorOf(() =>
        validateLabelSelector(
          { matchExpressions: [{ key: "a", operator: "In", values: [] }] },
          "labelSelector",
        ),
      ).message,
    ).toBe(`Invalid labelSelector: it uses In on "a" without values`);
    expect(
      errorOf(() =>
        validateLabelSelector(
          { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
          "labelSelector",
        ),
      ).message,
    ).toMatch(/Exists on "a" with values/);
  });

  it("rejects unknown operators and bad keys", () => {
    const bad = {
      matchExpressions: [{ key: "a", operator: "Gt", values: ["1"] }],
    } as unknown as LabelSelector;
    expect(errorOf(() => validateLabelSelector(bad, "orSelectors[1]")).message).toBe(
      `Invalid orSelectors[1]: it uses unknown operator "Gt" on "a"`,
    );
    expect(
      errorOf(() => validateLabelSelector({ matchLabels: { "a b": "x" } }, "labelSelector")).message,
    ).toMatch(/label key "a b"/);
  });
});

function errorOf(fn: () => unknown) {
  return errorOfCode(fn, "InvalidInput");
}
