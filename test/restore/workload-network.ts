import type { Obj } from "./api.js";
import { type Meta, WEB_LABELS } from "./workload-meta.js";

/**
 * Services of every type, endpoints written by hand, and an Ingress. `nodePort`, when
 * given, is set explicitly on Service "nodeport".
 */
export function network(meta: Meta, nodePort: number | undefined): Obj[] {
  return [
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("web"),
      spec: {
        type: "ClusterIP",
        selector: WEB_LABELS,
        ports: [{ name: "http", port: 80, targetPort: "http" }],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("nodeport"),
      spec: {
        type: "NodePort",
        selector: WEB_LABELS,
        externalTrafficPolicy: "Local",
        ports: [
          {
            name: "http",
            port: 80,
            targetPort: 8080,
            ...(nodePort !== undefined ? { nodePort } : {}),
          },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: {
        ...meta("lb"),
        annotations: { "service.beta.kubernetes.io/aws-load-balancer-type": "nlb" },
      },
      spec: {
        type: "LoadBalancer",
        selector: WEB_LABELS,
        sessionAffinity: "ClientIP",
        loadBalancerSourceRanges: ["192.168.0.0/16"],
        ports: [
          { name: "https", port: 443, targetPort: 8080, protocol: "TCP" },
          { name: "dns", port: 53, targetPort: 53, protocol: "UDP" },
        ],
      },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("external"),
      spec: { type: "ExternalName", externalName: "db.example.com" },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("db-headless"),
      spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ name: "pg", port: 5432 }] },
    },
    {
      // Selector-less: its endpoints are the user's.
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("legacy"),
      spec: { ports: [{ name: "tcp", port: 9000, targetPort: 9000 }] },
    },
    {
      apiVersion: "v1",
      kind: "Endpoints",
      metadata: meta("legacy"),
      subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ name: "tcp", port: 9000, protocol: "TCP" }] }],
    },
    {
      apiVersion: "discovery.k8s.io/v1",
      kind: "EndpointSlice",
      metadata: meta("manual-1", {
        "kubernetes.io/service-name": "manual",
        "endpointslice.kubernetes.io/managed-by": "staff.example.com",
      }),
      addressType: "IPv4",
      endpoints: [
        { addresses: ["192.0.2.20"], conditions: { ready: true }, hostname: "a" },
        { addresses: ["192.0.2.21"], conditions: { ready: false } },
      ],
      ports: [{ name: "http", port: 8080, protocol: "TCP" }],
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "Ingress",
      metadata: { ...meta("web"), annotations: { "nginx.ingress.kubernetes.io/rewrite-target": "/" } },
      spec: {
        ingressClassName: "kubesnap-test",
        tls: [{ hosts: ["web.example.com"], secretName: "tls" }],
        rules: [
          {
            host: "web.example.com",
            http: {
              paths: [
                {
                  path: "/",
                  pathType: "Prefix",
                  backend: { service: { name: "web", port: { name: "http" } } },
                },
                {
                  path: "/db",
                  pathType: "Exact",
                  backend: { service: { name: "legacy", port: { number: 9000 } } },
                },
              ],
            },
          },
        ],
      },
    },
  ];
}
