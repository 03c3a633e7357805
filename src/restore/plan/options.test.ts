import { describe, expect, it } from "vitest";
import { errorOf as errorOfCode } from "../../core/error-of.test-helper.js";
import { resolveRestoreOptions, restoresAllNamespaces } from "./options.js";

describe("resolveRestoreOptions", () => {
  it("applies Velero's defaults", () => {
    expect(resolveRestoreOptions({})).toEqual({
      includeNamespaces: ["*"],
      excludeNamespaces: [],
      includeResources: ["*"],
      excludeResources: [],
      includeClusterResources: undefined,
      selectors: [],
      namespaceMapping: {},
      existingResourcePolicy: "none",
      preserveNodePorts: false,
      provisionedVolumes: new Set(),
      podsWithVolumeData: new Set(),
      restoreVolumeData: true,
    });
  });

  it("treats empty include lists as everything and lower-cases resource names", () => {
    const resolved = resolveRestoreOptions({
      includeNamespaces: [],
      includeResources: [" Deployments.Apps "],
    });
    expect(resolved.includeNamespaces).toEqual(["*"]);
    expect(resolved.includeResources).toEqual(["deployments.apps"]);
  });

  it("turns labelSelector or orSelectors into one list of alternatives", () => {
    expect(resolveRestoreOptions({ labelSelector: { matchLabels: { app: "web" } } }).selectors).toEqual([
      { matchLabels: { app: "web" } },
    ]);
    expect(
      resolveRestoreOptions({ orSelectors: [{ matchLabels: { app: "a" } }, { matchLabels: { app: "b" } }] })
        .selectors,
    ).toHaveLength(2);
  });

  it("rejects labelSelector together with orSelectors", () => {
    expect(
      errorOf(() =>
        resolveRestoreOptions({
          labelSelector: { matchLabels: { a: "b" } },
          orSelectors: [{ matchLabels: { c: "d" } }],
        }),
      ).message,
    ).toBe("Invalid restore options: labelSelector and orSelectors are both set");
  });

  it("validates selectors, mappings and globs", () => {
    expect(
      errorOf(() =>
        resolveRestoreOptions({ labelSelector: { matchExpressions: [{ key: "a", operator: "In" }] } }),
      ).message,
    ).toMatch(/labelSelector: it uses In on "a" without values/);
    expect(errorOf(() => resolveRestoreOptions({ namespaceMapping: { a: "x", b: "x" } })).message).toMatch(
      /both mapped to "x"/,
    );
    expect(errorOf(() => resolveRestoreOptions({ includeNamespaces: ["team-[a"] })).message).toMatch(
      /never closed/,
    );
  });

  it("rejects a name both included and excluded", () => {
    expect(
      errorOf(() => resolveRestoreOptions({ includeNamespaces: ["shop"], excludeNamespaces: ["shop"] }))
        .message,
    ).toBe(`Invalid restore options: namespace "shop" is both included and excluded`);
    expect(
      errorOf(() => resolveRestoreOptions({ includeResources: ["pods"], excludeResources: ["pods"] }))
        .message,
    ).toMatch(/resource "pods" is both included and excluded/);
  });

  it("refuses to include resources that are never restored, like Velero", () => {
    expect(errorOf(() => resolveRestoreOptions({ includeResources: ["nodes"] })).message).toBe(
      `Invalid restore options: "nodes" is never restored (nodes register themselves with the cluster)`,
    );
    expect(
      errorOf(() => resolveRestoreOptions({ includeResources: ["events.events.k8s.io"] })).message,
    ).toMatch(/never restored/);
    expect(errorOf(() => resolveRestoreOptions({ includeResources: ["leases"] })).message).toMatch(/leases/);
    expect(
      errorOf(() => resolveRestoreOptions({ includeResources: ["backups.kubesnap.io"] })).message,
    ).toMatch(/kubesnap's own resources/);
    // Excluding them is harmless.
    expect(() => resolveRestoreOptions({ excludeResources: ["nodes"] })).not.toThrow();
  });

  it("rejects malformed resource names", () => {
    expect(errorOf(() => resolveRestoreOptions({ includeResources: ["pods,services"] })).message).toBe(
      `Invalid resource name "pods,services"`,
    );
  });
});

describe("restoresAllNamespaces", () => {
  it("is true only without any namespace filter", () => {
    expect(restoresAllNamespaces(resolveRestoreOptions({}))).toBe(true);
    expect(restoresAllNamespaces(resolveRestoreOptions({ includeNamespaces: ["shop"] }))).toBe(false);
    expect(restoresAllNamespaces(resolveRestoreOptions({ excludeNamespaces: ["kube-system"] }))).toBe(false);
  });
});

function errorOf(fn: () => unknown) {
  return errorOfCode(fn, "InvalidInput");
}
