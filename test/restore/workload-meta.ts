import type { Obj } from "./api.js";

/** Builds the metadata of one workload object: its name, the namespace, and labels. */
export type Meta = (name: string, labels?: Record<string, string>) => Obj["metadata"];

/**
 * The metadata of every object of the workload: in its namespace, with the fixture label
 * (so every object has labels, one more thing a restore must bring back) and any others.
 */
export function fixtureMeta(ns: string): Meta {
  return (name, labels = {}) => ({
    name,
    namespace: ns,
    labels: { "kubesnap-test/fixture": "workload", ...labels },
  });
}

/** The labels of the web pods, which the Deployment sets and the Services and policies select. */
export const WEB_LABELS = { app: "web" };
