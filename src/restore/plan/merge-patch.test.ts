import { describe, expect, it } from "vitest";
import { applyMergePatch, createMergePatch, isEmptyPatch } from "./merge-patch.js";

describe("createMergePatch", () => {
  it("is empty for equal objects, whatever the key order", () => {
    expect(createMergePatch({ a: 1, b: { c: [1, 2] } }, { b: { c: [1, 2] }, a: 1 })).toEqual({});
    expect(isEmptyPatch({})).toBe(true);
  });

  it("sets changed and added values and nulls removed keys, recursively", () => {
    const from = { spec: { replicas: 2, paused: true, template: { image: "nginx:1.26" } }, keep: "x" };
    const to = { spec: { replicas: 3, template: { image: "nginx:1.27" }, minReadySeconds: 5 }, keep: "x" };
    expect(createMergePatch(from, to)).toEqual({
      spec: { replicas: 3, paused: null, template: { image: "nginx:1.27" }, minReadySeconds: 5 },
    });
  });

  it("replaces arrays whole", () => {
    expect(createMergePatch({ list: [1, 2, 3] }, { list: [1, 2] })).toEqual({ list: [1, 2] });
  });

  it("replaces a value whose type changed", () => {
    expect(createMergePatch({ a: { b: 1 } }, { a: "text" })).toEqual({ a: "text" });
    expect(createMergePatch({ a: "text" }, { a: { b: 1 } })).toEqual({ a: { b: 1 } });
  });

  it("treats nulls in the target as absent", () => {
    expect(createMergePatch({ a: 1 }, { a: null })).toEqual({ a: null });
    expect(createMergePatch({}, { a: null })).toEqual({});
  });

  it("round-trips: applying the patch to `from` gives `to`", () => {
    const from = {
      metadata: { labels: { a: "1", b: "2" } },
      spec: { ports: [{ port: 80 }], type: "ClusterIP" },
    };
    const to = { metadata: { labels: { a: "1", c: "3" } }, spec: { ports: [{ port: 443 }] } };
    expect(applyMergePatch(from, createMergePatch(from, to))).toEqual(to);
  });
});

describe("applyMergePatch", () => {
  it("merges objects, deletes nulls, replaces the rest, and leaves the target untouched", () => {
    const target = { a: { b: 1, c: 2 }, d: [1], e: "x" };
    expect(applyMergePatch(target, { a: { b: null, f: 3 }, d: [2], g: { h: 1 } })).toEqual({
      a: { c: 2, f: 3 },
      d: [2],
      e: "x",
      g: { h: 1 },
    });
    expect(target).toEqual({ a: { b: 1, c: 2 }, d: [1], e: "x" });
  });
});
