import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import { resourcePath, withQuery } from "../../src/cluster/paths.js";
import { isKubesnapError } from "../../src/core/errors.js";
import type { KubeObject } from "../../src/core/kube-types.js";
import { resourceTypeOf, uninstall } from "../../src/install/index.js";
import {
  DEFAULT_WAITER,
  waitForCrdsEstablished,
  waitWhileTerminating,
} from "../../src/restore/apply/waits.js";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import {
  type Access,
  allowed,
  describeAccess,
  impersonating,
  serverMustNotHave,
  serverNeeds,
  serviceAccountUser,
} from "./access.js";

/**
 * `kubesnap install` against a real API server (the second cluster, which fewer tests share).
 * The kubesnap.io CRDs are cluster-wide; this file is the only one that creates them, and it
 * removes them at the end.
 */
const cluster = testEnv().clusters[1]!;
const s3 = testEnv().s3;
const ns = uniqueName("kubesnap-test");
const dryNs = uniqueName("kubesnap-test");
const keeper = uniqueName("kubesnap-test");
const CRD = { apiVersion: "apiextensions.k8s.io/v1", kind: "CustomResourceDefinition" };
let admin: KubeClient;
let secretFile = "";

function installArgs(namespace: string, ...extra: string[]): string[] {
  return [
    "install",
    "--namespace",
    namespace,
    "--provider",
    "s3",
    "--bucket",
    s3.bucket,
    "--prefix",
    namespace,
    "--config",
    `region=${s3.region},s3Url=${s3.endpoint},s3ForcePathStyle=true`,
    "--secret-file",
    secretFile,
    ...extra,
  ];
}

const pathOf = (o: Pick<KubeObject, "apiVersion" | "kind" | "metadata">) =>
  resourcePath(resourceTypeOf(o), { namespace: o.metadata.namespace, name: o.metadata.name });

async function exists(object: Pick<KubeObject, "apiVersion" | "kind" | "metadata">): Promise<boolean> {
  try {
    await admin.get(pathOf(object));
    return true;
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return false;
    throw err;
  }
}

function serverSideApply(object: KubeObject, dryRun: boolean): Promise<KubeObject> {
  return admin.request<KubeObject>({
    method: "PATCH",
    path: withQuery(pathOf(object), {
      fieldManager: "kubesnap",
      force: "true",
      dryRun: dryRun ? "All" : undefined,
    }),
    body: JSON.stringify(object),
    contentType: "application/apply-patch+yaml",
  });
}

const deployment = (namespace: string) =>
  admin.get<KubeObject & { spec: { template: { spec: { containers: { image: string }[] } } } }>(
    `/apis/apps/v1/namespaces/${namespace}/deployments/kubesnap`,
  );

beforeAll(async () => {
  const { home } = isolateCli(cluster);
  secretFile = join(home, "credentials");
  writeFileSync(
    secretFile,
    `[default]\naws_access_key_id = ${s3.accessKeyId}\naws_secret_access_key = ${s3.secretAccessKey}\n`,
  );
  admin = await connect({ kubeconfig: cluster.kubeconfig });
});

afterAll(async () => {
  // Tidy even after a failure: both installs, their cluster-wide RBAC, and the CRDs.
  for (const namespace of [dryNs, keeper, ns])
    await uninstall(admin, namespace, { waiter: DEFAULT_WAITER }).catch(() => {});
  admin.close();
}, 300_000);

describe("install --dry-run -o yaml", () => {
  let objects: KubeObject[] = [];

  it("prints every object as one YAML stream, the Secret included (GitOps needs it), and touches nothing", async () => {
    const result = await kubesnapOk(...installArgs(dryNs, "--dry-run", "-o", "yaml"));
    const documents = parseAllDocuments(result.stdout);
    expect(documents.flatMap((d) => d.errors)).toEqual([]);
    objects = documents.map((d) => d.toJS() as KubeObject);
    expect(objects.map((o) => o.kind)).toEqual([
      "Namespace",
      ...Array(9).fill("CustomResourceDefinition"),
      "ServiceAccount",
      "ClusterRole",
      "ClusterRoleBinding",
      "ClusterRole",
      "ClusterRoleBinding",
      "Role",
      "RoleBinding",
      "Secret",
      "BackupStorageLocation",
      "Service",
      "Deployment",
    ]);
    const secret = objects.find((o) => o.kind === "Secret") as KubeObject & { data: { cloud: string } };
    expect(Buffer.from(secret.data.cloud, "base64").toString("utf8")).toContain(s3.secretAccessKey);
    expect(result.stderr).toBe("");
    expect(await exists({ apiVersion: "v1", kind: "Namespace", metadata: { name: dryNs } })).toBe(false);

    const json = JSON.parse((await kubesnapOk(...installArgs(dryNs, "--dry-run", "-o", "json"))).stdout);
    expect(json).toMatchObject({ apiVersion: "v1", kind: "List" });
    expect(json.items).toEqual(objects);
  });

  it("leaves the Secret out with --no-secret", async () => {
    const args = installArgs(dryNs, "--dry-run").filter(
      (a, i, all) => a !== secretFile && all[i + 1] !== secretFile,
    );
    const result = await kubesnapOk(...args, "--no-secret");
    const kinds = parseAllDocuments(result.stdout).map((d) => (d.toJS() as KubeObject).kind);
    expect(kinds).not.toContain("Secret");
    expect(result.stdout).not.toContain(s3.secretAccessKey);
  });

  it("applies cleanly with a server-side dry run, once its namespace and CRDs exist", async () => {
    // A dry run stores nothing, so what the others need (the namespace for namespaced
    // objects, the CRDs for the BackupStorageLocation) is applied for real first.
    const first = objects.filter((o) => o.kind === "Namespace" || o.kind === "CustomResourceDefinition");
    for (const object of first) await serverSideApply(object, false);
    await waitForCrdsEstablished(
      admin,
      first.filter((o) => o.kind === "CustomResourceDefinition").map((o) => o.metadata.name),
      DEFAULT_WAITER,
    );
    for (const object of objects) {
      const applied = await serverSideApply(object, true);
      expect(applied.metadata.name).toBe(object.metadata.name);
    }
    // Dry run means dry: nothing beyond the namespace and CRDs was stored.
    for (const object of objects.filter((o) => !first.includes(o))) {
      expect(await exists(object), `${object.kind} ${object.metadata.name}`).toBe(false);
    }
    await admin.request({ method: "DELETE", path: `/api/v1/namespaces/${dryNs}` });
  });
});

describe("install, upgrade in place, and uninstall", () => {
  const server = serviceAccountUser(ns, "kubesnap");

  it("creates everything and waits for the CRDs", async () => {
    const result = await kubesnapOk(...installArgs(ns));
    expect(result.stdout).toContain(`Namespace ${ns}: created`);
    expect(result.stdout).toContain(`Deployment ${ns}/kubesnap: created`);
    expect(result.stdout).toContain(`Secret ${ns}/kubesnap-credentials: created`);
    expect(result.stdout).toContain(`kubesnap is installed in namespace "${ns}"`);
    expect(result.stdout + result.stderr).not.toContain(s3.secretAccessKey);
    const location = await admin.get<KubeObject>(
      `/apis/kubesnap.io/v1/namespaces/${ns}/backupstoragelocations/default`,
    );
    expect(location.spec).toEqual({
      provider: "s3",
      objectStorage: { bucket: s3.bucket, prefix: ns },
      config: { region: s3.region, s3Url: s3.endpoint, s3ForcePathStyle: "true" },
      credential: { name: "kubesnap-credentials", key: "cloud" },
      accessMode: "ReadWrite",
      default: true,
    });
  });

  it("runs a server Pod the namespace's restricted Pod Security level admits", async () => {
    // No nodes: the Pod stays Pending, but the ReplicaSet could create it, so admission passed.
    const pods = await eventually("the server's Pod", async () => {
      const list = await admin.get<{ items: KubeObject[] }>(
        withQuery(`/api/v1/namespaces/${ns}/pods`, { labelSelector: "app.kubernetes.io/component=server" }),
      );
      return list.items.length > 0 ? list.items : undefined;
    });
    expect(pods[0]?.spec).toMatchObject({ serviceAccountName: "kubesnap" });
  });

  it("a second install upgrades in place: unchanged objects are not written, changed ones are", async () => {
    // The Deployment's resourceVersion also moves when its controller writes status (the Pod
    // starting); its generation moves only when its spec does. Nothing else writes the Role.
    const role = () =>
      admin.get<KubeObject>(`/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles/kubesnap`);
    const before = {
      deployment: (await deployment(ns)).metadata.generation,
      role: (await role()).metadata.resourceVersion,
    };
    const again = await kubesnapOk(...installArgs(ns));
    expect(again.stdout).toContain(`Deployment ${ns}/kubesnap: unchanged`);
    expect(again.stdout).not.toMatch(/: (created|configured)$/m);
    expect((await deployment(ns)).metadata.generation).toBe(before.deployment);
    expect((await role()).metadata.resourceVersion).toBe(before.role);

    const upgraded = await kubesnapOk(...installArgs(ns, "--image", "kubesnap/kubesnap:upgrade-test"));
    expect(upgraded.stdout).toContain(`Deployment ${ns}/kubesnap: configured`);
    expect(upgraded.stdout).toContain(`Role ${ns}/kubesnap: unchanged`);
    const after = await deployment(ns);
    expect(after.metadata.generation).toBe((before.deployment ?? 0) + 1);
    expect(after.spec.template.spec.containers[0]?.image).toBe("kubesnap/kubesnap:upgrade-test");
    expect((await role()).metadata.resourceVersion).toBe(before.role);
  });

  it("the CRD schemas refuse bad Backups and Schedules with a message naming the field", async () => {
    const create = (kind: string, plural: string, name: string, spec: object) =>
      admin.request<KubeObject>({
        method: "POST",
        path: `/apis/kubesnap.io/v1/namespaces/${ns}/${plural}`,
        body: JSON.stringify({ apiVersion: "kubesnap.io/v1", kind, metadata: { name }, spec }),
      });
    const refused = async (promise: Promise<unknown>, pattern: RegExp) => {
      const err = await promise.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isKubesnapError(err, "InvalidInput"), String(err)).toBe(true);
      expect(String((err as Error).message)).toMatch(pattern);
    };
    await refused(
      create("Backup", "backups", "bad-ttl", { ttl: "3 days" }),
      /spec\.ttl: .*must be a duration/,
    );
    await refused(
      create("Backup", "backups", "bad-selector", { labelSelector: "app in (web" }),
      /spec\.labelSelector: .*must be a label selector/,
    );
    await refused(
      create("Backup", "backups", "both-selectors", { labelSelector: "a=b", orLabelSelectors: ["c=d"] }),
      /cannot both be set/,
    );
    await refused(
      create("Schedule", "schedules", "bad-cron", { schedule: "every day" }),
      /spec\.schedule: .*cron/,
    );
    await refused(
      create("Schedule", "schedules", "bad-keep", { schedule: "@daily", keep: { keepLast: -1 } }),
      /spec\.keep\.keepLast/,
    );
    await refused(
      create("BackupStorageLocation", "backupstoragelocations", "leaky", {
        provider: "s3",
        objectStorage: { bucket: "b-1" },
        config: { accessKeyId: "x", secretAccessKey: "y" },
      }),
      /credentials belong in a Secret/,
    );
    const backup = await create("Backup", "backups", "defaults", {});
    expect(backup.spec).toEqual({
      includedNamespaces: ["*"],
      excludedNamespaces: [],
      includedResources: ["*"],
      excludedResources: [],
      includeClusterResources: "auto",
      ttl: "720h0m0s",
    });
  });

  it("grants the server what it needs, as the API server's RBAC authorizer answers", async () => {
    const can = serverNeeds(ns);
    const cannot = serverMustNotHave(ns);
    const answers = async (list: Access[]) =>
      Object.fromEntries(
        await Promise.all(list.map(async (a) => [describeAccess(a), await allowed(admin, server, a)])),
      );
    expect(await answers(can)).toEqual(Object.fromEntries(can.map((a) => [describeAccess(a), true])));
    expect(await answers(cannot)).toEqual(Object.fromEntries(cannot.map((a) => [describeAccess(a), false])));
  });

  it("acting as the server: reads and creates anywhere, renews its lease, and is refused writes outside its rights", async () => {
    const asServer = impersonating(admin, server);
    try {
      const secrets = await asServer.get<{ items: KubeObject[] }>("/api/v1/secrets?limit=5");
      expect(secrets.items.length).toBeGreaterThan(0);

      const configMap = await asServer.request<KubeObject>({
        method: "POST",
        path: `/api/v1/namespaces/${ns}/configmaps`,
        body: JSON.stringify({
          apiVersion: "v1",
          kind: "ConfigMap",
          metadata: { name: "restored" },
          data: { a: "1" },
        }),
      });
      expect(configMap.metadata.uid).toBeDefined();
      await expect(
        asServer.request({ method: "DELETE", path: `/api/v1/namespaces/${ns}/configmaps/restored` }),
      ).rejects.toMatchObject({ code: "AccessDenied" });

      const leases = `/apis/coordination.k8s.io/v1/namespaces/${ns}/leases`;
      const lease = (name: string) =>
        JSON.stringify({
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name },
          spec: { holderIdentity: "a" },
        });
      const created = await asServer.request<KubeObject>({
        method: "POST",
        path: leases,
        body: lease("kubesnap-server"),
      });
      await asServer.request({
        method: "PUT",
        path: `${leases}/kubesnap-server`,
        body: JSON.stringify({ ...created, spec: { holderIdentity: "b" } }),
      });
      const other = await asServer.request<KubeObject>({
        method: "POST",
        path: leases,
        body: lease("someone-else"),
      });
      await expect(
        asServer.request({ method: "PUT", path: `${leases}/someone-else`, body: JSON.stringify(other) }),
      ).rejects.toMatchObject({ code: "AccessDenied" });

      // RBAC's escalation check: create on clusterrolebindings does not let it bind rights it lacks.
      const binding = {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRoleBinding",
        metadata: { name: `${ns}-escalation` },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: "cluster-admin" },
        subjects: [{ kind: "ServiceAccount", name: "kubesnap", namespace: ns }],
      };
      const escalation = asServer.request({
        method: "POST",
        path: "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
        body: JSON.stringify(binding),
      });
      await expect(escalation).rejects.toMatchObject({ code: "AccessDenied" });
    } finally {
      asServer.close();
      await admin
        .request({
          method: "DELETE",
          path: `/apis/rbac.authorization.k8s.io/v1/clusterrolebindings/${ns}-escalation`,
        })
        .catch(() => {});
    }
  });

  it("uninstall removes the server, its RBAC and its namespace, and keeps the CRDs another namespace uses", async () => {
    const refused = await kubesnap("uninstall", "--namespace", ns);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/--confirm/);

    // A location in another namespace: its objects would go with the CRDs.
    await admin.request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: JSON.stringify({ metadata: { name: keeper } }),
    });
    await admin.request({
      method: "POST",
      path: `/apis/kubesnap.io/v1/namespaces/${keeper}/backupstoragelocations`,
      body: JSON.stringify({
        apiVersion: "kubesnap.io/v1",
        kind: "BackupStorageLocation",
        metadata: { name: "elsewhere" },
        spec: { provider: "s3", objectStorage: { bucket: "elsewhere" } },
      }),
    });

    const result = await kubesnapOk("uninstall", "--namespace", ns, "--confirm");
    expect(result.stdout).toContain(`Deployment ${ns}/kubesnap: deleted`);
    expect(result.stdout).toContain(`ClusterRoleBinding kubesnap-${ns}-restore: deleted`);
    expect(result.stdout).toContain(`Namespace ${ns}: deleted`);
    expect(result.stdout).toMatch(new RegExp(`The kubesnap.io CRDs were kept: namespace\\(s\\) .*${keeper}`));
    expect(result.stdout).toContain("the data in its storage locations was left alone");
    expect(await exists({ apiVersion: "v1", kind: "Namespace", metadata: { name: ns } })).toBe(false);
    for (const name of [`kubesnap-${ns}-backup`, `kubesnap-${ns}-restore`]) {
      const role = { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", metadata: { name } };
      expect(await exists(role)).toBe(false);
    }
    expect(await exists({ ...CRD, metadata: { name: "backups.kubesnap.io" } })).toBe(true);
  });

  it("a later uninstall removes the CRDs once no namespace uses them", async () => {
    await admin.request({ method: "DELETE", path: `/api/v1/namespaces/${keeper}` });
    await waitWhileTerminating(admin, keeper, DEFAULT_WAITER);
    // The server's tests may leave locations of their own on this cluster; then the CRDs stay.
    const locations = await admin.get<{ items: KubeObject[] }>("/apis/kubesnap.io/v1/backupstoragelocations");
    const others = locations.items.length;

    const result = await kubesnapOk("uninstall", "--namespace", ns, "--confirm");
    if (others === 0) {
      expect(result.stdout).toContain("CustomResourceDefinition backups.kubesnap.io: deleted");
      for (const kind of ["backups", "restores", "schedules", "backupstoragelocations"]) {
        expect(await exists({ ...CRD, metadata: { name: `${kind}.kubesnap.io` } })).toBe(false);
      }
    } else {
      expect(result.stdout).toContain("nothing was deleted");
      expect(await exists({ ...CRD, metadata: { name: "backups.kubesnap.io" } })).toBe(true);
    }
  });
});
