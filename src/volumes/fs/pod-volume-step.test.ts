import { describe, expect, it } from "vitest";
import type { KubeObject, ResourceType } from "../../core/kube-types.js";
import { parseVolumePolicies } from "../policy.js";
import { PodVolumeChoices } from "./pod-volume-step.js";

const type = (resource: string, namespaced = true): ResourceType => ({
  group: "",
  version: "v1",
  resource,
  kind: resource,
  namespaced,
});

const pod = (
  name: string,
  claims: Record<string, string>,
  annotations: Record<string, string> = {},
): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "shop", uid: `uid-${name}`, annotations },
    spec: {
      nodeName: "node-1",
      volumes: [
        ...Object.entries(claims).map(([volume, claimName]) => ({
          name: volume,
          persistentVolumeClaim: { claimName },
        })),
        { name: "cache", emptyDir: {} },
      ],
    },
    status: { phase: "Running" },
  }) as unknown as KubeObject;

const claim = (name: string, storageClass: string, volumeName: string): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name, namespace: "shop", labels: {} },
    spec: { storageClassName: storageClass, volumeName },
  }) as unknown as KubeObject;

const volume = (name: string, driver: string): KubeObject =>
  ({
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: { name },
    spec: { csi: { driver } },
  }) as unknown as KubeObject;

describe("PodVolumeChoices", () => {
  const policies = parseVolumePolicies(
    "version: v1\nvolumePolicies:\n  - conditions:\n      storageClass: [nfs]\n    action:\n      type: fs-backup\n",
    "policy.yaml",
  );

  it("copies the claims a volume policy gives fs-backup, whatever order the items come in", () => {
    const choices = new PodVolumeChoices({ defaultVolumesToFsBackup: false, volumePolicies: policies });
    choices.noteItem(pod("web", { data: "files", db: "fast" }), type("pods"));
    choices.noteItem(claim("files", "nfs", "pv-files"), type("persistentvolumeclaims"));
    choices.noteItem(claim("fast", "ssd", "pv-fast"), type("persistentvolumeclaims"));
    choices.noteItem(volume("pv-files", "nfs.csi"), type("persistentvolumes", false));
    expect(choices.pods.map((p) => [p.pod.metadata.name, p.volumes])).toEqual([
      ["web", [{ volume: "data", pvc: "files" }]],
    ]);
  });

  it("keeps the annotation's choice and adds the policy's, without copying a volume twice", () => {
    const choices = new PodVolumeChoices({ defaultVolumesToFsBackup: false, volumePolicies: policies });
    choices.noteItem(claim("files", "nfs", "pv-files"), type("persistentvolumeclaims"));
    choices.noteItem(
      pod("api", { data: "files", logs: "other" }, { "backup.kubesnap.io/backup-volumes": "data,cache" }),
      type("pods"),
    );
    expect(choices.pods[0]?.volumes).toEqual([{ volume: "data", pvc: "files" }, { volume: "cache" }]);
  });

  it("copies nothing by policy without policies, nor for a claim it has not seen", () => {
    const none = new PodVolumeChoices({ defaultVolumesToFsBackup: false });
    none.noteItem(pod("web", { data: "files" }), type("pods"));
    none.noteItem(claim("files", "nfs", "pv-files"), type("persistentvolumeclaims"));
    expect(none.pods).toEqual([]);
    const unseen = new PodVolumeChoices({ defaultVolumesToFsBackup: false, volumePolicies: policies });
    unseen.noteItem(pod("web", { data: "files" }), type("pods"));
    expect(unseen.pods).toEqual([]);
  });
});
