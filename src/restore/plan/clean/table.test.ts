import { describe, expect, it } from "vitest";
import { cleanRulesFor, groupKind } from "./table.js";

describe("clean rule table", () => {
  it("names kinds with their group", () => {
    expect(groupKind({ apiVersion: "v1", kind: "Pod" })).toBe("Pod");
    expect(groupKind({ apiVersion: "batch/v1", kind: "Job" })).toBe("Job.batch");
  });

  it("finds the rules of built-in kinds and none for look-alike custom kinds", () => {
    expect(cleanRulesFor({ apiVersion: "v1", kind: "Service" }).map((rule) => rule.name)).toEqual([
      "clearClusterIps",
      "clearNodePorts",
    ]);
    expect(cleanRulesFor({ apiVersion: "batch/v1", kind: "Job" }).map((rule) => rule.name)).toEqual([
      "dropControllerUidLabels",
    ]);
    expect(cleanRulesFor({ apiVersion: "serving.knative.dev/v1", kind: "Service" })).toEqual([]);
    expect(cleanRulesFor({ apiVersion: "apps/v1", kind: "Deployment" })).toEqual([]);
  });
});
