import { describe, expect, it } from "vitest";
import { isKubesnapError } from "../core/errors.js";
import { decideVolume, parseVolumePolicies, type VolumeFacts, type VolumePolicy } from "./policy.js";

const db: VolumeFacts = {
  storageClass: "fast",
  csiDriver: "ebs.csi.aws.com",
  labels: { app: "db", tier: "data" },
};

function policy(conditions: VolumePolicy["conditions"], type: VolumePolicy["action"]["type"]): VolumePolicy {
  return { conditions, action: { type } };
}

describe("decideVolume", () => {
  it("snapshots a volume no policy matches", () => {
    expect(decideVolume(db, { policies: [], snapshotVolumes: true })).toEqual({
      action: "snapshot",
      because: "no volume policy matched; snapshot is the default",
    });
  });

  it("takes the first policy whose conditions all hold", () => {
    const policies = [
      policy({ storageClass: ["fast"], pvcLabels: { app: "web" } }, "skip"),
      policy({ csi: { driver: "ebs.csi.aws.com" }, pvcLabels: { app: "db" } }, "fs-backup"),
      policy({}, "skip"),
    ];
    expect(decideVolume(db, { policies, snapshotVolumes: true })).toEqual({
      action: "fs-backup",
      because: "volume policy 2 chose fs-backup",
    });
  });

  it("matches storage classes, drivers and labels each on their own", () => {
    const decide = (p: VolumePolicy, facts: VolumeFacts = db) =>
      decideVolume(facts, { policies: [p], snapshotVolumes: true }).action;
    expect(decide(policy({ storageClass: ["slow", "fast"] }, "skip"))).toBe("skip");
    expect(decide(policy({ storageClass: ["slow"] }, "skip"))).toBe("snapshot");
    expect(decide(policy({ csi: { driver: "other" } }, "skip"))).toBe("snapshot");
    expect(decide(policy({ pvcLabels: { app: "db", tier: "data" } }, "skip"))).toBe("skip");
    expect(decide(policy({ pvcLabels: { app: "db", tier: "web" } }, "skip"))).toBe("snapshot");
    // A claim without a storage class or a non-CSI volume matches no such condition.
    expect(decide(policy({ storageClass: ["fast"] }, "skip"), { labels: {} })).toBe("snapshot");
    expect(decide(policy({ csi: { driver: "ebs.csi.aws.com" } }, "skip"), { labels: {} })).toBe("snapshot");
    expect(decide(policy({}, "skip"), { labels: {} })).toBe("skip");
  });

  it("skips with the reason when snapshots are turned off, but keeps other choices", () => {
    const policies = [policy({ pvcLabels: { app: "db" } }, "fs-backup")];
    expect(decideVolume({ labels: {} }, { policies, snapshotVolumes: false })).toEqual({
      action: "skip",
      because: "volume snapshots are turned off (--snapshot-volumes=false)",
    });
    expect(decideVolume(db, { policies, snapshotVolumes: false }).action).toBe("fs-backup");
  });
});

describe("parseVolumePolicies", () => {
  it("reads Velero's resource-policy document", () => {
    const text = [
      "version: v1",
      "volumePolicies:",
      "  - conditions:",
      "      storageClass: [gp2, standard]",
      "      csi: { driver: ebs.csi.aws.com }",
      "      pvcLabels: { environment: production }",
      "    action: { type: fs-backup }",
      "  - conditions: {}",
      "    action: { type: skip }",
    ].join("\n");
    expect(parseVolumePolicies(text, "p.yaml")).toEqual([
      policy(
        {
          storageClass: ["gp2", "standard"],
          csi: { driver: "ebs.csi.aws.com" },
          pvcLabels: { environment: "production" },
        },
        "fs-backup",
      ),
      policy({}, "skip"),
    ]);
  });

  it("refuses what it does not understand, naming where", () => {
    const problem = (text: string) => {
      try {
        parseVolumePolicies(text, "p.yaml");
      } catch (err) {
        expect(isKubesnapError(err, "InvalidInput")).toBe(true);
        return (err as Error).message;
      }
      throw new Error("parsed");
    };
    expect(problem("volumePolicies: []")).toContain("version must be v1");
    expect(problem("version: v1\nvolumePolicies: {}")).toContain("volumePolicies must be a list");
    expect(problem("version: v1\nvolumePolicies: []\nextra: 1")).toContain("unknown fields: extra");
    expect(
      problem(
        'version: v1\nvolumePolicies:\n  - conditions: { capacity: "0,10Gi" }\n    action: { type: skip }',
      ),
    ).toContain("volumePolicies[0].conditions.capacity: is not a known field");
    expect(problem("version: v1\nvolumePolicies:\n  - action: { type: copy }")).toContain(
      "volumePolicies[0].action.type: must be one of snapshot, fs-backup, skip",
    );
    expect(problem("version: v1\nvolumePolicies: [\n")).toContain("is not YAML");
  });
});
