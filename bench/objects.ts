/**
 * The bench's workload: SIZE objects over 100 namespaces, generated deterministically so a
 * run is repeatable. Of every 100 objects, 64 are ConfigMaps (~1 KB of data), 35 are
 * Secrets (three keys) and 1 is a Deployment.
 *
 * Deployments have `replicas: 0`. The test clusters have no nodes, so Pods would stay
 * Pending anyway, but every Pod is one more object the controller-manager writes and the
 * backup takes: with 2 replicas a 50k workload would carry 1,000 extra Pods the bench does
 * not ask for. With 0 replicas the deployment controller still makes one ReplicaSet per
 * Deployment (which the backup takes and the restore leaves to the controller) and then
 * writes the Deployment's status. It does so at its client's default 20 requests/s, about
 * 7 Deployments a second here: that is why Deployments are only 1% and are created first,
 * and why the bench waits for them to settle (settle.ts) before measuring.
 */
import { createHash } from "node:crypto";
import type { KubeClient } from "../src/cluster/client.js";
import { resourcePath } from "../src/cluster/paths.js";
import { forEachLimit } from "../src/core/concurrency.js";
import { isKubesnapError } from "../src/core/errors.js";
import type { KubeObject, ResourceType } from "../src/core/kube-types.js";

export const NAMESPACE_COUNT = 100;
export const NAMESPACE_PREFIX = "bench-";
const PART_OF = { "app.kubernetes.io/part-of": "kubesnap-bench" };

export const TYPES = {
  namespaces: { group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false },
  configMaps: { group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", namespaced: true },
  secrets: { group: "", version: "v1", resource: "secrets", kind: "Secret", namespaced: true },
  deployments: {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    namespaced: true,
  },
  replicaSets: {
    group: "apps",
    version: "v1",
    resource: "replicasets",
    kind: "ReplicaSet",
    namespaced: true,
  },
} as const satisfies Record<string, ResourceType>;

/** One object to create, with the type that says where to POST it. */
export interface TypedObject {
  readonly type: ResourceType;
  readonly object: KubeObject;
}

export interface WorkloadCounts {
  readonly configMaps: number;
  readonly secrets: number;
  readonly deployments: number;
}

export function namespaceName(index: number): string {
  return `${NAMESPACE_PREFIX}${String(index).padStart(3, "0")}`;
}

/** Which kind the k-th object of the workload is: of every 100, 1 Deployment, 35 Secrets, 64 ConfigMaps. */
function kindAt(k: number): Kind {
  const slot = k % 100;
  if (slot === 0) return "deployment";
  return slot <= 35 ? "secret" : "configmap";
}

type Kind = "deployment" | "secret" | "configmap";

/**
 * Where each object of the workload goes: the size spread evenly over the namespaces (the
 * first ones taking the remainder), kinds assigned over the whole workload so the mix
 * holds at any size. j numbers the objects within their namespace.
 */
function* layout(size: number): Generator<{ namespace: string; j: number; kind: Kind }> {
  let k = 0;
  for (let ns = 0; ns < NAMESPACE_COUNT; ns++) {
    const count = Math.floor(size / NAMESPACE_COUNT) + (ns < size % NAMESPACE_COUNT ? 1 : 0);
    for (let j = 0; j < count; j++) yield { namespace: namespaceName(ns), j, kind: kindAt(k++) };
  }
}

export function countWorkload(size: number): WorkloadCounts {
  const counts = { configMaps: 0, secrets: 0, deployments: 0 };
  for (const { kind } of layout(size)) {
    if (kind === "deployment") counts.deployments++;
    else if (kind === "secret") counts.secrets++;
    else counts.configMaps++;
  }
  return counts;
}

export function namespaceObjects(): TypedObject[] {
  return Array.from({ length: NAMESPACE_COUNT }, (_, i) => ({
    type: TYPES.namespaces,
    object: { apiVersion: "v1", kind: "Namespace", metadata: { name: namespaceName(i), labels: PART_OF } },
  }));
}

/**
 * Every object of the workload except the namespaces: the Deployments first (so the
 * controller-manager makes their ReplicaSets while the rest is created), then the rest
 * namespace by namespace.
 */
export function workloadObjects(size: number): TypedObject[] {
  const deployments: TypedObject[] = [];
  const rest: TypedObject[] = [];
  for (const { namespace, j, kind } of layout(size)) {
    if (kind === "configmap") rest.push({ type: TYPES.configMaps, object: configMap(namespace, j, 1) });
    else if (kind === "secret") rest.push({ type: TYPES.secrets, object: secret(namespace, j) });
    else deployments.push({ type: TYPES.deployments, object: deployment(namespace, j) });
  }
  return [...deployments, ...rest];
}

/** Deterministic hex, so content is repeatable and about as compressible as real configuration. */
function hex(seed: string, length: number): string {
  let out = "";
  for (let i = 0; out.length < length; i++) {
    out += createHash("sha256").update(`${seed}/${i}`).digest("hex");
  }
  return out.slice(0, length);
}

function objectName(prefix: string, j: number): string {
  return `${prefix}-${String(j).padStart(5, "0")}`;
}

/** A properties file of 24 settings, about 1 KB; `revision` changes every value. */
function properties(namespace: string, name: string, revision: number): string {
  const lines: string[] = [];
  for (let k = 0; k < 24; k++) {
    lines.push(
      `service.${name}.option${String(k).padStart(2, "0")}=${hex(`${namespace}/${name}/${k}/${revision}`, 24)}`,
    );
  }
  return `${lines.join("\n")}\n`;
}

export function configMapName(j: number): string {
  return objectName("cm", j);
}

function configMap(namespace: string, j: number, revision: number): KubeObject {
  const name = configMapName(j);
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace, labels: { ...PART_OF, app: name } },
    data: {
      "app.properties": properties(namespace, name, revision),
      "log-level": "info",
      "feature-flags": '{"newCheckout":true,"betaSearch":false}',
    },
  };
}

function secret(namespace: string, j: number): KubeObject {
  const name = objectName("secret", j);
  const b64 = (text: string) => Buffer.from(text).toString("base64");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels: { ...PART_OF, app: name } },
    type: "Opaque",
    data: {
      username: b64(`svc-${namespace}-${j}`),
      password: b64(hex(`${namespace}/${name}/password`, 32)),
      token: b64(hex(`${namespace}/${name}/token`, 96)),
    },
  };
}

function deployment(namespace: string, j: number): KubeObject {
  const name = objectName("deploy", j);
  const labels = { ...PART_OF, app: name };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels },
    spec: {
      replicas: 0,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: "web",
              image: "registry.example/web:1.27.3",
              ports: [{ containerPort: 8080, name: "http" }],
              env: [
                { name: "LOG_LEVEL", value: "info" },
                { name: "CONFIG_MAP", value: `${name}-config` },
              ],
              resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } },
              readinessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 10 },
            },
          ],
        },
      },
    },
  };
}

/** POSTs each object with `concurrency` requests in flight; AlreadyExists counts as done. */
export async function createAll(
  client: KubeClient,
  objects: readonly TypedObject[],
  options: { concurrency: number; onDone?: (done: number) => void },
): Promise<{ created: number; existed: number; failed: number; firstError?: string }> {
  const tally: { created: number; existed: number; failed: number; firstError?: string } = {
    created: 0,
    existed: 0,
    failed: 0,
  };
  let done = 0;
  await forEachLimit(objects, options.concurrency, async ({ type, object }) => {
    try {
      await client.request({
        method: "POST",
        path: resourcePath(type, { namespace: object.metadata.namespace }),
        body: JSON.stringify(object),
      });
      tally.created++;
    } catch (err) {
      if (isKubesnapError(err, "AlreadyExists")) tally.existed++;
      else {
        tally.failed++;
        tally.firstError ??= String(err);
      }
    }
    options.onDone?.(++done);
  });
  return tally;
}

/**
 * Changes 1% of the workload's objects (at least one): ConfigMaps spread evenly over all
 * namespaces get a new `app.properties`, as a configuration roll-out would.
 */
export async function changeOnePercent(
  client: KubeClient,
  size: number,
  options: { concurrency: number },
): Promise<number> {
  const configMaps = [...layout(size)].filter((o) => o.kind === "configmap");
  const wanted = Math.max(1, Math.round(size / 100));
  const step = configMaps.length / wanted;
  const chosen = Array.from({ length: wanted }, (_, i) => configMaps[Math.floor(i * step)]).filter(
    (c) => c !== undefined,
  );
  await forEachLimit(chosen, options.concurrency, async ({ namespace, j }) => {
    const name = configMapName(j);
    await client.request({
      method: "PATCH",
      path: resourcePath(TYPES.configMaps, { namespace, name }),
      contentType: "application/merge-patch+json",
      body: JSON.stringify({ data: { "app.properties": properties(namespace, name, 2) } }),
    });
  });
  return chosen.length;
}
