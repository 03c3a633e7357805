import { describe, expect, it } from "vitest";
import type { Backup } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { KubesnapError } from "../core/errors.js";
import type { BackupTarget } from "../protect/index.js";
import { takePreDeleteBackup } from "./webhook-backup.js";

const T0 = Date.UTC(2026, 10, 26, 7, 0, 0);
const PROD: BackupTarget = { kind: "Namespace", name: "prod", uid: "uid-1" };

/**
 * Backups in memory; `advance` plays the BackupController: called on each read, it may move a
 * backup along. Time moves only when the waiter sleeps.
 */
function world(existing: Backup[], advance: (b: Backup, clock: number) => void = () => undefined) {
  const backups = new Map(existing.map((b) => [b.metadata.name, b]));
  let clock = T0;
  const created: string[] = [];
  const client = {
    get: async (path: string) => {
      if (path.includes("?labelSelector=")) return { items: [...backups.values()] };
      const backup = backups.get(path.split("/").pop() ?? "");
      if (!backup) throw new KubesnapError("NotFound", "not found");
      advance(backup, clock);
      return structuredClone(backup);
    },
    request: async (req: { method: string; body: string }) => {
      const body = JSON.parse(req.body) as Backup;
      if (backups.has(body.metadata.name)) throw new KubesnapError("AlreadyExists", "exists");
      backups.set(body.metadata.name, body);
      created.push(body.metadata.name);
      return body;
    },
  } as unknown as KubeClient;
  const deps = {
    client,
    namespace: "kubesnap",
    now: () => new Date(clock),
    sleep: async (ms: number) => {
      clock += ms;
    },
  };
  return { deps, created, backups };
}

/** What the controller does to the stored object (the fake hands out copies). */
const withPhase = (b: Backup, phase: NonNullable<Backup["status"]>["phase"]) => {
  (b as { status?: Backup["status"] }).status = { errors: 0, warnings: 0, ...b.status, phase };
};

describe("takePreDeleteBackup", () => {
  it("creates the backup and waits until it finishes", async () => {
    const { deps, created } = world([], (b, clock) => {
      if (clock - T0 >= 600) withPhase(b, "Completed");
    });
    const wait = await takePreDeleteBackup(PROD, { ...deps, deadline: T0 + 10_000 });
    expect(created).toEqual(["pre-delete-prod-20261126070000"]);
    expect(wait).toMatchObject({ state: "finished", backup: { status: { phase: "Completed" } } });
  });

  it("gives up before the deadline, saying how long it waited", async () => {
    const { deps } = world([], (b) => withPhase(b, "InProgress"));
    const wait = await takePreDeleteBackup(PROD, { ...deps, deadline: T0 + 2_000 });
    expect(wait).toMatchObject({ state: "timedOut", backup: { status: { phase: "InProgress" } } });
    expect(wait.state === "timedOut" && wait.waitedMs).toBeLessThanOrEqual(2_000);
  });

  it("joins the backup an earlier attempt started instead of starting another", async () => {
    const earlier: Backup = {
      apiVersion: "kubesnap.io/v1",
      kind: "Backup",
      metadata: {
        name: "pre-delete-prod-20261126065950",
        creationTimestamp: new Date(T0 - 10_000).toISOString(),
      },
      spec: {} as Backup["spec"],
      status: { phase: "InProgress", errors: 0, warnings: 0 },
    };
    const { deps, created } = world([earlier], (b) => withPhase(b, "Completed"));
    const wait = await takePreDeleteBackup(PROD, { ...deps, deadline: T0 + 10_000 });
    expect(created).toEqual([]);
    expect(wait.backup.metadata.name).toBe("pre-delete-prod-20261126065950");
  });

  it("reports a backup deleted while it waited as failed", async () => {
    // The first read finds it (and deletes it); the next finds nothing.
    const { deps, backups } = world([], (b) => backups.delete(b.metadata.name));
    const wait = await takePreDeleteBackup(PROD, { ...deps, deadline: T0 + 10_000 });
    expect(wait).toMatchObject({
      state: "finished",
      backup: { status: { phase: "Failed", failureReason: expect.stringContaining("deleted") } },
    });
  });
});
