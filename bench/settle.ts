/** Reading the clusters' state: waiting for controllers to finish, checking a restore. */
import type { KubeClient } from "../src/cluster/client.js";
import { resourcePath, withQuery } from "../src/cluster/paths.js";
import type { KubeObject, ResourceType } from "../src/core/kube-types.js";
import { type countWorkload, NAMESPACE_COUNT, NAMESPACE_PREFIX, TYPES } from "./objects.js";

const WORKLOAD = { labelSelector: "app.kubernetes.io/part-of=kubesnap-bench" };
const SERVICE_ACCOUNTS: ResourceType = {
  group: "",
  version: "v1",
  resource: "serviceaccounts",
  kind: "ServiceAccount",
  namespaced: true,
};

/** Counts a type's items cluster-wide that match a query (and a predicate), page by page. */
async function countItems(
  client: KubeClient,
  type: ResourceType,
  query: { labelSelector?: string; fieldSelector?: string },
  keep: (item: KubeObject) => boolean = () => true,
): Promise<number> {
  let count = 0;
  let token: string | undefined;
  do {
    const page = await client.get<{ metadata?: { continue?: string }; items: KubeObject[] }>(
      withQuery(resourcePath(type), { limit: 500, continue: token, ...query }),
    );
    count += page.items.filter(keep).length;
    token = page.metadata?.continue || undefined;
  } while (token !== undefined);
  return count;
}

const inBenchNamespace = (item: KubeObject) => item.metadata.namespace?.startsWith(NAMESPACE_PREFIX) === true;

interface Status {
  observedGeneration?: number;
  conditions?: { type: string; reason?: string }[];
}

/** The deployment controller has acted on this generation and rolled its ReplicaSet out. */
function deploymentSettled(item: KubeObject): boolean {
  const status = item.status as Status | undefined;
  return (
    status?.observedGeneration === item.metadata.generation &&
    (status?.conditions ?? []).some((c) => c.type === "Progressing" && c.reason === "NewReplicaSetAvailable")
  );
}

function replicaSetSettled(item: KubeObject): boolean {
  return (item.status as Status | undefined)?.observedGeneration === item.metadata.generation;
}

/**
 * Waits until the controllers are done with the workload: each Deployment has its
 * ReplicaSet and has written its final status, each ReplicaSet its status, each namespace
 * its default ServiceAccount and kube-root-ca.crt. Otherwise their writes would go on
 * during the measured steps (taking CPU) and between the two backups (adding to the
 * incremental's bytes objects the bench did not change). Returns the ReplicaSets' count.
 */
export async function settle(
  client: KubeClient,
  deployments: number,
  log: (line: string) => void,
): Promise<number> {
  const deadline = Date.now() + 900_000;
  for (;;) {
    const [settledDeployments, replicasets, defaults, rootCas] = await Promise.all([
      countItems(client, TYPES.deployments, WORKLOAD, deploymentSettled),
      countItems(client, TYPES.replicaSets, WORKLOAD, replicaSetSettled),
      countItems(client, SERVICE_ACCOUNTS, { fieldSelector: "metadata.name=default" }, inBenchNamespace),
      countItems(
        client,
        TYPES.configMaps,
        { fieldSelector: "metadata.name=kube-root-ca.crt" },
        inBenchNamespace,
      ),
    ]);
    const state = `${settledDeployments}/${deployments} Deployments and ${replicasets}/${deployments} ReplicaSets settled, ${defaults}/${NAMESPACE_COUNT} ServiceAccounts, ${rootCas}/${NAMESPACE_COUNT} root CAs`;
    if (
      settledDeployments >= deployments &&
      replicasets >= deployments &&
      defaults >= NAMESPACE_COUNT &&
      rootCas >= NAMESPACE_COUNT
    ) {
      // A moment more for anything queued behind the last status write.
      await new Promise((resolve) => setTimeout(resolve, 3000));
      return replicasets;
    }
    if (Date.now() > deadline) throw new Error(`bench: controllers did not settle in 15 min: ${state}`);
    log(`bench: waiting for controllers: ${state}`);
    await new Promise((resolve) => setTimeout(resolve, 3000));
  }
}

/** The restore must have brought back every object of the workload, or its time means nothing. */
export async function checkRestored(
  client: KubeClient,
  counts: ReturnType<typeof countWorkload>,
): Promise<void> {
  const [configMaps, secrets, deployments] = await Promise.all([
    countItems(client, TYPES.configMaps, WORKLOAD),
    countItems(client, TYPES.secrets, WORKLOAD),
    countItems(client, TYPES.deployments, WORKLOAD),
  ]);
  if (configMaps !== counts.configMaps || secrets !== counts.secrets || deployments !== counts.deployments) {
    throw new Error(
      `bench: the restored cluster has ${configMaps}/${counts.configMaps} ConfigMaps, ${secrets}/${counts.secrets} Secrets, ${deployments}/${counts.deployments} Deployments`,
    );
  }
}
