import { X509Certificate } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { KubeClient } from "../cluster/client.js";
import { KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { ensureWebhookTls, LIFETIMES } from "./certs.js";

const DAY = 86_400_000;
const T0 = Date.now();

/** One Secret in memory, with resourceVersions checked as the API server checks them. */
function secretStore() {
  let secret: KubeObject | undefined;
  let version = 0;
  const writes: string[] = [];
  const client = {
    get: async () => {
      if (!secret) throw new KubesnapError("NotFound", "secret not found");
      return structuredClone(secret);
    },
    request: async (req: { method: string; body: string }) => {
      const body = JSON.parse(req.body) as KubeObject;
      if (req.method === "POST" && secret) throw new KubesnapError("AlreadyExists", "secret exists");
      if (req.method === "PUT" && body.metadata.resourceVersion !== secret?.metadata.resourceVersion)
        throw new KubesnapError("Conflict", "secret changed");
      secret = { ...body, metadata: { ...body.metadata, resourceVersion: String(++version) } };
      writes.push(req.method);
      return secret;
    },
  } as unknown as KubeClient;
  return { client, writes };
}

function ensureAt(client: KubeClient, day: number) {
  return ensureWebhookTls(client, {
    namespace: "ks",
    names: ["kubesnap.ks.svc"],
    now: () => new Date(T0 + day * DAY),
  });
}

const certs = (bundle: string) =>
  (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map(
    (pem) => new X509Certificate(pem),
  );
const signedBy = (cert: string, bundle: string) =>
  certs(bundle).findIndex((ca) => new X509Certificate(cert).verify(ca.publicKey));

describe("ensureWebhookTls", () => {
  it("creates the certificates once and rotates the CA through a trusted-first overlap", async () => {
    const { client, writes } = secretStore();
    const caDays = LIFETIMES.caMs / DAY;
    const first = await ensureAt(client, 0);
    expect(certs(first.caBundle)).toHaveLength(1);
    expect(signedBy(first.cert, first.caBundle)).toBe(0);
    expect(await ensureAt(client, 1)).toEqual(first);
    expect(writes).toEqual(["POST"]);

    // Two thirds in: a second CA is trusted, the first still signs.
    const trusted = await ensureAt(client, caDays * (2 / 3) + 1);
    expect(certs(trusted.caBundle)).toHaveLength(2);
    expect(signedBy(trusted.cert, trusted.caBundle)).toBe(0);

    // Five sixths in: the second CA signs; the first stays in the bundle until it expires.
    const promoted = await ensureAt(client, caDays * (5 / 6) + 1);
    expect(certs(promoted.caBundle)).toHaveLength(2);
    expect(signedBy(promoted.cert, promoted.caBundle)).toBe(0);
    expect(promoted.caBundle.startsWith(certs(trusted.caBundle)[1]!.toString().trim())).toBe(true);

    const expired = await ensureAt(client, caDays + 1);
    expect(certs(expired.caBundle)).toHaveLength(1);
    expect(signedBy(expired.cert, expired.caBundle)).toBe(0);
  });

  it("re-issues the serving certificate when the webhook's address changes", async () => {
    const { client } = secretStore();
    await ensureAt(client, 0);
    const moved = await ensureWebhookTls(client, {
      namespace: "ks",
      names: ["127.0.0.1"],
      now: () => new Date(T0),
    });
    expect(new X509Certificate(moved.cert).checkIP("127.0.0.1")).toBe("127.0.0.1");
  });

  it("lets two replicas starting at once end up with the same certificates", async () => {
    const { client, writes } = secretStore();
    const [a, b] = await Promise.all([ensureAt(client, 0), ensureAt(client, 0)]);
    expect(a).toEqual(b);
    expect(writes).toEqual(["POST"]);
  });
});
