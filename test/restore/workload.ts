import { randomBytes, randomInt } from "node:crypto";
import { eventually } from "../kube.js";
import { type Api, type Obj, readAll, refOf, waitEstablished } from "./api.js";
import { apps } from "./workload-apps.js";
import { fixtureMeta } from "./workload-meta.js";
import { network } from "./workload-network.js";
import { settings } from "./workload-settings.js";
import { crdFor, widgets } from "./workload-widgets.js";

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
  const meta = fixtureMeta(ns);
  // One at a time, in order: the LimitRange must exist before the Pod, as on restore.
  const wanted = [
    ...settings(ns, meta),
    ...network(meta, options.explicitNodePort ? nodePort : undefined),
    ...apps(meta),
    ...widgets(meta, widgetApiVersion),
  ];
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
