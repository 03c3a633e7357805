import { randomBytes, randomInt } from "node:crypto";
import { eventually } from "../kube.js";
import { type Api, type Obj, type Ref, refOf } from "./api.js";

/**
 * A namespace holding one or more of every kind a user keeps in a namespace (about 27
 * kinds), plus a CRD of its own with custom resources. Used by the fidelity, mapping and
 * cross-cluster tests: build it, back it up, restore it somewhere, compare.
 */
export interface Workload {
  readonly namespace: string;
  /** Every object the test created in the namespace, as read back from the cluster. */
  readonly objects: readonly Obj[];
  readonly crd: Obj;
  readonly widgetApiVersion: string;
  /** The explicit node port of Service "nodeport", when one was asked for. */
  readonly nodePort?: number;
}

export interface WorkloadOptions {
  /**
   * Give Service "nodeport" an explicit nodePort (kept on restore, Velero's rule). Node ports
   * are cluster-wide, so a restore into another namespace of the same cluster would collide.
   */
  readonly explicitNodePort: boolean;
}

/** Labels kubesnap adds to every restored object. */
export const BACKUP_LABEL = "kubesnap.io/backup-name";
export const RESTORE_LABEL = "kubesnap.io/restore-name";

const IMAGE = "registry.k8s.io/pause:3.10";

const podSpec = (extra: Record<string, unknown> = {}) => ({
  containers: [
    {
      name: "main",
      image: IMAGE,
      ports: [{ containerPort: 8080, name: "http" }],
      env: [{ name: "MODE", valueFrom: { configMapKeyRef: { name: "settings", key: "mode" } } }],
    },
  ],
  ...extra,
});

function crdFor(group: string): Obj {
  return {
    apiVersion: "apiextensions.k8s.io/v1",
    kind: "CustomResourceDefinition",
    metadata: { name: `widgets.${group}`, labels: { "kubesnap-test/fixture": "widgets" } },
    spec: {
      group,
      scope: "Namespaced",
      names: { plural: "widgets", singular: "widget", kind: "Widget", listKind: "WidgetList" },
      versions: [
        {
          name: "v1",
          served: true,
          storage: true,
          subresources: { status: {} },
          additionalPrinterColumns: [{ name: "Size", type: "integer", jsonPath: ".spec.size" }],
          schema: {
            openAPIV3Schema: {
              type: "object",
              properties: {
                spec: {
                  type: "object",
                  properties: {
                    size: { type: "integer", minimum: 0 },
                    color: { type: "string" },
                    parts: { type: "array", items: { type: "string" } },
                    extra: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
                  },
                },
                status: { type: "object", "x-kubernetes-preserve-unknown-fields": true },
              },
            },
          },
        },
      ],
    },
  };
}

function manifests(
  ns: string,
  widgetApiVersion: string,
  options: WorkloadOptions & { nodePort: number },
): Obj[] {
  const meta = (name: string, labels: Record<string, string> = {}) => ({
    name,
    namespace: ns,
    labels: { "kubesnap-test/fixture": "workload", ...labels },
  });
  const web = { app: "web" };
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  return [
    // Configuration and credentials.
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
        podSelector: { matchLabels: web },
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
      spec: { minAvailable: 1, selector: { matchLabels: web } },
    },
    // Storage: no provisioner runs here, so the claim stays Pending.
    {
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: meta("data"),
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    },
    // Services of every type, and endpoints written by hand.
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("web"),
      spec: { type: "ClusterIP", selector: web, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: meta("nodeport"),
      spec: {
        type: "NodePort",
        selector: web,
        externalTrafficPolicy: "Local",
        ports: [
          {
            name: "http",
            port: 80,
            targetPort: 8080,
            ...(options.explicitNodePort ? { nodePort: options.nodePort } : {}),
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
        selector: web,
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
    // Workloads.
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { ...meta("web", web), annotations: { "example.com/note": "keep me" } },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 3,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: web },
        template: {
          metadata: { labels: web, annotations: { "example.com/pod": "yes" } },
          spec: podSpec({ serviceAccountName: "app-sa", terminationGracePeriodSeconds: 5 }),
        },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: meta("db"),
      spec: {
        serviceName: "db-headless",
        replicas: 1,
        podManagementPolicy: "Parallel",
        selector: { matchLabels: { app: "db" } },
        template: { metadata: { labels: { app: "db" } }, spec: podSpec() },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: meta("agent"),
      spec: {
        selector: { matchLabels: { app: "agent" } },
        updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: podSpec({ tolerations: [{ operator: "Exists" }], hostNetwork: false }),
        },
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: meta("standalone-rs"),
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: "standalone-rs" } },
        template: { metadata: { labels: { app: "standalone-rs" } }, spec: podSpec() },
      },
    },
    {
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: meta("legacy-rc"),
      spec: {
        replicas: 1,
        selector: { app: "legacy-rc" },
        template: { metadata: { labels: { app: "legacy-rc" } }, spec: podSpec() },
      },
    },
    {
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: meta("nightly"),
      spec: {
        schedule: "0 3 * * *",
        timeZone: "Europe/Paris",
        suspend: true,
        concurrencyPolicy: "Forbid",
        successfulJobsHistoryLimit: 2,
        jobTemplate: {
          spec: {
            backoffLimit: 2,
            template: { spec: podSpec({ restartPolicy: "OnFailure" }) },
          },
        },
      },
    },
    {
      // No kubelet runs pods here, so the Job never finishes: restored, and its pods left to it.
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: meta("migrate"),
      spec: {
        backoffLimit: 1,
        activeDeadlineSeconds: 3600,
        template: { metadata: { labels: { task: "migrate" } }, spec: podSpec({ restartPolicy: "Never" }) },
      },
    },
    {
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        ...meta("standalone", { app: "standalone" }),
        annotations: { "example.com/pod": "single" },
      },
      spec: podSpec({
        serviceAccountName: "app-sa",
        volumes: [
          { name: "config", configMap: { name: "settings" } },
          { name: "creds", secret: { secretName: "opaque", defaultMode: 0o400 } },
          { name: "data", persistentVolumeClaim: { claimName: "data" } },
        ],
      }),
    },
    {
      apiVersion: "v1",
      kind: "PodTemplate",
      metadata: meta("batch-template"),
      template: { metadata: { labels: { app: "batch" } }, spec: podSpec({ restartPolicy: "Never" }) },
    },
    {
      apiVersion: "autoscaling/v2",
      kind: "HorizontalPodAutoscaler",
      metadata: meta("web"),
      spec: {
        // minReplicas <= replicas: with no metrics server, the autoscaler never changes the Deployment.
        scaleTargetRef: { apiVersion: "apps/v1", kind: "Deployment", name: "web" },
        minReplicas: 1,
        maxReplicas: 5,
        metrics: [
          {
            type: "Resource",
            resource: { name: "cpu", target: { type: "Utilization", averageUtilization: 70 } },
          },
        ],
        behavior: { scaleDown: { stabilizationWindowSeconds: 120 } },
      },
    },
    // Custom resources of the test's own CRD.
    {
      apiVersion: widgetApiVersion,
      kind: "Widget",
      metadata: meta("gear"),
      spec: { size: 3, color: "red", parts: ["a", "b"], extra: { nested: { deep: true } } },
    },
    {
      apiVersion: widgetApiVersion,
      kind: "Widget",
      metadata: meta("sprocket", { tier: "gold" }),
      spec: { size: 0, color: "blue" },
    },
  ];
}

/** A Lease: never backed up (leases belong to running processes). */
function lease(ns: string): Obj {
  return {
    apiVersion: "coordination.k8s.io/v1",
    kind: "Lease",
    metadata: { name: "leader", namespace: ns },
    spec: { holderIdentity: "web-abc", leaseDurationSeconds: 15 },
  };
}

/** Creates the namespace, the CRD (waiting until Established) and every object. */
export async function createWorkload(api: Api, ns: string, options: WorkloadOptions): Promise<Workload> {
  const group = `w${randomBytes(3).toString("hex")}.kubesnap.test`;
  const widgetApiVersion = `${group}/v1`;
  const nodePort = await freeNodePort(api);
  await api.create({
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name: ns,
      labels: { "pod-security.kubernetes.io/enforce": "baseline", team: "payments" },
      annotations: { "example.com/contact": "payments@example.com" },
    },
  });
  const crd = crdFor(group);
  await api.create(crd);
  await waitEstablished(api, crd.metadata.name);
  const wanted = manifests(ns, widgetApiVersion, { ...options, nodePort });
  // One at a time, in order: the LimitRange must exist before the Pod, as on restore.
  for (const object of wanted) await api.create(object);
  await api.create(lease(ns));
  const readBack = await readAll(api, wanted.map(refOf));
  return {
    namespace: ns,
    objects: readBack,
    crd: await api.read(refOf(crd)),
    widgetApiVersion,
    ...(options.explicitNodePort ? { nodePort } : {}),
  };
}

/**
 * An explicit node port from the low band (which the allocator keeps for explicit requests)
 * that no Service of the cluster holds now: test files run side by side on one cluster, and
 * a random pick from 80 ports collided often enough to fail a run.
 */
async function freeNodePort(api: Api): Promise<number> {
  const services = (
    await api.send<{ items: { spec?: { ports?: { nodePort?: number }[] } }[] }>("GET", "/api/v1/services")
  ).items;
  const used = new Set(services.flatMap((s) => (s.spec?.ports ?? []).map((p) => p.nodePort)));
  const free = Array.from({ length: 80 }, (_, i) => 30000 + i).filter((port) => !used.has(port));
  return free[randomInt(0, free.length)] ?? 30000 + randomInt(0, 80);
}

export async function waitEstablished(api: Api, crdName: string): Promise<void> {
  await eventually(`CRD ${crdName} to be Established`, async () => {
    const crd = await api.read({
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      name: crdName,
    });
    const conditions = (crd.status as { conditions?: { type: string; status: string }[] } | undefined)
      ?.conditions;
    return conditions?.some((c) => c.type === "Established" && c.status === "True") ? true : undefined;
  });
}

export async function readAll(api: Api, refs: readonly Ref[]): Promise<Obj[]> {
  return Promise.all(refs.map((ref) => api.read(ref)));
}

/**
 * Waits until the controllers have acted on the workload (the Deployment has its ReplicaSet and
 * revision, the token controller filled the hand-made token), so that what is read next is
 * the settled state a backup would take, not a half-made one.
 */
export async function waitSettled(api: Api, ns: string): Promise<void> {
  await eventually(`Deployment ${ns}/web to be rolled out by its controller`, async () => {
    const deployment = await api.read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      namespace: ns,
      name: "web",
    });
    const status = deployment.status as { observedGeneration?: number; replicas?: number } | undefined;
    const revision = deployment.metadata.annotations?.["deployment.kubernetes.io/revision"];
    return revision !== undefined && status?.replicas === 2 ? true : undefined;
  });
  await eventually(`the token of Secret ${ns}/app-sa-token`, async () => {
    const secret = await api.read({ apiVersion: "v1", kind: "Secret", namespace: ns, name: "app-sa-token" });
    return (secret.data as Record<string, string> | undefined)?.token ? true : undefined;
  });
  await eventually(`DaemonSet ${ns}/agent to be observed`, async () => {
    const ds = await api.read({ apiVersion: "apps/v1", kind: "DaemonSet", namespace: ns, name: "agent" });
    return (ds.status as { observedGeneration?: number } | undefined)?.observedGeneration ? true : undefined;
  });
}

const SERVER_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/**
 * What a restore must bring back unchanged: every field of the object except metadata
 * and status, plus its labels and annotations (without the restore labels). The fields
 * kubesnap documents as cleaned (src/restore/plan/clean) are removed from both sides:
 * - Services: clusterIP(s) unless headless; node ports unless set explicitly (`keepNodePorts`).
 * - Jobs: the controller-uid labels of selector and template (the server makes new ones).
 * - service-account-token Secrets: the token data (the controller signs a new one).
 * Everything else, including what admission and defaulting filled in, must be equal.
 */
export function comparable(object: Obj, options: { keepNodePorts?: boolean } = {}): Record<string, unknown> {
  const { metadata, status: _status, apiVersion, kind, ...copy } = structuredClone(object);
  const labels = { ...metadata.labels };
  delete labels[BACKUP_LABEL];
  delete labels[RESTORE_LABEL];
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(([key]) => !SERVER_ANNOTATIONS.has(key)),
  );
  const spec = copy.spec as Record<string, unknown> | undefined;
  if (object.kind === "Service" && spec) {
    if (spec.clusterIP !== "None") {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (!options.keepNodePorts) {
      for (const port of (spec.ports as Record<string, unknown>[] | undefined) ?? []) delete port.nodePort;
      delete spec.healthCheckNodePort;
    }
  }
  if (object.kind === "Job" && spec) {
    for (const holder of [
      (spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels,
      (spec.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels,
    ]) {
      if (!holder) continue;
      delete holder["controller-uid"];
      delete holder["batch.kubernetes.io/controller-uid"];
    }
  }
  if (object.kind === "Secret" && copy.type === "kubernetes.io/service-account-token") {
    const data = copy.data as Record<string, string> | undefined;
    if (data) {
      delete data.token;
      delete data["ca.crt"];
      delete data.namespace;
    }
    delete annotations["kubernetes.io/service-account.uid"];
  }
  return { apiVersion, kind, name: metadata.name, labels, annotations, ...copy };
}

/** Kinds restored objects are searched among, to prove nothing else came back as a copy. */
export const OWNED_KINDS: readonly Omit<Ref, "name" | "namespace">[] = [
  { apiVersion: "v1", kind: "Pod" },
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "apps/v1", kind: "ControllerRevision" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" },
];
