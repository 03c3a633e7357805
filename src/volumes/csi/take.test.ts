import { describe, expect, it } from "vitest";
import { snapshotName } from "./take.js";

// Taking a snapshot against the real snapshot controller: test/volumes/csi-take.test.ts.
describe("snapshotName", () => {
  it("names snapshots after the backup and the claim, within a name's length", () => {
    const claim = { namespace: "shop", pvc: "data" };
    expect(snapshotName("nightly", claim)).toMatch(/^nightly-[0-9a-f]{8}$/);
    expect(snapshotName("nightly", { namespace: "shop", pvc: "logs" })).not.toBe(
      snapshotName("nightly", claim),
    );
  });
});
