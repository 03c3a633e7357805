import type { KubeObject } from "../core/kube-types.js";
import { COMPONENT_LABEL, NAME_LABEL, SERVER_NAME, SERVER_PORT } from "./names.js";

/**
 * The pre-delete webhook's HTTPS port in the Pod; the Service maps 443 to it (an unprivileged
 * port: the Pod runs as a non-root user).
 */
const WEBHOOK_PORT = 9443;
const WEBHOOK_SERVICE_PORT = 443;

/** The node user of the node:24-slim image the Dockerfile builds on. */
const RUN_AS = 1000;

export interface ServerOptions {
  readonly namespace: string;
  readonly image: string;
  readonly labels: Record<string, string>;
  /** For the file provider: a PersistentVolumeClaim mounted at the location's directory. */
  readonly fileVolume?: { readonly claim: string; readonly path: string };
}

/** Selects the server's Pods; immutable in a Deployment, so it never includes the version. */
export const SERVER_SELECTOR = { [NAME_LABEL]: "kubesnap", [COMPONENT_LABEL]: "server" };

/**
 * The server: one replica (more only wait for the leader election lease). It reads its
 * credentials from Secrets through the API when it needs them, so nothing secret is in its
 * environment or on its disk, and a rotated key needs no restart.
 */
export function serverDeployment(options: ServerOptions): KubeObject {
  const volumes: object[] = [{ name: "tmp", emptyDir: {} }];
  const mounts: object[] = [{ name: "tmp", mountPath: "/tmp" }];
  if (options.fileVolume) {
    volumes.push({ name: "backups", persistentVolumeClaim: { claimName: options.fileVolume.claim } });
    mounts.push({ name: "backups", mountPath: options.fileVolume.path });
  }
  const probe = (path: string, periodSeconds: number) => ({
    httpGet: { path, port: "http" },
    periodSeconds,
    timeoutSeconds: 5,
    failureThreshold: 3,
  });
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    // The component label lets `uninstall` find the servers of other installs.
    metadata: {
      name: SERVER_NAME,
      namespace: options.namespace,
      labels: { ...options.labels, ...SERVER_SELECTOR },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: SERVER_SELECTOR },
      template: {
        metadata: {
          labels: { ...options.labels, ...SERVER_SELECTOR },
          annotations: {
            "prometheus.io/scrape": "true",
            "prometheus.io/port": String(SERVER_PORT),
            "prometheus.io/path": "/metrics",
          },
        },
        spec: {
          serviceAccountName: SERVER_NAME,
          // The server talks to the API server with this token; nothing else in the Pod does.
          automountServiceAccountToken: true,
          // Pod Security "restricted": the namespace enforces it (see manifests.ts).
          securityContext: {
            runAsNonRoot: true,
            runAsUser: RUN_AS,
            runAsGroup: RUN_AS,
            fsGroup: RUN_AS,
            seccompProfile: { type: "RuntimeDefault" },
          },
          containers: [
            {
              name: "kubesnap",
              image: options.image,
              // The global --namespace names the namespace the server watches and keeps its lease in.
              // Download URLs name the Service; the CLI reaches it through the API server's proxy.
              args: [
                "server",
                "--namespace",
                options.namespace,
                "--download-url",
                `http://${SERVER_NAME}.${options.namespace}.svc:${SERVER_PORT}`,
                // Restored pods wait for their volumes' files in an init container of this image.
                "--restore-helper-image",
                options.image,
                // The API server calls the pre-delete webhook through the Service, on any ready replica.
                "--webhook-listen",
                `:${WEBHOOK_PORT}`,
                "--webhook-service",
                `${SERVER_NAME}:${WEBHOOK_SERVICE_PORT}`,
              ],
              env: [
                // Node and the SDKs write caches under HOME; the root filesystem is read-only.
                { name: "HOME", value: "/tmp" },
              ],
              ports: [
                { name: "http", containerPort: SERVER_PORT, protocol: "TCP" },
                { name: "webhook", containerPort: WEBHOOK_PORT, protocol: "TCP" },
              ],
              // Liveness: the process answers. Readiness: it reaches the API server and leads or follows.
              livenessProbe: { ...probe("/healthz", 20), initialDelaySeconds: 10 },
              readinessProbe: probe("/readyz", 10),
              resources: {
                // No CPU limit: throttling would only slow backups down; the request gives a fair share.
                // Memory stays flat whatever the cluster's size (lists page, packs stream).
                requests: { cpu: "100m", memory: "256Mi" },
                limits: { memory: "1Gi" },
              },
              securityContext: {
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: { drop: ["ALL"] },
              },
              volumeMounts: mounts,
            },
          ],
          volumes,
        },
      },
    },
  };
}

/**
 * A stable address for Prometheus (or a ServiceMonitor) to scrape /metrics, and for the API
 * server to call the pre-delete webhook.
 */
export function metricsService(options: Pick<ServerOptions, "namespace" | "labels">): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: SERVER_NAME, namespace: options.namespace, labels: options.labels },
    spec: {
      type: "ClusterIP",
      selector: SERVER_SELECTOR,
      ports: [
        { name: "http-metrics", port: SERVER_PORT, targetPort: "http", protocol: "TCP" },
        { name: "webhook", port: WEBHOOK_SERVICE_PORT, targetPort: "webhook", protocol: "TCP" },
      ],
    },
  };
}
