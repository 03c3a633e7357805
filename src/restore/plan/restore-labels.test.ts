import { describe, expect, it } from "vitest";
import { labelValueProblem } from "./k8s-names.js";
import { labelValueFor } from "./restore-labels.js";

describe("labelValueFor", () => {
  it("keeps names that are valid label values", () => {
    expect(labelValueFor("nightly-20261126070000")).toBe("nightly-20261126070000");
  });

  it("shortens long names to 63 characters with a hash that keeps them distinct", () => {
    const a = `${"weekly-full-backup-of-the-production-cluster-".repeat(2)}a`;
    const b = `${"weekly-full-backup-of-the-production-cluster-".repeat(2)}b`;
    expect(labelValueFor(a).length).toBeLessThanOrEqual(63);
    expect(labelValueFor(a)).not.toBe(labelValueFor(b));
    expect(labelValueProblem(labelValueFor(a))).toBeUndefined();
    expect(labelValueFor(a)).toBe(labelValueFor(a));
  });

  it("never ends the cut on a separator", () => {
    const name = `${"a".repeat(56)}-.rest-of-a-long-dns-subdomain-name`;
    const value = labelValueFor(name);
    expect(labelValueProblem(value)).toBeUndefined();
    expect(value.startsWith(`${"a".repeat(56)}`)).toBe(true);
    expect(value).toHaveLength(62);
  });
});
