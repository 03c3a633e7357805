import { mkdir, mkdtemp, rm } from "node:fs/promises";
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
    const a = join(dir, "a");
    const b = join(dir, "b");
    await mkdir(a);
    await mkdir(b);
    const waiting: string[] = [];
    let sleeps = 0;
    const outcomes = await waitForRestoredVolumes([a, b], {
      restoreUid: "r-1",
      onWaiting: (d) => waiting.push(d),
      // The node agent finishes a, then b, while the init container sleeps.
      sleep: async () => {
        sleeps++;
        if (sleeps === 1) await writeMarker(a, "r-1", { ok: true });
        if (sleeps === 2)
          await writeMarker(b, "r-1", { ok: false, reason: "/x: ENOSPC: no space left on device" });
      },
    });
    expect(waiting).toEqual([a, b]);
    expect(outcomes).toEqual([
      { dir: a, outcome: { ok: true } },
      { dir: b, outcome: { ok: false, reason: "/x: ENOSPC: no space left on device" } },
    ]);
  });

  it("ignores a marker of another restore", async () => {
    const c = join(dir, "c");
    await mkdir(c);
    await writeMarker(c, "older", { ok: true });
    let sleeps = 0;
    await waitForRestoredVolumes([c], {
      restoreUid: "newer",
      sleep: async () => {
        if (++sleeps === 3) await writeMarker(c, "newer", { ok: true });
      },
    });
    expect(sleeps).toBe(3);
  });
});
