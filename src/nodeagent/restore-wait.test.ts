import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeMarker } from "./marker.js";
import { waitForRestoredVolumes } from "./restore-wait.js";

describe("the restored pod's wait", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubesnap-wait-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("waits until every volume has its marker, and reports each outcome", async () => {
    const waiting: string[] = [];
    let sleeps = 0;
    const outcomes = await waitForRestoredVolumes(dir, ["data", "logs"], {
      onWaiting: (volume) => waiting.push(volume),
      // The node agent finishes data, then logs, while the init container sleeps.
      sleep: async () => {
        sleeps++;
        if (sleeps === 1) await writeMarker(dir, "data", { ok: true });
        if (sleeps === 2)
          await writeMarker(dir, "logs", { ok: false, reason: "/x: ENOSPC: no space left on device" });
      },
    });
    expect(waiting).toEqual(["data", "logs"]);
    expect(outcomes).toEqual([
      { volume: "data", outcome: { ok: true } },
      { volume: "logs", outcome: { ok: false, reason: "/x: ENOSPC: no space left on device" } },
    ]);
    expect(sleeps).toBe(2);
  });
});
