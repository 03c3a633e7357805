import { describe, expect, it } from "vitest";
import { job } from "../testing/objects.js";
import { dropControllerUidLabels } from "./job.js";

describe("dropControllerUidLabels", () => {
  it("removes the old uid from the selector and the template so the server generates new ones", () => {
    const j = job("shop", "migrate", "0b5e3a52-6f1d-4c8e-9a47-0d3f2c1b9e77", { active: 1 });
    dropControllerUidLabels(j);
    const spec = j.spec as Record<string, unknown>;
    expect(j.metadata.labels).toEqual({ "job-name": "migrate" });
    expect(spec).not.toHaveProperty("selector");
    expect(spec).not.toHaveProperty("manualSelector");
    expect((spec.template as { metadata: unknown }).metadata).toEqual({
      labels: { "batch.kubernetes.io/job-name": "migrate", "job-name": "migrate" },
    });
  });

  it("keeps other selector labels", () => {
    const j = job("shop", "migrate", "uid-1", {});
    const spec = j.spec as { selector: { matchLabels: Record<string, string> } };
    spec.selector.matchLabels.team = "data";
    dropControllerUidLabels(j);
    expect(spec.selector).toEqual({ matchLabels: { team: "data" } });
  });

  it("leaves a manual selector alone", () => {
    const j = job("shop", "migrate", "uid-1", {});
    const spec = j.spec as Record<string, unknown>;
    spec.manualSelector = true;
    const before = structuredClone(j);
    dropControllerUidLabels(j);
    expect(j).toEqual(before);
  });
});
