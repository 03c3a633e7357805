import { describe, expect, it } from "vitest";
import { isKubesnapError } from "../../core/errors.js";
import { describeItem, itemRef, toItemMeta } from "./item-meta.js";
import {
  controllerRef,
  job,
  persistentVolumeClaim,
  pod,
  service,
  serviceAccountTokenSecret,
} from "./testing/objects.js";
import { TYPES } from "./testing/types.js";

describe("toItemMeta", () => {
  it("keeps identity, labels and owners of a served Pod, plus its phase", () => {
    const owner = controllerRef("ReplicaSet", "apps/v1", "web-5d9c7b8f6", "rs-1");
    const meta = toItemMeta(TYPES.pod, pod("shop", "web-5d9c7b8f6-abcde", "pod-1", owner));
    expect(meta).toEqual({
      type: TYPES.pod,
      namespace: "shop",
      name: "web-5d9c7b8f6-abcde",
      uid: "pod-1",
      labels: { app: "web", "pod-template-hash": "5d9c7b8f6" },
      ownerReferences: [owner],
      facts: { kind: "pod", phase: "Running", mirror: false },
    });
  });

  it("detects mirror pods", () => {
    const mirror = pod("kube-system", "etcd-control-plane", "pod-2");
    mirror.metadata.annotations = {
      "kubernetes.io/config.mirror": "3f1d",
      "kubernetes.io/config.source": "file",
    };
    expect(toItemMeta(TYPES.pod, mirror).facts).toEqual({ kind: "pod", phase: "Running", mirror: true });
  });

  it("reads whether a Job finished, by completionTime or by its terminal conditions", () => {
    const done = job("shop", "migrate", "job-1", {
      succeeded: 1,
      completionTime: "2026-03-02T09:20:00Z",
      conditions: [{ type: "Complete", status: "True" }],
    });
    expect(toItemMeta(TYPES.job, done).facts).toEqual({ kind: "job", finished: "Complete" });
    const failed = job("shop", "migrate", "job-2", {
      failed: 7,
      conditions: [
        { type: "FailureTarget", status: "True" },
        { type: "Failed", status: "True", reason: "BackoffLimitExceeded" },
      ],
    });
    expect(toItemMeta(TYPES.job, failed).facts).toEqual({ kind: "job", finished: "Failed" });
    const running = job("shop", "migrate", "job-3", { active: 1, startTime: "2026-03-02T09:14:10Z" });
    expect(toItemMeta(TYPES.job, running).facts).toEqual({ kind: "job" });
  });

  it("reads Secret type and service account, PVC volume and Service selector", () => {
    expect(
      toItemMeta(TYPES.secret, serviceAccountTokenSecret("shop", "ci-token", "s-1", "ci")).facts,
    ).toEqual({
      kind: "secret",
      secretType: "kubernetes.io/service-account-token",
      serviceAccountName: "ci",
    });
    expect(toItemMeta(TYPES.pvc, persistentVolumeClaim("shop", "data", "c-1", "pvc-c-1")).facts).toEqual({
      kind: "persistentvolumeclaim",
      volumeName: "pvc-c-1",
    });
    const withSelector = service("shop", "web", "svc-1", { type: "ClusterIP", selector: { app: "web" } });
    expect(toItemMeta(TYPES.service, withSelector).facts).toEqual({ kind: "service", hasSelector: true });
    const manual = service("shop", "db", "svc-2", { type: "ClusterIP" });
    expect(toItemMeta(TYPES.service, manual).facts).toEqual({ kind: "service", hasSelector: false });
  });

  it("ignores a namespace on a cluster-scoped object and facts of other kinds", () => {
    const meta = toItemMeta(TYPES.pv, {
      apiVersion: "v1",
      kind: "PersistentVolume",
      metadata: { name: "pv-1", namespace: "" },
    });
    expect(meta).toEqual({ type: TYPES.pv, name: "pv-1" });
  });

  it("rejects a namespaced object without a namespace as corrupt", () => {
    let error: unknown;
    try {
      toItemMeta(TYPES.configMap, { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "settings" } });
    } catch (caught) {
      error = caught;
    }
    expect(isKubesnapError(error, "Corrupt")).toBe(true);
    expect((error as Error).message).toBe(`Backed-up configmaps item "settings" has no metadata.namespace`);
  });

  it("rejects an object without a name as corrupt", () => {
    let error: unknown;
    try {
      toItemMeta(TYPES.pod, { apiVersion: "v1", kind: "Pod", metadata: { name: "" } });
    } catch (caught) {
      error = caught;
    }
    expect(isKubesnapError(error, "Corrupt")).toBe(true);
    expect((error as Error).message).toBe("Backed-up pods item has no metadata.name");
  });
});

describe("itemRef and describeItem", () => {
  it("name items for messages", () => {
    const meta = { type: TYPES.deployment, namespace: "shop", name: "web" };
    expect(itemRef(meta)).toEqual({ resource: "deployments.apps", namespace: "shop", name: "web" });
    expect(describeItem(meta)).toBe("deployments.apps shop/web");
    expect(describeItem({ type: TYPES.pv, name: "pv-1" })).toBe("persistentvolumes pv-1");
  });
});
