import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { uniqueName } from "../kube.js";
import { Api, type Obj, waitEstablished } from "./api.js";
import { RESTORE_LABEL } from "./checks.js";
import { backupOk, groupLines, restore } from "./records.js";
import { looseWidgetCrd } from "./workload-widgets.js";

/**
 * Filters take exactly what they say. Three namespaces P-a, P-b, P-c hold the same small set
 * of labelled objects (P-a also a custom resource); each backup's groups are checked line by
 * line, and each restore (mapped to a fresh namespace) by what carries its restore label.
 */
describe("backup and restore filters", () => {
  const api = new Api(testEnv().clusters[0]!);
  const p = uniqueName("flt");
  const [a, b, c] = [`${p}-a`, `${p}-b`, `${p}-c`];
  const owner = { "kubesnap-test/owner": p };
  const group = `${p}.kubesnap.test`;
  const crd = `widgets.${group}`;
  const clusterRole = `${p}-viewer`;

  const objectsIn = (ns: string): Obj[] => [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "alpha", namespace: ns, labels: { app: "alpha" } },
    },
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "beta", namespace: ns, labels: { app: "beta", tier: "back" } },
      data: { k: "v" },
    },
    { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "plain", namespace: ns } },
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "alpha-s", namespace: ns, labels: { app: "alpha" } },
      stringData: { k: "v" },
    },
    {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "alpha-svc", namespace: ns, labels: { app: "alpha" } },
      spec: { ports: [{ port: 80 }] },
    },
  ];

  /** What restore NAME put in namespace ns, as "Kind/name", sorted. */
  async function restoredIn(ns: string, restoreName: string): Promise<string[]> {
    const selector = `${RESTORE_LABEL}=${restoreName}`;
    const found: string[] = [];
    for (const [apiVersion, kind] of [
      ["v1", "ConfigMap"],
      ["v1", "Secret"],
      ["v1", "Service"],
      ["v1", "ServiceAccount"],
      [`${group}/v1`, "Widget"],
    ] as const) {
      const list = await api.list({ apiVersion, kind, namespace: ns }, selector);
      found.push(...list.map((o) => `${kind}/${o.metadata.name}`));
    }
    return found.sort();
  }

  const namespaceExists = async (name: string) =>
    (await api.find({ apiVersion: "v1", kind: "Namespace", name })) !== undefined;

  beforeAll(async () => {
    isolateCli(testEnv().clusters[0]!);
    await api.create(looseWidgetCrd(group));
    await api.create({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: clusterRole, labels: owner },
      rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get"] }],
    });
    await waitEstablished(api, crd);
    for (const ns of [a, b, c]) {
      await api.create({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns, labels: owner } });
      for (const object of objectsIn(ns)) await api.create(object);
    }
    await api.create({
      apiVersion: `${group}/v1`,
      kind: "Widget",
      metadata: { name: "w1", namespace: a, labels: { tier: "back" } },
      spec: { size: 1 },
    });
  });

  const each = (ns: string, lines: Record<string, number>) =>
    Object.entries(lines).map(([resource, count]) => `${resource} ${ns}=${count}`);
  // Every namespace also holds the cluster's kube-root-ca.crt ConfigMap and "default" ServiceAccount.
  const wholeNamespace = (ns: string) =>
    each(ns, { configmaps: 4, secrets: 1, services: 1, serviceaccounts: 1 });

  describe("backup", () => {
    it("--include-namespaces and --exclude-namespaces take globs", async () => {
      const record = await backupOk(
        `${p}-globs`,
        "--include-namespaces",
        `${p}-*`,
        "--exclude-namespaces",
        c,
      );
      expect(groupLines(record)).toEqual(
        [
          ...wholeNamespace(a),
          ...wholeNamespace(b),
          `widgets.${group} ${a}=1`,
          "namespaces -=2",
          "customresourcedefinitions.apiextensions.k8s.io -=1",
        ].sort(),
      );
    });

    it("--selector takes only matching items, and the namespaces they are in", async () => {
      const record = await backupOk(
        `${p}-selector`,
        "--include-namespaces",
        `${a},${b},${c}`,
        "--selector",
        "app=alpha",
      );
      expect(groupLines(record)).toEqual(
        [
          ...[a, b, c].flatMap((ns) => each(ns, { configmaps: 1, secrets: 1, services: 1 })),
          "namespaces -=3",
        ].sort(),
      );
    });

    it("--or-selector takes items matching any alternative, once, and the CRD they need", async () => {
      const record = await backupOk(
        `${p}-or`,
        "--include-namespaces",
        a,
        "--or-selector",
        "app=alpha or tier=back",
      );
      expect(groupLines(record)).toEqual(
        [
          ...each(a, { configmaps: 2, secrets: 1, services: 1, [`widgets.${group}`]: 1 }),
          "namespaces -=1",
          "customresourcedefinitions.apiextensions.k8s.io -=1",
        ].sort(),
      );
    });

    it("--include-resources takes only the named resources", async () => {
      const record = await backupOk(
        `${p}-inc-res`,
        "--include-namespaces",
        a,
        "--include-resources",
        "configmaps,secrets",
      );
      expect(groupLines(record)).toEqual(each(a, { configmaps: 4, secrets: 1 }).sort());
    });

    it("--exclude-resources leaves the named resources out, and the CRD nothing needs any more", async () => {
      const record = await backupOk(
        `${p}-exc-res`,
        "--include-namespaces",
        a,
        "--exclude-resources",
        `secrets,services,widgets.${group}`,
      );
      expect(groupLines(record)).toEqual(
        [...each(a, { configmaps: 4, serviceaccounts: 1 }), "namespaces -=1"].sort(),
      );
    });

    it("--include-cluster-resources=false takes nothing cluster-scoped, not even the Namespace or the CRD", async () => {
      const record = await backupOk(
        `${p}-no-cluster`,
        "--include-namespaces",
        a,
        "--include-cluster-resources=false",
      );
      expect(groupLines(record)).toEqual([...wholeNamespace(a), `widgets.${group} ${a}=1`].sort());
    });

    it("--include-cluster-resources=true with a selector takes matching cluster-scoped items, but only included Namespaces", async () => {
      const record = await backupOk(
        `${p}-cluster`,
        "--include-namespaces",
        a,
        "--include-cluster-resources=true",
        "--selector",
        `kubesnap-test/owner=${p}`,
      );
      expect(groupLines(record)).toEqual(["clusterroles.rbac.authorization.k8s.io -=1", "namespaces -=1"]);
    });

    it("backup describe --details lists the groups it holds", async () => {
      const out = await kubesnapOk("backup", "describe", `${p}-inc-res`, "--details");
      expect(out.stdout).toMatch(new RegExp(`^\\s+configmaps:\\s+${a}: 4$`, "m"));
      expect(out.stdout).toMatch(new RegExp(`^\\s+secrets:\\s+${a}: 1$`, "m"));
      expect(out.stdout).not.toMatch(/^\s+services:/m);
    });
  });

  describe("restore", () => {
    const full = `${p}-full`;
    beforeAll(async () => {
      await backupOk(full, "--include-namespaces", `${p}-*`);
    });

    it("--selector restores only matching items", async () => {
      const target = `${p}-r1`;
      const run = await restore(`${p}-r1`, full, [
        "--include-namespaces",
        a,
        "--namespace-mappings",
        `${a}:${target}`,
        "--selector",
        "app=alpha",
      ]);
      expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      expect(await restoredIn(target, `${p}-r1`)).toEqual([
        "ConfigMap/alpha",
        "Secret/alpha-s",
        "Service/alpha-svc",
      ]);
      // Three items and the Namespace, nothing from P-b or P-c.
      expect(run.record.status.progress.itemsRestored).toBe(4);
    });

    it("--or-selector restores items matching any alternative, and the CRD they need", async () => {
      const target = `${p}-r2`;
      const run = await restore(`${p}-r2`, full, [
        "--include-namespaces",
        a,
        "--namespace-mappings",
        `${a}:${target}`,
        "--or-selector",
        "app=alpha or tier=back",
      ]);
      expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      expect(await restoredIn(target, `${p}-r2`)).toEqual([
        "ConfigMap/alpha",
        "ConfigMap/beta",
        "Secret/alpha-s",
        "Service/alpha-svc",
        "Widget/w1",
      ]);
      // The CRD came along as a dependency and was found already there.
      expect(run.record.status.skipped["already-exists"]).toBe(1);
    });

    it("--include-resources restores only the named resources", async () => {
      const target = `${p}-r3`;
      const run = await restore(`${p}-r3`, full, [
        "--include-namespaces",
        a,
        "--namespace-mappings",
        `${a}:${target}`,
        "--include-resources",
        "configmaps",
      ]);
      expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      expect(await restoredIn(target, `${p}-r3`)).toEqual([
        "ConfigMap/alpha",
        "ConfigMap/beta",
        "ConfigMap/plain",
      ]);
    });

    it("--exclude-resources leaves the named resources out", async () => {
      const target = `${p}-r4`;
      const run = await restore(`${p}-r4`, full, [
        "--include-namespaces",
        a,
        "--namespace-mappings",
        `${a}:${target}`,
        "--exclude-resources",
        `configmaps,widgets.${group}`,
      ]);
      expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      const restored = await restoredIn(target, `${p}-r4`);
      expect(restored.filter((item) => !item.startsWith("ServiceAccount/"))).toEqual([
        "Secret/alpha-s",
        "Service/alpha-svc",
      ]);
      expect(await api.list({ apiVersion: "v1", kind: "ConfigMap", namespace: target }, "app")).toEqual([]);
    });

    it("--include-namespaces and --exclude-namespaces take globs", async () => {
      const name = `${p}-r5`;
      const run = await restore(name, full, [
        "--include-namespaces",
        `${p}-*`,
        "--exclude-namespaces",
        b,
        "--namespace-mappings",
        `${a}:${p}-r5a,${b}:${p}-r5b,${c}:${p}-r5c`,
      ]);
      expect(run.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      const whole = [
        "ConfigMap/alpha",
        "ConfigMap/beta",
        "ConfigMap/plain",
        "Secret/alpha-s",
        "Service/alpha-svc",
      ];
      expect((await restoredIn(`${p}-r5a`, name)).filter((i) => !i.startsWith("ServiceAccount/"))).toEqual([
        ...whole,
        "Widget/w1",
      ]);
      expect((await restoredIn(`${p}-r5c`, name)).filter((i) => !i.startsWith("ServiceAccount/"))).toEqual(
        whole,
      );
      expect(await namespaceExists(`${p}-r5b`)).toBe(false);
    });

    it("--include-cluster-resources=false restores nothing cluster-scoped; the default restores it all", async () => {
      const backup = `${p}-cluster`;
      await api.removeAndWait({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        name: clusterRole,
      });
      const none = await restore(`${p}-r6`, backup, [
        "--namespace-mappings",
        `${a}:${p}-r6`,
        "--include-cluster-resources=false",
      ]);
      expect(none.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      expect(await namespaceExists(`${p}-r6`)).toBe(true);
      expect(
        await api.find({
          apiVersion: "rbac.authorization.k8s.io/v1",
          kind: "ClusterRole",
          name: clusterRole,
        }),
      ).toBeUndefined();

      const all = await restore(`${p}-r7`, backup, ["--namespace-mappings", `${a}:${p}-r7`]);
      expect(all.record.status).toMatchObject({ phase: "Completed", errors: 0 });
      const role = await api.read({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        name: clusterRole,
      });
      expect(role.metadata.labels?.[RESTORE_LABEL]).toBe(`${p}-r7`);
    });
  });
});
