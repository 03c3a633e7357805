import { describe, expect, it } from "vitest";
import { controllerRef, pod } from "../testing/objects.js";
import { removeStatus, resetMetadata } from "./metadata.js";

describe("resetMetadata and removeStatus", () => {
  it("remove what the server assigns and keep labels, annotations, finalizers and owners", () => {
    const owner = controllerRef("ReplicaSet", "apps/v1", "web-1", "rs-uid");
    const p = pod("shop", "web-1-abcde", "pod-uid", owner);
    Object.assign(p.metadata, {
      selfLink: "/api/v1/namespaces/shop/pods/web-1-abcde",
      deletionTimestamp: "2026-03-02T10:00:00Z",
      deletionGracePeriodSeconds: 30,
      annotations: { "kubectl.kubernetes.io/restartedAt": "2026-03-01T00:00:00Z" },
      finalizers: ["example.com/cleanup"],
    });
    resetMetadata(p);
    removeStatus(p);
    expect(p.metadata).toEqual({
      name: "web-1-abcde",
      namespace: "shop",
      labels: { app: "web", "pod-template-hash": "5d9c7b8f6" },
      ownerReferences: [owner],
      annotations: { "kubectl.kubernetes.io/restartedAt": "2026-03-01T00:00:00Z" },
      finalizers: ["example.com/cleanup"],
    });
    expect(p).not.toHaveProperty("status");
  });
});
