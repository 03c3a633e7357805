import type { ClusterInfo } from "../testenv/env-info.js";
import { clients, eventually } from "./kube.js";

/** The drill's workload: Velero's nginx example in namespace `namespace`. */
export async function deployNginx(cluster: ClusterInfo, namespace: string): Promise<void> {
  const { core, apps } = clients(cluster);
  await core.createNamespace({ body: { metadata: { name: namespace, labels: { app: "nginx" } } } });
  await apps.createNamespacedDeployment({
    namespace,
    body: {
      metadata: { name: "nginx-deployment", labels: { app: "nginx" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "nginx" } },
        template: {
          metadata: { labels: { app: "nginx" } },
          spec: { containers: [{ name: "nginx", image: "nginx:1.27", ports: [{ containerPort: 80 }] }] },
        },
      },
    },
  });
  await core.createNamespacedService({
    namespace,
    body: {
      metadata: { name: "my-nginx", labels: { app: "nginx" } },
      spec: { type: "LoadBalancer", selector: { app: "nginx" }, ports: [{ port: 80, targetPort: 80 }] },
    },
  });
  await eventually("the Deployment's two Pods", async () => {
    const pods = await core.listNamespacedPod({ namespace });
    return pods.items.length === 2 ? true : undefined;
  });
}

/** Deletes a namespace and waits until the namespace controller has removed it. */
export async function deleteNamespace(cluster: ClusterInfo, namespace: string): Promise<void> {
  const { core } = clients(cluster);
  await core.deleteNamespace({ name: namespace });
  await eventually(
    `namespace ${namespace} to be gone`,
    async () => {
      try {
        await core.readNamespace({ name: namespace });
        return undefined;
      } catch {
        return true;
      }
    },
    120_000,
  );
}

/** `count` ConfigMaps of about 1 KiB each, created a few at a time. */
export async function createConfigMaps(
  cluster: ClusterInfo,
  namespace: string,
  count: number,
): Promise<void> {
  const { core } = clients(cluster);
  const names = Array.from({ length: count }, (_, i) => `cm-${String(i).padStart(4, "0")}`);
  for (let i = 0; i < names.length; i += 20) {
    await Promise.all(
      names.slice(i, i + 20).map((name) =>
        core.createNamespacedConfigMap({
          namespace,
          body: {
            metadata: { name, labels: { kind: "filler" } },
            data: { payload: `${name}:`.padEnd(1024, "x") },
          },
        }),
      ),
    );
  }
}
