/**
 * What the file-system backup tests need beside a cluster: a node agent as a local process
 * (`kubesnap node-agent`, built CLI) reading a directory laid out as a kubelet lays out its
 * pods' volumes, a Node object for it (without one, the pod garbage collector deletes pods
 * bound to the node), pods bound to that node, and waits on kubesnap objects.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import type { KubeClient } from "../../src/cluster/client.js";
import { repoRoot } from "../../testenv/paths.js";
import { eventually } from "../kube.js";
import type { Api, Obj } from "../restore/api.js";
import { getKubesnap, listKubesnap } from "../server/harness.js";

const CLI = join(repoRoot(), "bin", "kubesnap.js");

export interface NodeAgentProcess {
  readonly child: ChildProcess;
  readonly logs: () => string;
  /** SIGTERM (or the given signal), then waits for the process to end. */
  stop(signal?: NodeJS.Signals): Promise<void>;
}

export function startNodeAgent(options: {
  kubeconfig: string;
  namespace: string;
  nodeName: string;
  kubeletRoot: string;
  uid?: number;
}): NodeAgentProcess {
  const child = spawn(
    process.execPath,
    [
      CLI,
      "--kubeconfig",
      options.kubeconfig,
      "-n",
      options.namespace,
      "node-agent",
      "--node-name",
      options.nodeName,
      "--kubelet-root",
      options.kubeletRoot,
    ],
    {
      stdio: ["ignore", "ignore", "pipe"],
      // As the DaemonSet runs it (NODE_AGENT_THREADS).
      env: { ...process.env, UV_THREADPOOL_SIZE: "16" },
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.uid } : {}),
    },
  );
  let text = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    text += chunk.toString("utf8");
  });
  const ended = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return {
    child,
    logs: () => text,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await ended;
    },
  };
}

/** A Node object for a node agent's node name; tolerations keep pods on it despite its NotReady taints. */
export async function createNode(api: Api, name: string): Promise<void> {
  await api.create({ apiVersion: "v1", kind: "Node", metadata: { name } });
}

/** A pod bound to node (spec.nodeName), tolerating the node's taints, with emptyDir volumes. */
export function boundPod(options: {
  namespace: string;
  name: string;
  node: string;
  volumes: string[];
  annotations?: Record<string, string>;
}): Obj {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: options.name, namespace: options.namespace, annotations: options.annotations ?? {} },
    spec: {
      nodeName: options.node,
      tolerations: [{ operator: "Exists" }],
      containers: [
        {
          name: "app",
          image: "registry.k8s.io/pause:3.10",
          volumeMounts: options.volumes.map((v) => ({ name: v, mountPath: `/${v}` })),
        },
      ],
      volumes: options.volumes.map((v) => ({ name: v, emptyDir: {} })),
    },
  };
}

/**
 * Removes a namespace of these tests. No kubelet ever confirms a pod's deletion here, so its
 * pods are deleted by force, after the controllers that would make them again; otherwise the
 * namespace would stay Terminating.
 */
export async function removeNamespaceByForce(api: Api, namespace: string): Promise<void> {
  for (const path of [
    `/apis/apps/v1/namespaces/${namespace}/deployments`,
    `/apis/apps/v1/namespaces/${namespace}/replicasets`,
    `/api/v1/namespaces/${namespace}/pods?gracePeriodSeconds=0`,
  ]) {
    await api.send("DELETE", path).catch(() => undefined);
  }
  await api.remove({ apiVersion: "v1", kind: "Namespace", name: namespace }).catch(() => undefined);
}

/** Makes (and returns) an emptyDir volume's directory as the kubelet of kubeletRoot would. */
export async function kubeletVolumeDir(kubeletRoot: string, podUid: string, volume: string): Promise<string> {
  const dir = join(kubeletRoot, "pods", podUid, "volumes", "kubernetes.io~empty-dir", volume);
  await mkdir(dir, { recursive: true });
  return dir;
}

/** What the scheduler does: binds a pending pod to a node. */
export async function bindPod(
  api: Api,
  pod: { namespace: string; name: string },
  node: string,
): Promise<void> {
  await api.send("POST", `/api/v1/namespaces/${pod.namespace}/pods/${pod.name}/binding`, {
    apiVersion: "v1",
    kind: "Binding",
    metadata: { name: pod.name },
    target: { apiVersion: "v1", kind: "Node", name: node },
  });
}

type Phased = Obj & { status?: { phase?: string; [field: string]: unknown } };

const FINISHED = new Set(["Completed", "PartiallyFailed", "Failed", "FailedValidation"]);

/** A kubesnap object once its phase is final. */
export async function finished(
  client: KubeClient,
  namespace: string,
  resource: string,
  name: string,
  timeoutMs = 300_000,
): Promise<Phased> {
  return eventually(
    `${resource}/${name} to finish`,
    async () => {
      const object = await getKubesnap<Phased>(client, namespace, resource, name);
      return FINISHED.has(object?.status?.phase ?? "") ? object : undefined;
    },
    timeoutMs,
    500,
  );
}

/** The PodVolumeBackups (or PodVolumeRestores) labelled with a backup's name. */
export async function podVolumeObjects(
  client: KubeClient,
  namespace: string,
  resource: "podvolumebackups" | "podvolumerestores",
  backup: string,
): Promise<Phased[]> {
  const all = await listKubesnap<Phased>(client, namespace, resource);
  return all.filter((o) => o.metadata.labels?.["kubesnap.io/backup-name"] === backup);
}
