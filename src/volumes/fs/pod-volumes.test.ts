import { describe, expect, it } from "vitest";
import type { KubeObject } from "../../core/kube-types.js";
import {
  BACKUP_VOLUMES_ANNOTATION,
  BACKUP_VOLUMES_EXCLUDES_ANNOTATION,
  choosePodVolumes,
} from "./pod-volumes.js";

function pod(annotations: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web", namespace: "shop", annotations },
    spec: {
      volumes: [
        { name: "data", persistentVolumeClaim: { claimName: "web-data" } },
        { name: "cache", emptyDir: {} },
        { name: "config", configMap: { name: "web" } },
        { name: "token", projected: { sources: [] } },
        { name: "host", hostPath: { path: "/var/log" } },
      ],
    },
  };
}

describe("choosing a pod's volumes for file-system backup", () => {
  it("takes the volumes the annotation names, and refuses the ones it cannot copy, with the reason", () => {
    const choice = choosePodVolumes(pod({ [BACKUP_VOLUMES_ANNOTATION]: "data, cache,host,missing" }), {
      defaultVolumesToFsBackup: false,
    });
    expect(choice.chosen).toEqual([{ volume: "data", pvc: "web-data" }, { volume: "cache" }]);
    expect(choice.refused.map((r) => r.volume)).toEqual(["host", "missing"]);
    expect(choice.refused[0]?.reason).toMatch(/hostPath/);
    expect(choice.refused[1]?.reason).toBe('the pod has no volume "missing"');
  });

  it("takes nothing without the annotation, unless every volume is asked for", () => {
    expect(choosePodVolumes(pod(), { defaultVolumesToFsBackup: false }).chosen).toEqual([]);
    expect(choosePodVolumes(pod(), { defaultVolumesToFsBackup: true }).chosen).toEqual([
      { volume: "data", pvc: "web-data" },
      { volume: "cache" },
    ]);
  });

  it("leaves out what the excludes annotation names", () => {
    const choice = choosePodVolumes(pod({ [BACKUP_VOLUMES_EXCLUDES_ANNOTATION]: "data" }), {
      defaultVolumesToFsBackup: true,
    });
    expect(choice).toEqual({ chosen: [{ volume: "cache" }], refused: [] });
  });
});
