import { type ChildProcess, spawn } from "node:child_process";
import { join } from "node:path";
import { Writable } from "node:stream";
import { crds } from "../../src/api/index.js";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import { resourcePath } from "../../src/cluster/paths.js";
import { isKubesnapError } from "../../src/core/errors.js";
import type { KubeObject } from "../../src/core/kube-types.js";
import { DEFAULT_WAITER, waitForCrdsEstablished } from "../../src/restore/apply/waits.js";
import { TYPES } from "../../src/server/kinds.js";
import { jsonLogger } from "../../src/server/log.js";
import { runServer, type ServerOptions } from "../../src/server/server.js";
import type { ClusterInfo, S3Info } from "../../testenv/env-info.js";
import { repoRoot } from "../../testenv/paths.js";
import { uniqueName } from "../kube.js";

const CRD_TYPE = {
  group: "apiextensions.k8s.io",
  version: "v1",
  resource: "customresourcedefinitions",
  kind: "CustomResourceDefinition",
  namespaced: false,
};

/** kubesnap's CRDs in a cluster, applied (so a changed schema reaches a reused environment) and left for every test. */
export async function ensureCrds(client: KubeClient): Promise<void> {
  const all = crds();
  for (const crd of all) {
    await client.request({
      method: "PATCH",
      path: `${resourcePath(CRD_TYPE, { name: crd.metadata.name })}?fieldManager=kubesnap-tests&force=true`,
      body: JSON.stringify(crd),
      contentType: "application/apply-patch+yaml",
    });
  }
  await waitForCrdsEstablished(
    client,
    all.map((c) => c.metadata.name),
    DEFAULT_WAITER,
  );
}

export interface RunningServer {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly logs: () => string;
  stop(): Promise<void>;
}

/**
 * A kubesnap server as a local process would run it (out of cluster, against a real API
 * server), in a namespace of its own, with a MinIO location as its default.
 */
export async function startServer(
  cluster: ClusterInfo,
  s3: S3Info,
  options: {
    prefix: string;
    accessMode?: "ReadWrite" | "ReadOnly";
    namespace?: string;
    webhook?: ServerOptions["webhook"];
  },
): Promise<RunningServer> {
  const client = await connect({ kubeconfig: cluster.kubeconfig });
  await ensureCrds(client);
  const namespace = options.namespace ?? uniqueName("kubesnap");
  await client.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: JSON.stringify({ metadata: { name: namespace } }),
  });
  await create(
    client,
    namespace,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "cloud-credentials" },
      stringData: {
        cloud: `[default]\naws_access_key_id=${s3.accessKeyId}\naws_secret_access_key=${s3.secretAccessKey}\n`,
      },
    },
    "/api/v1/namespaces/NS/secrets",
  );
  await createLocation(client, namespace, {
    kind: "BackupStorageLocation",
    metadata: { name: "default" },
    spec: {
      provider: "s3",
      objectStorage: { bucket: s3.bucket, prefix: options.prefix },
      config: { region: s3.region, s3Url: s3.endpoint, s3ForcePathStyle: "true" },
      credential: { name: "cloud-credentials", key: "cloud" },
      accessMode: options.accessMode ?? "ReadWrite",
      default: true,
      backupSyncPeriod: "2s",
      validationFrequency: "2s",
    },
  });
  let text = "";
  const stream = new Writable({
    write(chunk, _enc, done) {
      text += String(chunk);
      done();
    },
  });
  const abort = new AbortController();
  const running = runServer({
    client,
    namespace,
    listen: "127.0.0.1:0",
    syncPeriodMs: 2000,
    log: jsonLogger(stream),
    signal: abort.signal,
    leaseDurationSeconds: 4,
    ...(options.webhook ? { webhook: options.webhook } : {}),
  });
  // A server that fails at start-up (bad options) must fail the test, not leave it waiting.
  const startup = await Promise.race([
    running.then(() => "ended"),
    new Promise((resolve) => setTimeout(resolve, 500, "running")),
  ]);
  if (startup === "ended") throw new Error(`the server ended at start-up:\n${text}`);
  return {
    client,
    namespace,
    logs: () => text,
    stop: async () => {
      abort.abort();
      await running;
      client.close();
    },
  };
}

/**
 * test/install's uninstall removes the CRDs when no namespace has a location: if it did so
 * between ensureCrds and this create, make them again.
 */
async function createLocation(
  client: KubeClient,
  namespace: string,
  body: Parameters<typeof createKubesnap>[3],
): Promise<void> {
  await createKubesnap(client, namespace, TYPES.locations.resource, body).catch(async (err: unknown) => {
    if (!isKubesnapError(err, "NotFound")) throw err;
    await ensureCrds(client);
    await createKubesnap(client, namespace, TYPES.locations.resource, body);
  });
}

/**
 * A namespace for kubesnap objects that no server runs, for tests that play its controllers
 * through the API themselves. It holds a location all the same, which no one reads: without
 * one, test/install's uninstall would remove the CRDs, and the test's objects, meanwhile.
 */
export async function kubesnapNamespace(client: KubeClient, prefix: string): Promise<string> {
  await ensureCrds(client);
  const namespace = uniqueName(prefix);
  await client.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: JSON.stringify({ metadata: { name: namespace } }),
  });
  await createLocation(client, namespace, {
    kind: "BackupStorageLocation",
    metadata: { name: "default" },
    spec: { provider: "s3", objectStorage: { bucket: "unused" } },
  });
  return namespace;
}

async function create(client: KubeClient, namespace: string, body: object, path: string): Promise<void> {
  await client.request({ method: "POST", path: path.replace("NS", namespace), body: JSON.stringify(body) });
}

/** Creates a kubesnap.io object in the server's namespace. */
export async function createKubesnap(
  client: KubeClient,
  namespace: string,
  resource: string,
  body: { kind: string; metadata: { name: string; labels?: Record<string, string> }; spec: object },
): Promise<void> {
  await client.request({
    method: "POST",
    path: `/apis/kubesnap.io/v1/namespaces/${namespace}/${resource}`,
    body: JSON.stringify({ apiVersion: "kubesnap.io/v1", ...body }),
  });
}

export async function getKubesnap<T = KubeObject & { status?: Record<string, unknown> }>(
  client: KubeClient,
  namespace: string,
  resource: string,
  name: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(`/apis/kubesnap.io/v1/namespaces/${namespace}/${resource}/${name}`);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}

export async function listKubesnap<T = KubeObject & { status?: Record<string, unknown> }>(
  client: KubeClient,
  namespace: string,
  resource: string,
): Promise<T[]> {
  return (await client.get<{ items: T[] }>(`/apis/kubesnap.io/v1/namespaces/${namespace}/${resource}`)).items;
}

const CLI = join(repoRoot(), "bin", "kubesnap.js");

export interface ServerProcess {
  readonly child: ChildProcess;
  /** What the process has logged so far (JSON lines on stderr). */
  readonly logs: () => string;
}

/**
 * `kubesnap server` as its own process, as it runs in a Pod, so a test can kill it with
 * SIGKILL. It runs the built CLI (dist/), which `npm test` builds first.
 */
export function serverProcess(kubeconfig: string, namespace: string, ...args: string[]): ServerProcess {
  const child = spawn(
    process.execPath,
    [
      CLI,
      "--kubeconfig",
      kubeconfig,
      "-n",
      namespace,
      "server",
      "--listen",
      "127.0.0.1:0",
      "--sync-period",
      "2s",
      "--lease-duration",
      "3",
      ...args,
    ],
    { stdio: ["ignore", "ignore", "pipe"] },
  );
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  return { child, logs: () => text };
}
