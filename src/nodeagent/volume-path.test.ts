import { mkdir, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeObject } from "../core/kube-types.js";
import { findVolumeDir, podVolume } from "./volume-path.js";

describe("finding a pod volume under the kubelet's root", () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), "kubesnap-kubelet-"));
    await mkdir(join(root, "pods", "uid-1", "volumes", "kubernetes.io~empty-dir", "cache"), {
      recursive: true,
    });
    await mkdir(join(root, "pods", "uid-1", "volumes", "kubernetes.io~csi", "pvc-123", "mount"), {
      recursive: true,
    });
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it("finds a volume in its plugin's directory, and a CSI volume's files in mount", async () => {
    expect(await findVolumeDir(root, "uid-1", "cache")).toBe(
      join(root, "pods", "uid-1", "volumes", "kubernetes.io~empty-dir", "cache"),
    );
    expect(await findVolumeDir(root, "uid-1", "pvc-123")).toBe(
      join(root, "pods", "uid-1", "volumes", "kubernetes.io~csi", "pvc-123", "mount"),
    );
  });

  it("answers undefined while the kubelet has not made the pod's or the volume's directory", async () => {
    expect(await findVolumeDir(root, "uid-1", "other")).toBeUndefined();
    expect(await findVolumeDir(root, "uid-2", "cache")).toBeUndefined();
  });

  it("knows a PVC volume by its claim", () => {
    const pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p" },
      spec: {
        volumes: [
          { name: "data", persistentVolumeClaim: { claimName: "db" } },
          { name: "tmp", emptyDir: {} },
        ],
      },
    } as KubeObject;
    expect(podVolume(pod, "data")).toEqual({ claim: "db" });
    expect(podVolume(pod, "tmp")).toEqual({});
    expect(podVolume(pod, "nope")).toBeUndefined();
  });
});
