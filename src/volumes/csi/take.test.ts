import { describe, expect, it } from "vitest";
import type { KubeClient } from "../../cluster/client.js";
import type { HttpRequest } from "../../cluster/http.js";
import { isKubesnapError } from "../../core/errors.js";
import { snapshotName, takeSnapshot } from "./take.js";
import type { Clock } from "./wait.js";

/** Time that moves only when the code under test sleeps. */
function fakeClock(): Clock {
  let now = 0;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
    },
  };
}

/** A client whose VolumeSnapshot never gets ready, recording what was asked of it. */
function stuckClient(calls: string[]): KubeClient {
  return {
    request: async (req: HttpRequest) => {
      calls.push(`${req.method} ${req.path}`);
      return {};
    },
    get: async (path: string) => {
      calls.push(`GET ${path}`);
      if (path.includes("/volumesnapshotclasses/"))
        return { driver: "hostpath.csi", deletionPolicy: "Delete" };
      return { status: { readyToUse: false, error: { message: "driver unreachable" } } };
    },
  } as unknown as KubeClient;
}

const request = {
  namespace: "shop",
  pvc: "data",
  volumeName: "pv-1",
  driver: "hostpath.csi",
  className: "hostpath",
};

describe("takeSnapshot", () => {
  it("gives up after the item operation timeout, says why, and removes its VolumeSnapshot", async () => {
    const calls: string[] = [];
    const name = snapshotName("nightly", request);
    const path = `/apis/snapshot.storage.k8s.io/v1/namespaces/shop/volumesnapshots`;
    const failure = await takeSnapshot(request, {
      client: stuckClient(calls),
      backupName: "nightly",
      timeoutMs: 60_000,
      clock: fakeClock(),
    }).catch((err: unknown) => err);
    expect(isKubesnapError(failure, "Timeout")).toBe(true);
    expect((failure as Error).message).toBe(
      "The snapshot of PVC shop/data was not ready within 60 s: driver unreachable",
    );
    // The class's Retain twin is made first (retain-class.ts).
    const classes = "/apis/snapshot.storage.k8s.io/v1/volumesnapshotclasses";
    expect(calls.slice(0, 3)).toEqual([`GET ${classes}/hostpath`, `POST ${classes}`, `POST ${path}`]);
    expect(calls.at(-1)).toBe(`DELETE ${path}/${name}`);
    // Polled every half second for a minute, no more.
    expect(calls.filter((c) => c.startsWith(`GET ${path}`)).length).toBe(121);
  });

  it("names snapshots after the backup and the claim, within a name's length", () => {
    expect(snapshotName("nightly", request)).toMatch(/^nightly-[0-9a-f]{8}$/);
    expect(snapshotName("nightly", { namespace: "shop", pvc: "logs" })).not.toBe(
      snapshotName("nightly", request),
    );
  });
});
