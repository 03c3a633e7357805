import { describe, expect, it } from "vitest";
import type { TriggerEvent } from "../api/index.js";
import type { KubeObject } from "../core/kube-types.js";
import { eventOf, specFingerprint, WatchedObjects } from "./changes.js";

function deployment(
  name: string,
  rv: number,
  generation: number,
  extra: Partial<KubeObject> = {},
): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name,
      namespace: "shop",
      uid: `uid-${name}`,
      resourceVersion: String(rv),
      generation,
      labels: { app: name },
    },
    spec: { replicas: 1 },
    ...extra,
  };
}

function configMap(data: Record<string, string>, rv: number): KubeObject {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "settings",
      namespace: "shop",
      uid: "cm",
      resourceVersion: String(rv),
      managedFields: [rv],
    },
    data,
  };
}

function watched(
  options: { events?: TriggerEvent[]; specChangesOnly?: boolean; namespaces?: string[] } = {},
) {
  return new WatchedObjects("deployments.apps", {
    namespaces: options.namespaces ?? ["*"],
    selector: {},
    events: new Set(options.events ?? ["create", "update", "delete"]),
    specChangesOnly: options.specChangesOnly ?? false,
  });
}

describe("WatchedObjects", () => {
  it("takes the first list as a baseline: what existed before a restart fires nothing", () => {
    const objects = watched();
    expect(objects.sync([deployment("web", 1, 1), deployment("api", 2, 1)])).toEqual([]);
    expect(objects.upsert(deployment("web", 3, 2))).toEqual([
      { event: "update", resource: "deployments.apps", namespace: "shop", name: "web", resourceVersion: "3" },
    ]);
  });

  it("tells a create from an update by whether the object was known", () => {
    const objects = watched();
    objects.sync([]);
    expect(objects.upsert(deployment("web", 5, 1)).map((c) => c.event)).toEqual(["create"]);
    expect(objects.upsert(deployment("web", 6, 2)).map((c) => c.event)).toEqual(["update"]);
    expect(objects.remove(deployment("web", 7, 2))).toEqual([
      { event: "delete", resource: "deployments.apps", namespace: "shop", name: "web", resourceVersion: "7" },
    ]);
  });

  it("with specChangesOnly, ignores status-only updates (no generation bump)", () => {
    const objects = watched({ specChangesOnly: true });
    objects.sync([deployment("web", 1, 1)]);
    expect(objects.upsert(deployment("web", 2, 1, { status: { readyReplicas: 1 } }))).toEqual([]);
    expect(objects.upsert(deployment("web", 3, 2)).map((c) => c.event)).toEqual(["update"]);
  });

  it("counts only the events asked for", () => {
    const objects = watched({ events: ["update"] });
    objects.sync([]);
    expect(objects.upsert(deployment("web", 1, 1))).toEqual([]);
    expect(objects.upsert(deployment("web", 2, 2))).toHaveLength(1);
    expect(objects.remove(deployment("web", 3, 2))).toEqual([]);
  });

  it("compares a re-list (after 410 Gone) with what it knew, so changes made while cut off still count", () => {
    const objects = watched();
    objects.sync([deployment("web", 1, 1), deployment("api", 2, 1), deployment("db", 3, 1)]);
    const changes = objects.sync([
      deployment("web", 1, 1),
      deployment("api", 9, 2),
      deployment("cache", 10, 1),
    ]);
    expect(changes.map((c) => `${c.event} ${c.name}`).sort()).toEqual([
      "create cache",
      "delete db",
      "update api",
    ]);
  });

  it("treats a name deleted and made again as a delete and a create", () => {
    const objects = watched();
    objects.sync([deployment("web", 1, 1)]);
    const again = deployment("web", 4, 1);
    again.metadata.uid = "uid-new";
    expect(
      objects
        .sync([again])
        .map((c) => c.event)
        .sort(),
    ).toEqual(["create", "delete"]);
  });

  it("filters by namespace globs and by selector, before or after the change", () => {
    const objects = new WatchedObjects("deployments.apps", {
      namespaces: ["sh*"],
      selector: { matchLabels: { app: "web" } },
      events: new Set(["create", "update", "delete"]),
      specChangesOnly: false,
    });
    objects.sync([]);
    expect(objects.upsert(deployment("api", 1, 1))).toEqual([]);
    const elsewhere = deployment("web", 2, 1);
    elsewhere.metadata.namespace = "other";
    expect(objects.upsert(elsewhere)).toEqual([]);
    expect(objects.upsert(deployment("web", 3, 1))).toHaveLength(1);
    // Its label removed: it was selected, so the change counts; later ones do not.
    const unlabelled = deployment("web", 4, 1);
    unlabelled.metadata.labels = {};
    expect(objects.upsert(unlabelled)).toHaveLength(1);
    expect(
      objects.upsert({ ...unlabelled, metadata: { ...unlabelled.metadata, resourceVersion: "5" } }),
    ).toEqual([]);
  });
});

describe("eventOf", () => {
  it("needs a changed resourceVersion, or a changed spec with specChangesOnly", () => {
    const a = { resourceVersion: "1", spec: "g1" };
    expect(eventOf(a, { resourceVersion: "1", spec: "g1" }, false)).toBeUndefined();
    expect(eventOf(a, { resourceVersion: "2", spec: "g1" }, false)).toBe("update");
    expect(eventOf(a, { resourceVersion: "2", spec: "g1" }, true)).toBeUndefined();
    expect(eventOf(undefined, undefined, false)).toBeUndefined();
  });
});

describe("specFingerprint", () => {
  it("is the generation when the kind has one", () => {
    expect(specFingerprint(deployment("web", 1, 7))).toBe("g7");
  });

  it("hashes the content of kinds without one, ignoring resourceVersion, managedFields, status and key order", () => {
    const first = specFingerprint(configMap({ a: "1", b: "2" }, 1));
    expect(specFingerprint(configMap({ b: "2", a: "1" }, 2))).toBe(first);
    expect(specFingerprint({ ...configMap({ a: "1", b: "2" }, 3), status: { x: 1 } })).toBe(first);
    expect(specFingerprint(configMap({ a: "1", b: "3" }, 4))).not.toBe(first);
  });
});
