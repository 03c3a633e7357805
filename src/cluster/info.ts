import type { KubeClient } from "./client.js";

export interface ClusterIdentity {
  /** gitVersion, e.g. "v1.37.2". */
  readonly version: string;
  /** The kube-system namespace's UID: stable for the life of a cluster, so it identifies it. */
  readonly uid: string;
}

export async function clusterIdentity(client: KubeClient): Promise<ClusterIdentity> {
  const [version, ns] = await Promise.all([
    client.get<{ gitVersion: string }>("/version"),
    client.get<{ metadata: { uid: string } }>("/api/v1/namespaces/kube-system"),
  ]);
  return { version: version.gitVersion, uid: ns.metadata.uid };
}
