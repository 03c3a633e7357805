/**
 * The webhook's certificates, kept in one Secret in the server's namespace so every replica
 * serves with the same ones and a restart keeps them. Any replica may rotate: it reads the
 * Secret, plans (certs-rotation.ts), and writes with the resourceVersion it read, so of two
 * replicas rotating at once one gets 409 Conflict, reads the other's result and uses it.
 */
import { X509Certificate } from "node:crypto";
import { isIP } from "node:net";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { type CaInfo, type CertState, planRotation } from "./certs-rotation.js";
import { issueCa, issueServing, type KeyPair } from "./certs-x509.js";
import { SECRETS } from "./kinds.js";

export const WEBHOOK_TLS_SECRET = "kubesnap-webhook-tls";

/** What the webhook serves with, and what the API server must trust (PEM). */
export interface WebhookTls {
  readonly cert: string;
  readonly key: string;
  readonly caBundle: string;
}

/** Rotation happens at 2/3 of a lifetime: a server that was down for weeks still has time to spare. */
export const LIFETIMES = { caMs: 3 * 365 * 86_400_000, servingMs: 90 * 86_400_000 } as const;

const KEYS = {
  caCert: "ca.crt",
  caKey: "ca.key",
  nextCert: "next-ca.crt",
  nextKey: "next-ca.key",
  bundle: "bundle.crt",
  cert: "tls.crt",
  key: "tls.key",
} as const;

type SecretObject = KubeObject & { data?: Record<string, string> };
type Files = Partial<Record<(typeof KEYS)[keyof typeof KEYS], string>>;

/**
 * Makes the certificates current (created, rotated, or as they are) and returns them. `names`:
 * the DNS names and IP addresses the API server may reach the webhook by.
 */
export async function ensureWebhookTls(
  client: KubeClient,
  options: {
    readonly namespace: string;
    readonly names: readonly string[];
    readonly now: () => Date;
    readonly onRotated?: (reasons: readonly string[]) => void;
  },
): Promise<WebhookTls> {
  const path = resourcePath(SECRETS, { namespace: options.namespace, name: WEBHOOK_TLS_SECRET });
  for (let attempt = 0; attempt < 5; attempt++) {
    const secret = await readSecret(client, path);
    const files = decode(secret);
    const now = options.now();
    const next = rotate(files, { ...options, now });
    if (!next.reasons) return tlsOf(files);
    try {
      await writeSecret(client, { namespace: options.namespace, secret, files: next.files });
    } catch (err) {
      // Another replica wrote first: read what it made.
      if (isKubesnapError(err, "Conflict") || isKubesnapError(err, "AlreadyExists")) continue;
      throw err;
    }
    options.onRotated?.(next.reasons);
    return tlsOf(next.files);
  }
  throw new KubesnapError(
    "Conflict",
    `Secret ${options.namespace}/${WEBHOOK_TLS_SECRET} keeps changing under us`,
    {
      hint: "another process writes it; only kubesnap servers should",
    },
  );
}

/** The files after the plan is carried out, and why they changed (undefined: unchanged). */
function rotate(
  files: Files,
  options: { now: Date; names: readonly string[]; namespace: string },
): { files: Files; reasons?: readonly string[] } {
  const now = options.now.getTime();
  const trusted = splitPem(files[KEYS.bundle] ?? "");
  const plan = planRotation(state(files, trusted, options.names), { now });
  const pair = (cert?: string, key?: string): KeyPair | undefined =>
    cert && key ? { cert, key } : undefined;
  const newCa = () =>
    issueCa(`kubesnap-webhook-ca-${options.namespace}@${Math.floor(now / 1000)}`, {
      now: options.now,
      lifetimeMs: LIFETIMES.caMs,
    });
  let active = pair(files[KEYS.caCert], files[KEYS.caKey]);
  let next = pair(files[KEYS.nextCert], files[KEYS.nextKey]);
  if (plan.ca === "new") active = newCa();
  if (plan.ca === "promote-next") active = next;
  if (plan.next === "new") next = newCa();
  if (plan.next === "none") next = undefined;
  if (!active) throw new KubesnapError("Internal", "certificate rotation left no CA");
  const serving = plan.issueServing
    ? issueServing(active, options.names, { now: options.now, lifetimeMs: LIFETIMES.servingMs })
    : pair(files[KEYS.cert], files[KEYS.key]);
  const kept = trusted.filter((c) => plan.keepTrusted.includes(fingerprint(c)));
  const bundle = [...new Set([active.cert, ...(next ? [next.cert] : []), ...kept].map(normalise))].join("");
  const updated: Files = {
    [KEYS.caCert]: active.cert,
    [KEYS.caKey]: active.key,
    ...(next ? { [KEYS.nextCert]: next.cert, [KEYS.nextKey]: next.key } : {}),
    [KEYS.bundle]: bundle,
    [KEYS.cert]: serving?.cert ?? "",
    [KEYS.key]: serving?.key ?? "",
  };
  const reasons = [...plan.reasons];
  if (reasons.length === 0 && bundle !== files[KEYS.bundle]) reasons.push("the CA bundle was incomplete");
  return reasons.length > 0 ? { files: updated, reasons } : { files };
}

function state(files: Files, trusted: readonly string[], names: readonly string[]): CertState {
  const ca = (cert: string | undefined): CaInfo | undefined => {
    const parsed = parse(cert);
    return parsed && { id: parsed.fingerprint256, ...dates(parsed) };
  };
  const active = ca(files[KEYS.caCert]);
  const next = ca(files[KEYS.nextCert]);
  const serving = parse(files[KEYS.cert]);
  const signer = [files[KEYS.caCert], files[KEYS.nextCert]]
    .map(parse)
    .find((c) => c && serving?.checkIssued(c) && serving.verify(c.publicKey));
  return {
    ...(active ? { active } : {}),
    ...(next ? { next } : {}),
    trusted: trusted.map((c) => ca(c)).filter((c): c is CaInfo => c !== undefined),
    ...(serving
      ? {
          serving: {
            issuer: signer?.fingerprint256,
            ...dates(serving),
            coversNames: names.every((n) =>
              isIP(n)
                ? serving.checkIP(n) !== undefined
                : serving.checkHost(n, { subject: "never" }) !== undefined,
            ),
          },
        }
      : {}),
  };
}

/** A certificate that does not parse counts as absent: the plan makes a new one. */
function parse(pem: string | undefined): X509Certificate | undefined {
  if (!pem) return undefined;
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

const dates = (c: X509Certificate) => ({
  notBefore: Date.parse(c.validFrom),
  notAfter: Date.parse(c.validTo),
});
const fingerprint = (pem: string) => parse(pem)?.fingerprint256 ?? "";
const normalise = (pem: string) => `${pem.trim()}\n`;

function splitPem(bundle: string): string[] {
  return (bundle.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []).map(normalise);
}

function tlsOf(files: Files): WebhookTls {
  return { cert: files[KEYS.cert] ?? "", key: files[KEYS.key] ?? "", caBundle: files[KEYS.bundle] ?? "" };
}

function decode(secret: SecretObject | undefined): Files {
  return Object.fromEntries(
    Object.entries(secret?.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
}

async function readSecret(client: KubeClient, path: string): Promise<SecretObject | undefined> {
  try {
    return await client.get<SecretObject>(path);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}

async function writeSecret(
  client: KubeClient,
  options: { namespace: string; secret: SecretObject | undefined; files: Files },
): Promise<void> {
  const body: SecretObject = {
    apiVersion: "v1",
    kind: "Secret",
    // The metadata as read carries the resourceVersion: the update fails with 409 if anyone wrote since.
    metadata: options.secret?.metadata ?? {
      name: WEBHOOK_TLS_SECRET,
      namespace: options.namespace,
      labels: { "app.kubernetes.io/name": "kubesnap", "app.kubernetes.io/component": "webhook" },
    },
    type: "Opaque",
    data: Object.fromEntries(
      Object.entries(options.files).map(([k, v]) => [k, Buffer.from(v ?? "").toString("base64")]),
    ),
  };
  const collection = resourcePath(SECRETS, { namespace: options.namespace });
  await (options.secret
    ? client.request({
        method: "PUT",
        path: `${collection}/${WEBHOOK_TLS_SECRET}`,
        body: JSON.stringify(body),
      })
    : client.request({ method: "POST", path: collection, body: JSON.stringify(body) }));
}
