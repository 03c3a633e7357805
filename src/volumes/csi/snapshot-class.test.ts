import { describe, expect, it } from "vitest";
import type { SnapshotClass } from "./kinds.js";
import { chooseSnapshotClass, restoreSnapshotClass } from "./snapshot-class.js";

function snapshotClass(name: string, driver: string, isDefault = false): SnapshotClass {
  return {
    apiVersion: "snapshot.storage.k8s.io/v1",
    kind: "VolumeSnapshotClass",
    metadata: { name, ...(isDefault ? { labels: { "kubesnap.io/default": "true" } } : {}) },
    driver,
  };
}

const classes = [
  snapshotClass("ebs-default", "ebs", true),
  snapshotClass("ebs-fast", "ebs"),
  snapshotClass("gce", "gce"),
];

describe("chooseSnapshotClass", () => {
  it("takes the driver's labelled class", () => {
    expect(chooseSnapshotClass("ebs", classes, undefined)).toEqual({ name: "ebs-default" });
  });

  it("takes --snapshot-class for volumes of its driver, the labelled one for others", () => {
    expect(chooseSnapshotClass("ebs", classes, "ebs-fast")).toEqual({ name: "ebs-fast" });
    expect(
      chooseSnapshotClass("ebs", [...classes, snapshotClass("gce-default", "gce", true)], "gce"),
    ).toEqual({
      name: "ebs-default",
    });
  });

  it("gives the reason when there is no class to take", () => {
    expect(chooseSnapshotClass("gce", classes, undefined)).toEqual({
      reason: expect.stringContaining(
        "CSI driver gce has no VolumeSnapshotClass labelled kubesnap.io/default=true",
      ),
    });
    expect(chooseSnapshotClass("nfs", classes, "ebs-fast")).toEqual({
      reason: expect.stringMatching(
        /^--snapshot-class ebs-fast is not a class of that driver, and CSI driver nfs has no/,
      ),
    });
  });

  it("refuses to guess between two labelled classes", () => {
    const two = [...classes, snapshotClass("ebs-other", "ebs", true)];
    expect(chooseSnapshotClass("ebs", two, undefined)).toEqual({
      reason: expect.stringContaining(
        "several VolumeSnapshotClasses labelled kubesnap.io/default=true (ebs-default, ebs-other)",
      ),
    });
  });
});

describe("restoreSnapshotClass", () => {
  it("keeps the backup's class where the cluster has it for the driver", () => {
    expect(restoreSnapshotClass("ebs", "ebs-fast", classes)).toBe("ebs-fast");
  });

  it("falls back to the driver's default-labelled class, then any of its classes, then none", () => {
    expect(restoreSnapshotClass("ebs", "kubesnap-retain-ebs-old", classes)).toBe("ebs-default");
    expect(restoreSnapshotClass("gce", "gce-old", classes)).toBe("gce");
    // A class of that name for another driver is no match.
    expect(restoreSnapshotClass("gce", "ebs-fast", classes)).toBe("gce");
    expect(restoreSnapshotClass("azure", "azure-old", classes)).toBeUndefined();
  });
});
