import { execFileSync } from "node:child_process";
import { CoreV1Api, KubeConfig } from "@kubernetes/client-node";
import { describe, expect, it } from "vitest";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";

describe("the test environment's clusters", () => {
  it("runs the deployment controller: a Deployment gets a ReplicaSet and Pods", async () => {
    const { core, apps } = clients(testEnv().clusters[0]!);
    const namespace = uniqueName("deploy");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await apps.createNamespacedDeployment({
      namespace,
      body: {
        metadata: { name: "web" },
        spec: {
          replicas: 2,
          selector: { matchLabels: { app: "web" } },
          template: {
            metadata: { labels: { app: "web" } },
            spec: { containers: [{ name: "web", image: "nginx" }] },
          },
        },
      },
    });
    const replicaSets = await eventually("a ReplicaSet", async () => {
      const list = await apps.listNamespacedReplicaSet({ namespace });
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(replicaSets[0]?.metadata?.ownerReferences?.[0]?.name).toBe("web");
    const pods = await eventually("two Pods", async () => {
      const list = await core.listNamespacedPod({ namespace });
      return list.items.length === 2 ? list.items : undefined;
    });
    expect(pods.every((pod) => pod.metadata?.labels?.app === "web")).toBe(true);
  });

  it("runs the namespace controller: deleting a namespace removes it and its content", async () => {
    const { core } = clients(testEnv().clusters[0]!);
    const namespace = uniqueName("gone");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedConfigMap({ namespace, body: { metadata: { name: "cm" }, data: { a: "1" } } });
    await core.deleteNamespace({ name: namespace });
    await eventually("the namespace to disappear", async () => {
      const list = await core.listNamespace();
      return list.items.some((ns) => ns.metadata?.name === namespace) ? undefined : true;
    });
    const left = await core.listNamespacedConfigMap({ namespace });
    expect(left.items).toEqual([]);
  });

  it("answers kubectl with the admin kubeconfig", () => {
    const out = execFileSync("kubectl", ["--kubeconfig", testEnv().clusters[0]!.kubeconfig, "get", "ns"], {
      encoding: "utf8",
    });
    expect(out).toMatch(/^kube-system\s+Active/m);
  });

  it("denies the restricted token until a RoleBinding grants it", async () => {
    const cluster = testEnv().clusters[0]!;
    const { core, rbac } = clients(cluster);
    const namespace = uniqueName("rbac");
    await core.createNamespace({ body: { metadata: { name: namespace } } });

    const kc = new KubeConfig();
    kc.loadFromOptions({
      clusters: [{ name: "c", server: cluster.server, caFile: cluster.caFile }],
      users: [{ name: "restricted", token: cluster.restrictedToken }],
      contexts: [{ name: "c", cluster: "c", user: "restricted" }],
      currentContext: "c",
    });
    const restricted = kc.makeApiClient(CoreV1Api);
    await expect(restricted.listNamespacedSecret({ namespace })).rejects.toMatchObject({ code: 403 });

    await rbac.createNamespacedRole({
      namespace,
      body: {
        metadata: { name: "read-secrets" },
        rules: [{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }],
      },
    });
    await rbac.createNamespacedRoleBinding({
      namespace,
      body: {
        metadata: { name: "read-secrets" },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "read-secrets" },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: "restricted" }],
      },
    });
    const allowed = await eventually("the grant to take effect", async () =>
      restricted.listNamespacedSecret({ namespace }).catch(() => undefined),
    );
    expect(allowed.items).toEqual([]);
  });

  it("keeps two clusters independent", async () => {
    const [first, second] = testEnv().clusters;
    const one = clients(first!);
    const two = clients(second!);
    expect(first!.server).not.toBe(second!.server);
    const namespace = uniqueName("only-in-one");
    await one.core.createNamespace({ body: { metadata: { name: namespace } } });
    await expect(two.core.readNamespace({ name: namespace })).rejects.toMatchObject({ code: 404 });
    await expect(one.core.readNamespace({ name: namespace })).resolves.toMatchObject({
      metadata: { name: namespace },
    });
  });
});
