import { describe, expect, it } from "vitest";
import type { Backup, PodVolumeBackup } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import { RunLog } from "../report/log.js";
import { Results } from "../report/results.js";
import { serverPodVolumeStep } from "./pod-volume-backups.js";

const PODS: ResourceType = { group: "", version: "v1", resource: "pods", kind: "Pod", namespaced: true };

/** An API server of PodVolumeBackups only: created ones are kept, and `finish` plays the node agent. */
function fakeApi() {
  const objects = new Map<string, PodVolumeBackup>();
  const patches: { name: string; status: unknown }[] = [];
  const client = {
    async request<T>(req: { method: string; path: string; body?: string }): Promise<T> {
      const body = JSON.parse(req.body ?? "{}");
      if (req.method === "POST") {
        objects.set(body.metadata.name, body);
        return body as T;
      }
      const name = req.path.split("/").at(-2) as string;
      patches.push({ name, status: body.status });
      return body as T;
    },
    async get<T>(): Promise<T> {
      // In key order, as the API server lists.
      return {
        items: [...objects.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name)),
      } as T;
    },
  } as unknown as KubeClient;
  const finish = (volume: string, status: NonNullable<PodVolumeBackup["status"]>) => {
    for (const [name, pvb] of objects) if (pvb.spec.volume === volume) objects.set(name, { ...pvb, status });
  };
  return { client, objects, patches, finish };
}

function pod(name: string, options: { node?: string; volumes: string[] }): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "shop",
      uid: `uid-${name}`,
      annotations: { "backup.kubesnap.io/backup-volumes": options.volumes.join(",") },
    },
    spec: {
      ...(options.node ? { nodeName: options.node } : {}),
      volumes: options.volumes.map((v) => ({ name: v, emptyDir: {} })),
    },
  };
}

const backup = { metadata: { name: "nightly", uid: "b-uid" }, spec: {} } as unknown as Backup;

describe("the server's file-system step", () => {
  it("hands each chosen volume to its node's agent, waits for it, and records how it went", async () => {
    const api = fakeApi();
    let polls = 0;
    const step = serverPodVolumeStep({
      client: api.client,
      namespace: "kubesnap",
      backup,
      storageLocation: "default",
      retainUntil: new Date("2027-01-01T00:00:00Z"),
      defaultVolumesToFsBackup: false,
      timeoutMs: 60_000,
      now: () => polls * 1000,
      sleep: async () => {
        polls++;
        if (polls === 1) api.finish("data", { phase: "Completed", files: 3, bytes: 30, errorCount: 0 });
        if (polls === 2) {
          api.finish("logs", {
            phase: "PartiallyFailed",
            files: 1,
            bytes: 5,
            errorCount: 1,
            errors: ["/app.log: EACCES: permission denied"],
          });
        }
      },
    });
    step.noteItem(pod("web", { node: "node-1", volumes: ["data", "logs"] }), PODS);
    step.noteItem(pod("pending", { volumes: ["cache"] }), PODS);
    const results = new Results();
    const records = await step.run({ results, log: new RunLog(() => new Date(0)) });

    const created = [...api.objects.values()];
    expect(created.map((p) => [p.spec.volume, p.spec.node, p.spec.snapshotName])).toEqual([
      ["data", "node-1", "nightly_fs_uid-web_data"],
      ["logs", "node-1", "nightly_fs_uid-web_logs"],
    ]);
    expect(created[0]?.metadata.ownerReferences?.[0]).toMatchObject({ kind: "Backup", uid: "b-uid" });
    expect(records.map((r) => [r.volume, r.phase, r.files, r.errors])).toEqual([
      ["data", "Completed", 3, 0],
      ["logs", "PartiallyFailed", 1, 1],
    ]);
    const errors = results.toJSON().errors.namespaces.shop;
    expect(errors).toEqual([
      expect.stringMatching(/pending.*volumes cache cannot be copied: the pod is not scheduled to a node/),
      expect.stringMatching(
        /web.*volume logs on node node-1: 1 paths could not be copied: \/app.log: EACCES/,
      ),
    ]);
  });

  it("gives up after the timeout, marking what no agent finished as Failed", async () => {
    const api = fakeApi();
    let clock = 0;
    const step = serverPodVolumeStep({
      client: api.client,
      namespace: "kubesnap",
      backup,
      storageLocation: "default",
      retainUntil: new Date(0),
      defaultVolumesToFsBackup: true,
      timeoutMs: 10_000,
      now: () => clock,
      sleep: async (ms) => {
        clock += ms;
      },
    });
    step.noteItem(pod("web", { node: "node-gone", volumes: ["data"] }), PODS);
    const results = new Results();
    const [record] = await step.run({ results, log: new RunLog(() => new Date(0)) });
    expect(record).toMatchObject({ volume: "data", phase: "Failed" });
    expect(record?.message).toMatch(/no node agent finished it within --fs-backup-timeout \(10s\)/);
    expect(api.patches).toEqual([
      { name: expect.stringMatching(/^nightly-/), status: expect.objectContaining({ phase: "Failed" }) },
    ]);
    expect(results.errors).toBe(1);
  });
});
