import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/kube-types.js";
import type { VolumeRecord } from "../record.js";
import { fsVolumesByPod, RESTORE_WAIT, withoutRestoreWait, withRestoreWait } from "./restore-step.js";

const pod: KubeObject = {
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", namespace: "shop" },
  spec: {
    initContainers: [{ name: "migrate", image: "app" }],
    containers: [{ name: "app", image: "app" }],
    volumes: [{ name: "data", emptyDir: {} }],
  },
};

describe("the restored pod's init container", () => {
  it("comes first and waits in an emptyDir of its own for a marker per restored volume", () => {
    const restored = withRestoreWait(pod, { volumes: ["data"], image: "kubesnap/kubesnap:1" });
    const spec = restored.spec as {
      initContainers: { name: string; args?: string[]; volumeMounts?: object[] }[];
      volumes: object[];
    };
    expect(spec.initContainers.map((c) => c.name)).toEqual([RESTORE_WAIT, "migrate"]);
    expect(spec.initContainers[0]).toMatchObject({
      image: "kubesnap/kubesnap:1",
      args: ["restore-wait", "--markers", "/kubesnap-restore", "data"],
      volumeMounts: [{ name: RESTORE_WAIT, mountPath: "/kubesnap-restore", readOnly: true }],
    });
    expect(spec.volumes).toEqual([
      { name: "data", emptyDir: {} },
      { name: RESTORE_WAIT, emptyDir: {} },
    ]);
    expect(pod.spec).toEqual(
      expect.objectContaining({ initContainers: [{ name: "migrate", image: "app" }] }),
    );
  });

  it("is taken out of a pod that has no file-system volumes to wait for", () => {
    const restoredBefore = withRestoreWait(pod, { volumes: ["data"], image: "i" });
    expect(withoutRestoreWait(restoredBefore).spec).toEqual(pod.spec);
    expect(withoutRestoreWait(pod)).toBe(pod);
  });

  it("replaces what an earlier restore added instead of adding a second", () => {
    const once = withRestoreWait(pod, { volumes: ["data"], image: "i" });
    const twice = withRestoreWait(once, { volumes: ["data"], image: "i" });
    expect(twice).toEqual(once);
  });

  it("restores only volumes whose backup did not fail", () => {
    const base = {
      kind: "fs-backup",
      namespace: "shop",
      pod: "web",
      podUid: "u",
      node: "n",
      files: 1,
      bytes: 1,
      errors: 0,
    } as const;
    const volumes: VolumeRecord[] = [
      { ...base, volume: "data", snapshot: "b_fs_u_data", phase: "Completed" },
      { ...base, volume: "logs", snapshot: "b_fs_u_logs", phase: "PartiallyFailed" },
      { ...base, volume: "tmp", snapshot: "b_fs_u_tmp", phase: "Failed" },
    ];
    expect(
      fsVolumesByPod(volumes)
        .get("shop/web")
        ?.map((v) => v.volume),
    ).toEqual(["data", "logs"]);
  });
});
