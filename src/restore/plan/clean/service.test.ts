import { describe, expect, it } from "vitest";
import { service } from "../testing/objects.js";
import { clearClusterIps, clearNodePorts, explicitNodePorts } from "./service.js";

const keep = { preserveNodePorts: false };

describe("clearClusterIps", () => {
  it("clears clusterIP and clusterIPs of a ClusterIP Service", () => {
    const svc = service("shop", "web", "u", { type: "ClusterIP", selector: { app: "web" } });
    clearClusterIps(svc);
    expect(svc.spec).toEqual({ ipFamilies: ["IPv4"], type: "ClusterIP", selector: { app: "web" } });
  });

  it("keeps a headless Service headless", () => {
    const svc = service("shop", "db", "u", { type: "ClusterIP", clusterIP: "None", clusterIPs: ["None"] });
    clearClusterIps(svc);
    expect(svc.spec).toMatchObject({ clusterIP: "None", clusterIPs: ["None"] });
  });

  it("leaves ExternalName Services untouched", () => {
    const svc = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "mail", namespace: "shop" },
      spec: { type: "ExternalName", externalName: "smtp.example.com", clusterIP: "" },
    };
    const before = structuredClone(svc);
    clearClusterIps(svc);
    clearNodePorts(svc, keep);
    expect(svc).toEqual(before);
  });
});

describe("clearNodePorts", () => {
  const nodePortService = () =>
    service("shop", "web", "u", {
      type: "NodePort",
      ports: [
        { name: "http", port: 80, protocol: "TCP", targetPort: 8080, nodePort: 31380 },
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53, nodePort: 30053 },
      ],
    });

  it("clears node ports the server allocated", () => {
    const svc = nodePortService();
    clearNodePorts(svc, keep);
    expect(svc.spec).toMatchObject({
      ports: [
        { name: "http", port: 80, protocol: "TCP", targetPort: 8080 },
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
      ],
    });
  });

  it("keeps every node port with preserveNodePorts", () => {
    const svc = nodePortService();
    clearNodePorts(svc, { preserveNodePorts: true });
    expect(svc).toEqual(nodePortService());
  });

  it("keeps node ports set explicitly in the last-applied configuration", () => {
    const svc = nodePortService();
    svc.metadata.annotations = {
      "kubectl.kubernetes.io/last-applied-configuration": JSON.stringify({
        apiVersion: "v1",
        kind: "Service",
        spec: { type: "NodePort", ports: [{ port: 53, protocol: "UDP", nodePort: 30053 }] },
      }),
    };
    clearNodePorts(svc, keep);
    const ports = (svc.spec as { ports: Record<string, unknown>[] }).ports;
    expect(ports[0]?.nodePort).toBeUndefined();
    expect(ports[1]?.nodePort).toBe(30053);
  });

  it("keeps node ports a client set, as managedFields record (server allocations are not recorded)", () => {
    const svc = nodePortService();
    svc.metadata.managedFields = [
      {
        manager: "helm",
        operation: "Update",
        apiVersion: "v1",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:spec": {
            "f:ports": {
              ".": {},
              'k:{"port":80,"protocol":"TCP"}': { ".": {}, "f:name": {}, "f:nodePort": {}, "f:port": {} },
              'k:{"port":53,"protocol":"UDP"}': { ".": {}, "f:name": {}, "f:port": {} },
            },
          },
        },
      },
    ];
    expect(explicitNodePorts(svc).ports).toEqual(new Set(["80/TCP"]));
    clearNodePorts(svc, keep);
    const ports = (svc.spec as { ports: Record<string, unknown>[] }).ports;
    expect(ports.map((port) => port.nodePort)).toEqual([31380, undefined]);
  });

  it("clears healthCheckNodePort unless it was explicit", () => {
    const lb = () =>
      service("shop", "edge", "u", {
        type: "LoadBalancer",
        externalTrafficPolicy: "Local",
        healthCheckNodePort: 32100,
        ports: [{ port: 443, protocol: "TCP", nodePort: 30443 }],
      });
    const svc = lb();
    clearNodePorts(svc, keep);
    expect(svc.spec).not.toHaveProperty("healthCheckNodePort");

    const explicit = lb();
    explicit.metadata.managedFields = [{ fieldsV1: { "f:spec": { "f:healthCheckNodePort": {} } } }];
    clearNodePorts(explicit, keep);
    expect(explicit.spec).toHaveProperty("healthCheckNodePort", 32100);
  });

  it("ignores a broken last-applied annotation", () => {
    const svc = nodePortService();
    svc.metadata.annotations = { "kubectl.kubernetes.io/last-applied-configuration": "{not json" };
    expect(() => clearNodePorts(svc, keep)).not.toThrow();
  });
});
