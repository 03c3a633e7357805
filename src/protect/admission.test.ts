import { describe, expect, it } from "vitest";
import type { KubeObject } from "../core/kube-types.js";
import { type AdmissionRequest, decideAdmission } from "./admission.js";

const NAMESPACE = { group: "", version: "v1", kind: "Namespace" };
const CRD = { group: "apiextensions.k8s.io", version: "v1", kind: "CustomResourceDefinition" };

function deletion(
  kind: AdmissionRequest["kind"],
  name: string,
  meta: Partial<KubeObject["metadata"]> = {},
  extra: Partial<AdmissionRequest> = {},
): AdmissionRequest {
  return {
    uid: "req-1",
    kind,
    name,
    operation: "DELETE",
    oldObject: { apiVersion: "v1", kind: kind.kind, metadata: { name, uid: `uid-${name}`, ...meta } },
    ...extra,
  };
}

const decide = (request: AdmissionRequest) => decideAdmission(request, { serverNamespace: "kubesnap" });
const protectedLabel = { labels: { "kubesnap.io/protected": "true" } };

describe("decideAdmission", () => {
  it("backs up a protected namespace or CRD before its deletion", () => {
    expect(decide(deletion(NAMESPACE, "prod", protectedLabel))).toEqual({
      action: "backup",
      target: { kind: "Namespace", name: "prod", uid: "uid-prod" },
    });
    expect(decide(deletion(CRD, "widgets.example.com", protectedLabel))).toEqual({
      action: "backup",
      target: {
        kind: "CustomResourceDefinition",
        name: "widgets.example.com",
        uid: "uid-widgets.example.com",
      },
    });
  });

  it("passes on the object's pre-delete TTL, unless it is no duration", () => {
    const withTtl = (ttl: string) =>
      decide(
        deletion(NAMESPACE, "prod", {
          ...protectedLabel,
          annotations: { "kubesnap.io/pre-delete-ttl": ttl },
        }),
      );
    expect(withTtl("2160h")).toEqual({
      action: "backup",
      target: { kind: "Namespace", name: "prod", uid: "uid-prod", ttl: "2160h" },
    });
    // Edited by hand into nonsense: the backup takes the default rather than the deletion failing.
    expect(withTtl("three months")).toEqual({
      action: "backup",
      target: { kind: "Namespace", name: "prod", uid: "uid-prod" },
    });
  });

  it("allows at once what is not protected, not a deletion, or not a kind it protects", () => {
    expect(decide(deletion(NAMESPACE, "prod")).action).toBe("allow");
    expect(decide(deletion(NAMESPACE, "prod", { labels: { "kubesnap.io/protected": "false" } })).action).toBe(
      "allow",
    );
    expect(decide({ ...deletion(NAMESPACE, "prod", protectedLabel), operation: "UPDATE" }).action).toBe(
      "allow",
    );
    const pod = { group: "", version: "v1", kind: "Pod" };
    expect(decide(deletion(pod, "web", protectedLabel)).action).toBe("allow");
    expect(decide({ ...deletion(NAMESPACE, "prod"), oldObject: null }).action).toBe("allow");
  });

  it("never holds up kube-system or kubesnap's own namespace unless protected explicitly", () => {
    for (const name of ["kube-system", "kube-public", "kube-node-lease", "default", "kubesnap"]) {
      expect(decide(deletion(NAMESPACE, name, protectedLabel)), name).toMatchObject({ action: "allow" });
    }
    const explicit = {
      labels: { "kubesnap.io/protected": "true", "kubesnap.io/protected-system-namespace": "true" },
    };
    expect(decide(deletion(NAMESPACE, "kube-system", explicit)).action).toBe("backup");
    // A CRD has no system variant: its name is never a namespace's.
    expect(decide(deletion(CRD, "kubesnap", protectedLabel)).action).toBe("backup");
  });

  it("lets the bypass annotation through without a backup", () => {
    const meta = { ...protectedLabel, annotations: { "kubesnap.io/allow-delete-without-backup": "true" } };
    expect(decide(deletion(NAMESPACE, "prod", meta))).toEqual({
      action: "bypass",
      target: { kind: "Namespace", name: "prod", uid: "uid-prod" },
    });
    const notTrue = { ...protectedLabel, annotations: { "kubesnap.io/allow-delete-without-backup": "yes" } };
    expect(decide(deletion(NAMESPACE, "prod", notTrue)).action).toBe("backup");
  });

  it("allows a second delete of an object already terminating, and a dry run with a warning, without a backup", () => {
    const terminating = { ...protectedLabel, deletionTimestamp: "2026-11-26T07:00:00Z" };
    expect(decide(deletion(NAMESPACE, "prod", terminating))).toMatchObject({ action: "allow" });
    const dryRun = decide(deletion(NAMESPACE, "prod", protectedLabel, { dryRun: true }));
    expect(dryRun).toMatchObject({ action: "allow", warning: expect.stringContaining('namespace "prod"') });
  });
});
