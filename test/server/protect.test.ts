import { request } from "node:https";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup } from "../../src/api/index.js";
import { isKubesnapError } from "../../src/core/errors.js";
import type { KubeObject } from "../../src/core/kube-types.js";
import { installNames } from "../../src/install/names.js";
import { BYPASS_ANNOTATION, PRE_DELETE_UID_LABEL } from "../../src/protect/index.js";
import { webhookConfigurationName } from "../../src/server/webhook-config.js";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import { looseWidgetCrd } from "../restore/workload-widgets.js";
import { createConfigMaps } from "../workloads.js";
import { listKubesnap, type RunningServer, startServer } from "./harness.js";

const WEBHOOKS = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";
const CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

type WebhookConfig = KubeObject & { webhooks: { clientConfig: { url: string; caBundle: string } }[] };

/**
 * Pre-delete protection against a real API server, which calls the server's webhook over TLS
 * on loopback: protected deletes wait for a Completed backup, everything else is untouched.
 */
describe("pre-delete protection", () => {
  let server: RunningServer;
  let cli: (...args: string[]) => ReturnType<typeof kubesnap>;
  const figures: string[] = [];

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    isolateCli(cluster);
    server = await startServer(cluster, testEnv().s3, {
      prefix: uniqueName("protect"),
      webhook: { listen: "127.0.0.1:0", timeoutSeconds: 20 },
    });
    cli = (...args) => kubesnap("-n", server.namespace, ...args);
    await eventually("the webhook configuration", () => webhookConfig().catch(() => undefined), 30_000);
  });
  /** Restored objects come back protected (the label is part of them): removed at the end. */
  const leftovers: string[] = [];
  afterAll(async () => {
    // A configuration left behind would point at a closed port and block protected deletes.
    await server?.client
      .request({ method: "DELETE", path: `${WEBHOOKS}/${webhookConfigurationName(server.namespace)}` })
      .catch(() => undefined);
    for (const path of leftovers)
      await server?.client.request({ method: "DELETE", path }).catch(() => undefined);
    await server?.stop();
    if (figures.length > 0) console.log(`pre-delete figures:\n${figures.join("\n")}`);
  });

  const webhookConfig = () =>
    server.client.get<WebhookConfig>(`${WEBHOOKS}/${webhookConfigurationName(server.namespace)}`);

  async function namespaceWith(count: number): Promise<string> {
    const namespace = uniqueName("protected");
    await server.client.request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: JSON.stringify({ metadata: { name: namespace } }),
    });
    await createConfigMaps(testEnv().clusters[0]!, namespace, count);
    return namespace;
  }

  /** DELETE, timed: resolves with the API server's answer only once the webhook allowed it. */
  async function timedDelete(path: string): Promise<number> {
    const started = performance.now();
    await server.client.request({ method: "DELETE", path });
    return performance.now() - started;
  }

  async function preDeleteBackups(uid: string): Promise<Backup[]> {
    const all = await listKubesnap<Backup>(server.client, server.namespace, "backups");
    return all.filter((b) => b.metadata.labels?.[PRE_DELETE_UID_LABEL] === uid);
  }

  async function fillerCount(namespace: string): Promise<number> {
    const { items } = await server.client.get<{ items: KubeObject[] }>(
      `/api/v1/namespaces/${namespace}/configmaps`,
    );
    return items.filter((i) => i.metadata.name.startsWith("cm-")).length;
  }

  const gone = (path: string) =>
    eventually(
      `${path} to be gone`,
      async () => {
        try {
          await server.client.get(path);
          return undefined;
        } catch (err) {
          return isKubesnapError(err, "NotFound") ? true : undefined;
        }
      },
      120_000,
    );

  it("answers a call for an unprotected object at once, with allowed", async () => {
    const config = await webhookConfig();
    const { url, caBundle } = config.webhooks[0]!.clientConfig;
    const review = {
      apiVersion: "admission.k8s.io/v1",
      kind: "AdmissionReview",
      request: {
        uid: "test-uid",
        kind: { group: "", version: "v1", kind: "Namespace" },
        name: "anything",
        operation: "DELETE",
        oldObject: { apiVersion: "v1", kind: "Namespace", metadata: { name: "anything", uid: "u1" } },
      },
    };
    const started = performance.now();
    const answer = await postJson(url, Buffer.from(caBundle, "base64").toString("utf8"), review);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(answer).toMatchObject({ kind: "AdmissionReview", response: { uid: "test-uid", allowed: true } });
  });

  it("leaves an unprotected namespace alone: the webhook is not even called", async () => {
    const namespace = await namespaceWith(5);
    // The API server calls webhooks before it answers the DELETE: had it called, the log would say so now.
    await timedDelete(`/api/v1/namespaces/${namespace}`);
    expect(server.logs()).not.toContain(namespace);
  });

  it.each([100, 1000])(
    "backs up a protected namespace of %i objects before it is deleted; a restore brings them all back",
    async (count) => {
      const namespace = await namespaceWith(count);
      const protectedIt = await cli("protect", "namespace", namespace);
      expect(protectedIt.code, protectedIt.stderr).toBe(0);
      expect(protectedIt.stdout).toContain(`Namespace "${namespace}" is protected`);
      const uid = (await server.client.get<KubeObject>(`/api/v1/namespaces/${namespace}`)).metadata.uid!;

      const ms = await timedDelete(`/api/v1/namespaces/${namespace}`);
      figures.push(`  ${count} objects: DELETE → allowed in ${(ms / 1000).toFixed(2)} s`);
      // Allowed means committed: the backup is Completed the moment the DELETE returns.
      const [backup] = await preDeleteBackups(uid);
      expect(backup?.metadata.name).toMatch(new RegExp(`^pre-delete-${namespace}-\\d{14}$`));
      expect(backup?.status?.phase).toBe("Completed");
      expect(backup?.status?.progress?.itemsBackedUp).toBeGreaterThanOrEqual(count);
      if (count < 1000) return;

      expect(ms).toBeLessThan(10_000);
      await gone(`/api/v1/namespaces/${namespace}`);
      const name = backup!.metadata.name;
      const restored = await cli("restore", "create", "--from-backup", name, `${name}-r`, "--wait");
      leftovers.push(`/api/v1/namespaces/${namespace}`);
      expect(restored.code, restored.stdout + restored.stderr).toBe(0);
      expect(await fillerCount(namespace)).toBe(count);
    },
  );

  it("backs up a protected CRD with its custom resources before it is deleted", async () => {
    const group = `${uniqueName("widgets")}.kubesnap-test.io`;
    const crd = `widgets.${group}`;
    await server.client.request({ method: "POST", path: CRDS, body: JSON.stringify(looseWidgetCrd(group)) });
    await eventually("the CRD to be established", async () => {
      const c = await server.client.get<{ status?: { conditions?: { type: string; status: string }[] } }>(
        `${CRDS}/${crd}`,
      );
      return c.status?.conditions?.some((x) => x.type === "Established" && x.status === "True") || undefined;
    });
    const namespace = await namespaceWith(0);
    for (let i = 0; i < 5; i++) {
      await server.client.request({
        method: "POST",
        path: `/apis/${group}/v1/namespaces/${namespace}/widgets`,
        body: JSON.stringify({
          apiVersion: `${group}/v1`,
          kind: "Widget",
          metadata: { name: `w${i}`, labels: { "widget-test": group } },
          size: i,
        }),
      });
    }
    await kubesnapOk("-n", server.namespace, "protect", "crd", crd, "--ttl", "2160h");
    const listed = await cli("protect", "list");
    expect(listed.stdout).toMatch(
      new RegExp(`^CustomResourceDefinition\\s+${crd.replaceAll(".", "\\.")}\\s+2160h\\s*$`, "m"),
    );
    const uid = (await server.client.get<KubeObject>(`${CRDS}/${crd}`)).metadata.uid!;

    await timedDelete(`${CRDS}/${crd}`);
    const [backup] = await preDeleteBackups(uid);
    expect(backup?.status?.phase).toBe("Completed");
    // Kept as long as protect said, not the default 720h.
    expect(backup?.spec.ttl).toBe("2160h");
    await gone(`${CRDS}/${crd}`);

    // The backup holds every CRD (a spec selects resources, not names): restore this one and its widgets.
    const restored = await cli(
      "restore",
      "create",
      "--from-backup",
      backup!.metadata.name,
      uniqueName("widgets-r"),
      "--or-selector",
      `kubesnap.io/protected=true or widget-test=${group}`,
      "--wait",
    );
    leftovers.push(`${CRDS}/${crd}`, `/api/v1/namespaces/${namespace}`);
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    const widgets = await server.client.get<{ items: KubeObject[] }>(
      `/apis/${group}/v1/namespaces/${namespace}/widgets`,
    );
    expect(widgets.items.map((w) => w.metadata.name).sort()).toEqual(["w0", "w1", "w2", "w3", "w4"]);
  });

  it("never protects a system namespace by accident, and lists what is protected", async () => {
    const refused = await cli("protect", "namespace", "kube-system");
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/system namespace.*--allow-system-namespace/);
    const own = await cli("protect", "namespace", server.namespace);
    expect(own.stderr).toMatch(/kubesnap's own namespace/);
    const listed = await cli("protect", "list");
    expect(listed.stdout).toMatch(/^CustomResourceDefinition\s+widgets\./m);
  });

  it("with the store unreachable denies the delete with the reason; with the bypass annotation it goes through", async () => {
    const namespace = await namespaceWith(20);
    await kubesnapOk("-n", server.namespace, "protect", "namespace", namespace);
    const location = `/apis/kubesnap.io/v1/namespaces/${server.namespace}/backupstoragelocations/default`;
    const original = await server.client.get<{ spec: { config: Record<string, string> } }>(location);
    const patchUrl = (s3Url: string) =>
      server.client.request({
        method: "PATCH",
        path: location,
        body: JSON.stringify({ spec: { config: { s3Url } } }),
        contentType: "application/merge-patch+json",
      });
    await patchUrl("http://127.0.0.1:1");
    try {
      await eventually("the location to be Unavailable", async () => {
        const l = await server.client.get<{ status?: { phase?: string } }>(location);
        return l.status?.phase === "Unavailable" || undefined;
      });
      const denied = await server.client
        .request({ method: "DELETE", path: `/api/v1/namespaces/${namespace}` })
        .then(
          () => undefined,
          (err: unknown) => err,
        );
      expect(isKubesnapError(denied, "AccessDenied"), String(denied)).toBe(true);
      const message = (denied as Error).message;
      expect(message).toContain(`cannot delete namespace "${namespace}" before it is backed up`);
      expect(message).toMatch(/Unavailable/);
      expect(message).toContain(`${BYPASS_ANNOTATION}=true`);
      const still = await server.client.get<KubeObject>(`/api/v1/namespaces/${namespace}`);
      expect(still.metadata.deletionTimestamp).toBeUndefined();
      expect(await fillerCount(namespace)).toBe(20);

      await server.client.request({
        method: "PATCH",
        path: `/api/v1/namespaces/${namespace}`,
        body: JSON.stringify({ metadata: { annotations: { [BYPASS_ANNOTATION]: "true" } } }),
        contentType: "application/merge-patch+json",
      });
      await timedDelete(`/api/v1/namespaces/${namespace}`);
      await gone(`/api/v1/namespaces/${namespace}`);
      expect(server.logs()).toContain("WITHOUT a backup");
    } finally {
      await patchUrl(original.spec.config.s3Url ?? "");
    }
  });

  it("is owned by the install's backup ClusterRole, so uninstalling (which deletes it) removes the webhook", async () => {
    const roles = "/apis/rbac.authorization.k8s.io/v1/clusterroles";
    const role = installNames(server.namespace).backupClusterRole;
    await server.client.request({
      method: "POST",
      path: roles,
      body: JSON.stringify({
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        metadata: { name: role },
      }),
    });
    try {
      const owned = await eventually("the configuration to name its owner", async () => {
        const config = await webhookConfig();
        return config.metadata.ownerReferences?.[0]?.name === role ? config : undefined;
      });
      await server.client.request({ method: "DELETE", path: `${roles}/${role}` });
      // The garbage collector deletes it (the leader, still running here, then registers a new one).
      await eventually("the garbage collector to delete the owned configuration", async () => {
        const now = await webhookConfig().catch(() => undefined);
        return now?.metadata.uid !== owned.metadata.uid || undefined;
      });
    } finally {
      await server.client.request({ method: "DELETE", path: `${roles}/${role}` }).catch(() => undefined);
    }
  });
});

function postJson(url: string, ca: string, body: unknown): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: "POST", ca, headers: { "Content-Type": "application/json" } },
      (res) => {
        let text = "";
        res.on("data", (chunk: Buffer) => {
          text += chunk.toString("utf8");
        });
        res.on("end", () => resolve(JSON.parse(text)));
      },
    );
    req.on("error", reject);
    req.end(JSON.stringify(body));
  });
}
