import { describe, expect, it } from "vitest";
import { controllerRef, pod } from "../testing/objects.js";
import {
  clearAdmissionPriority,
  clearNodeName,
  dropEphemeralContainers,
  dropLegacyTokenVolumes,
} from "./pod.js";

describe("pod rules", () => {
  it("clears nodeName so the scheduler places the pod", () => {
    const p = pod("shop", "web", "u");
    clearNodeName(p);
    expect(p.spec).not.toHaveProperty("nodeName");
  });

  it("clears priority and preemptionPolicy for the Priority admission plugin to compute", () => {
    const p = pod("shop", "web", "u");
    (p.spec as Record<string, unknown>).priorityClassName = "high";
    (p.spec as Record<string, unknown>).priority = 1000;
    clearAdmissionPriority(p);
    expect(p.spec).not.toHaveProperty("priority");
    expect(p.spec).not.toHaveProperty("preemptionPolicy");
    expect(p.spec).toHaveProperty("priorityClassName", "high");
  });

  it("drops ephemeral containers, which cannot be set on create", () => {
    const p = pod("shop", "web", "u");
    (p.spec as Record<string, unknown>).ephemeralContainers = [{ name: "debugger-x2", image: "busybox" }];
    dropEphemeralContainers(p);
    expect(p.spec).not.toHaveProperty("ephemeralContainers");
  });

  it("keeps the projected kube-api-access volume and its mount", () => {
    const p = pod("shop", "web", "u", controllerRef("ReplicaSet", "apps/v1", "web-1", "rs"));
    const before = structuredClone(p.spec);
    dropLegacyTokenVolumes(p);
    expect(p.spec).toEqual(before);
  });

  it("drops a legacy token Secret volume and its mounts in every container", () => {
    const p = pod("shop", "builder", "u");
    const spec = p.spec as Record<string, unknown>;
    spec.serviceAccountName = "builder";
    const tokenMount = {
      name: "builder-token-x7k2p",
      readOnly: true,
      mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
    };
    spec.volumes = [
      { name: "builder-token-x7k2p", secret: { secretName: "builder-token-x7k2p", defaultMode: 420 } },
      { name: "config", configMap: { name: "builder-config" } },
    ];
    spec.initContainers = [{ name: "init", image: "busybox", volumeMounts: [tokenMount] }];
    spec.containers = [
      {
        name: "build",
        image: "kaniko",
        volumeMounts: [tokenMount, { name: "config", mountPath: "/etc/builder" }],
      },
    ];
    dropLegacyTokenVolumes(p);
    expect(spec.volumes).toEqual([{ name: "config", configMap: { name: "builder-config" } }]);
    expect(spec.initContainers).toEqual([{ name: "init", image: "busybox", volumeMounts: [] }]);
    expect(spec.containers).toEqual([
      { name: "build", image: "kaniko", volumeMounts: [{ name: "config", mountPath: "/etc/builder" }] },
    ]);
  });

  it("keeps Secret volumes that are not the account's legacy token", () => {
    const p = pod("shop", "web", "u");
    const spec = p.spec as Record<string, unknown>;
    spec.volumes = [{ name: "tls", secret: { secretName: "other-token-abcde" } }];
    dropLegacyTokenVolumes(p);
    expect(spec.volumes).toEqual([{ name: "tls", secret: { secretName: "other-token-abcde" } }]);
  });
});
