import { describe, expect, it } from "vitest";
import { chunkKey, endsBatch, MAX_BATCH, MIN_BATCH, pathKey, sortNames } from "./keys.js";

/** Depth-first order of a tree given as nested objects (null: a file), siblings sorted. */
function walkOrder(tree: Record<string, unknown>, prefix = ""): string[] {
  return sortNames(Object.keys(tree)).flatMap((name) => {
    const path = prefix === "" ? name : `${prefix}/${name}`;
    const child = tree[name];
    return child === null ? [path] : [path, ...walkOrder(child as Record<string, unknown>, path)];
  });
}

describe("snapshot keys", () => {
  it("order paths exactly as the depth-first walk visits them", () => {
    const tree = {
      a: { b: null, "b.txt": null, c: { d: null } },
      "a.b": null,
      "a-": { x: null },
      a0: null,
      "\u0001": null,
      é: { ü: null },
      "\u00ff\u00fe": null,
    };
    const order = ["", ...walkOrder(tree)];
    const keys = order.map(pathKey);
    for (let i = 1; i < keys.length; i++) expect((keys[i - 1] as string) < (keys[i] as string)).toBe(true);
  });

  it("keep a file's chunks together, in index order, before its next sibling", () => {
    const keys = [
      chunkKey("a", 0),
      chunkKey("a", 1),
      chunkKey("a", 0x10),
      chunkKey("a0", 0),
      chunkKey("b/c", 0),
    ];
    expect([...keys].sort()).toEqual(keys);
    expect(chunkKey("a", 0x10) < pathKey("a.b")).toBe(true);
  });

  it("end batches by key, between the minimum and the maximum", () => {
    const sizes: number[] = [];
    let count = 0;
    for (let i = 0; i < 20_000; i++) {
      count++;
      if (endsBatch(pathKey(`dir/file-${i}`), count)) {
        sizes.push(count);
        count = 0;
      }
    }
    expect(Math.min(...sizes)).toBeGreaterThanOrEqual(MIN_BATCH);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(MAX_BATCH);
    const average = sizes.reduce((a, b) => a + b, 0) / sizes.length;
    expect(average).toBeGreaterThan(30);
    expect(average).toBeLessThan(70);
  });
});
