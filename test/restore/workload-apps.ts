import type { Obj } from "./api.js";
import { type Meta, WEB_LABELS } from "./workload-meta.js";

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

/** Pods and every controller of pods, plus an autoscaler. */
export function apps(meta: Meta): Obj[] {
  return [
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { ...meta("web", WEB_LABELS), annotations: { "example.com/note": "keep me" } },
      spec: {
        replicas: 2,
        revisionHistoryLimit: 3,
        strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
        selector: { matchLabels: WEB_LABELS },
        template: {
          metadata: { labels: WEB_LABELS, annotations: { "example.com/pod": "yes" } },
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
  ];
}
