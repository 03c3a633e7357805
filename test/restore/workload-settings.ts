import type { Obj } from "./api.js";
import { type Meta, WEB_LABELS } from "./workload-meta.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

/**
 * The workload's configuration, credentials, access control, policies and storage: what
 * the pods of the workload (workload-apps) use, so it comes first in the order of creation.
 */
export function settings(ns: string, meta: Meta): Obj[] {
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { ...meta("settings"), annotations: { "example.com/owner": "team-a" } },
      data: { mode: "production", "app.properties": "threads=4\ncolor=blue\n" },
      binaryData: { "blob.bin": b64("\u0000\u0001binary") },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("opaque"),
      type: "Opaque",
      data: { password: b64("s3cr3t"), "config.json": b64('{"a":1}') },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("tls"),
      type: "kubernetes.io/tls",
      data: {
        "tls.crt": b64("-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n"),
        "tls.key": b64("key"),
      },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("registry"),
      type: "kubernetes.io/dockerconfigjson",
      data: {
        ".dockerconfigjson": b64(JSON.stringify({ auths: { "registry.example.com": { auth: b64("u:p") } } })),
      },
    },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: meta("basic"),
      type: "kubernetes.io/basic-auth",
      stringData: { username: "admin", password: "hunter2" },
    },
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { ...meta("app-sa"), annotations: { "example.com/role-arn": "arn:aws:iam::1:role/app" } },
      imagePullSecrets: [{ name: "registry" }],
      automountServiceAccountToken: false,
    },
    {
      // A long-lived token made by hand (the way since 1.24): restored emptied, refilled here.
      apiVersion: "v1",
      kind: "Secret",
      metadata: { ...meta("app-sa-token"), annotations: { "kubernetes.io/service-account.name": "app-sa" } },
      type: "kubernetes.io/service-account-token",
    },
    // Access control and policy.
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta("reader"),
      rules: [
        { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["apps"], resources: ["deployments"], resourceNames: ["web"], verbs: ["get"] },
      ],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta("reader"),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
      subjects: [
        { kind: "ServiceAccount", name: "app-sa", namespace: ns },
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "jane" },
      ],
    },
    {
      apiVersion: "v1",
      kind: "ResourceQuota",
      metadata: meta("quota"),
      spec: { hard: { pods: "40", "requests.storage": "20Gi", "count/configmaps": "20" } },
    },
    {
      apiVersion: "v1",
      kind: "LimitRange",
      metadata: meta("limits"),
      spec: {
        limits: [
          {
            type: "Container",
            default: { cpu: "200m", memory: "128Mi" },
            defaultRequest: { cpu: "100m", memory: "64Mi" },
            max: { cpu: "2", memory: "1Gi" },
          },
        ],
      },
    },
    {
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: meta("web-ingress"),
      spec: {
        podSelector: { matchLabels: WEB_LABELS },
        policyTypes: ["Ingress", "Egress"],
        ingress: [
          {
            from: [
              { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "ingress" } } },
              { podSelector: { matchLabels: { role: "frontend" } } },
            ],
            ports: [{ protocol: "TCP", port: 8080 }],
          },
        ],
        egress: [{ to: [{ ipBlock: { cidr: "10.0.0.0/8", except: ["10.1.0.0/16"] } }] }],
      },
    },
    {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: meta("web"),
      spec: { minAvailable: 1, selector: { matchLabels: WEB_LABELS } },
    },
    // Storage: no provisioner runs here, so the claim stays Pending.
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("data"),
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
  ];
}
