/**
 * The webhook's certificates as the server keeps them: in one Secret on a real API server,
 * whose resourceVersions decide which of two replicas writing at once wins. Time is the
 * function's `now` option, so a CA's three-year life passes in a few calls.
 */
import { X509Certificate } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import type { KubeObject } from "../../src/core/kube-types.js";
import { ensureWebhookTls, LIFETIMES, WEBHOOK_TLS_SECRET } from "../../src/server/certs.js";
import { testEnv } from "../context.js";
import { uniqueName } from "../kube.js";
import { deleteNamespace } from "../workloads.js";

const cluster = testEnv().clusters[0]!;
const DAY = 86_400_000;
const CA_DAYS = LIFETIMES.caMs / DAY;
const T0 = Date.now();

type Secret = KubeObject & { data: Record<string, string> };

describe("ensureWebhookTls", () => {
  const namespaces: string[] = [];
  /** Two clients with connections of their own, as two replicas have. */
  let replicas: [KubeClient, KubeClient];

  beforeAll(async () => {
    replicas = [
      await connect({ kubeconfig: cluster.kubeconfig }),
      await connect({ kubeconfig: cluster.kubeconfig }),
    ];
  });
  afterAll(async () => {
    for (const namespace of namespaces) await deleteNamespace(cluster, namespace);
    for (const client of replicas ?? []) client.close();
  });

  /** A namespace of its own per test: the Secret has a fixed name. */
  async function serverNamespace(): Promise<string> {
    const namespace = uniqueName("webhook-tls");
    await replicas[0].request({
      method: "POST",
      path: "/api/v1/namespaces",
      body: JSON.stringify({ metadata: { name: namespace } }),
    });
    namespaces.push(namespace);
    return namespace;
  }

  /** ensureWebhookTls as the server calls it, `day` days after T0; counts the writes it made. */
  function ensureAt(
    namespace: string,
    day: number,
    options: { client?: KubeClient; names?: string[]; writes?: string[][] } = {},
  ) {
    return ensureWebhookTls(options.client ?? replicas[0], {
      namespace,
      names: options.names ?? [`kubesnap.${namespace}.svc`],
      now: () => new Date(T0 + day * DAY),
      onRotated: (reasons) => options.writes?.push([...reasons]),
    });
  }

  const secret = (namespace: string) =>
    replicas[0].get<Secret>(`/api/v1/namespaces/${namespace}/secrets/${WEBHOOK_TLS_SECRET}`);
  const stored = async (namespace: string, key: string) =>
    Buffer.from((await secret(namespace)).data[key] ?? "", "base64").toString("utf8");

  it("creates the certificates once and rotates the CA through a trusted-first overlap", async () => {
    const namespace = await serverNamespace();
    const writes: string[][] = [];
    const first = await ensureAt(namespace, 0, { writes });
    expect(certs(first.caBundle)).toHaveLength(1);
    expect(signedBy(first.cert, first.caBundle)).toBe(0);
    const created = await secret(namespace);
    expect(created.metadata.labels).toMatchObject({ "app.kubernetes.io/component": "webhook" });

    // A day later (or a restart): read back as they are, nothing written.
    expect(await ensureAt(namespace, 1, { writes })).toEqual(first);
    expect(writes).toHaveLength(1);
    expect((await secret(namespace)).metadata.resourceVersion).toBe(created.metadata.resourceVersion);

    // Two thirds in: a second CA is trusted, the first still signs.
    const trusted = await ensureAt(namespace, CA_DAYS * (2 / 3) + 1, { writes });
    expect(certs(trusted.caBundle)).toHaveLength(2);
    expect(signedBy(trusted.cert, trusted.caBundle)).toBe(0);
    expect(await stored(namespace, "bundle.crt")).toBe(trusted.caBundle);

    // Five sixths in: the second CA signs; the first stays in the bundle until it expires.
    const promoted = await ensureAt(namespace, CA_DAYS * (5 / 6) + 1, { writes });
    expect(certs(promoted.caBundle)).toHaveLength(2);
    expect(signedBy(promoted.cert, promoted.caBundle)).toBe(0);
    expect(promoted.caBundle.startsWith(certs(trusted.caBundle)[1]!.toString().trim())).toBe(true);

    const expired = await ensureAt(namespace, CA_DAYS + 1, { writes });
    expect(certs(expired.caBundle)).toHaveLength(1);
    expect(signedBy(expired.cert, expired.caBundle)).toBe(0);
    expect(await stored(namespace, "tls.crt")).toBe(expired.cert);
    expect(writes).toHaveLength(4);
  });

  it("re-issues the serving certificate when the webhook's address changes, with the same CA", async () => {
    const namespace = await serverNamespace();
    const first = await ensureAt(namespace, 0);
    const moved = await ensureAt(namespace, 0, { names: ["127.0.0.1"] });
    expect(new X509Certificate(moved.cert).checkIP("127.0.0.1")).toBe("127.0.0.1");
    expect(moved.cert).not.toBe(first.cert);
    expect(moved.caBundle).toBe(first.caBundle);
    expect(await stored(namespace, "tls.crt")).toBe(moved.cert);
  });

  it("lets two replicas starting, then rotating, at once end up with the same certificates", async () => {
    const namespace = await serverNamespace();
    // Both connected already, so that both reads go out before either write.
    await Promise.all(replicas.map((client) => client.get(`/api/v1/namespaces/${namespace}`)));
    const both = (day: number, writes: string[][]) =>
      Promise.all([
        ensureAt(namespace, day, { client: replicas[0], writes }),
        ensureAt(namespace, day, { client: replicas[1], writes }),
      ]);

    // Both find no Secret; one create gets AlreadyExists and takes what the other made.
    const created: string[][] = [];
    const [a, b] = await both(0, created);
    expect(a).toEqual(b);
    expect(created).toHaveLength(1);

    // Both read the same Secret; one update gets 409 Conflict and takes what the other made.
    const rotated: string[][] = [];
    const [c, d] = await both(CA_DAYS * (2 / 3) + 1, rotated);
    expect(c).toEqual(d);
    expect(certs(c.caBundle)).toHaveLength(2);
    expect(rotated).toHaveLength(1);
    expect(await stored(namespace, "bundle.crt")).toBe(c.caBundle);
  });
});

const certs = (bundle: string) =>
  (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );

/** Which CA of the bundle signed cert (-1: none). */
const signedBy = (cert: string, bundle: string) =>
  certs(bundle).findIndex((ca) => new X509Certificate(cert).verify(ca.publicKey));
