/**
 * The pre-delete webhook's HTTPS endpoint: POST /validate-delete takes an AdmissionReview and
 * answers it (webhook-review.ts). Every replica serves it, with the certificates in the shared
 * Secret (certs.ts), which it checks every certCheckMs and rotates when due; a new serving
 * certificate is used for new connections without a restart.
 */

import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, type Server } from "node:https";
import type { AddressInfo } from "node:net";
import type { KubeClient } from "../cluster/client.js";
import { describeError, KubesnapError } from "../core/errors.js";
import type { AdmissionRequest } from "../protect/admission.js";
import { ensureWebhookTls, type WebhookTls } from "./certs.js";
import type { Logger } from "./controller.js";
import { parseListen } from "./health.js";
import { systemClock } from "./leader.js";
import type { ServerMetrics } from "./metrics.js";
import { WEBHOOK_PATH, type WebhookEndpoint } from "./webhook-config.js";
import { reviewDeletion } from "./webhook-review.js";

export interface WebhookOptions {
  readonly client: KubeClient;
  /** The server's namespace: its Backups, its certificate Secret, its Service. */
  readonly namespace: string;
  /** "host:port" as for --listen; port 0 picks a free one. */
  readonly listen: string;
  /** How the API server reaches this webhook, once the port is known. */
  readonly endpoint: (port: number) => WebhookEndpoint;
  readonly timeoutSeconds: number;
  readonly log: Logger;
  readonly metrics: ServerMetrics;
  /** How often the certificates are checked (and rotated when due). */
  readonly certCheckMs: number;
}

export interface Webhook {
  readonly port: number;
  readonly endpoint: WebhookEndpoint;
  /** The CAs the API server must trust, as of the last check (PEM). */
  caBundle(): string;
  close(): Promise<void>;
}

/** Review bodies hold one Namespace or CRD (a CRD can be a few MB with its schemas). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;

export async function startWebhook(options: WebhookOptions): Promise<Webhook> {
  const now = () => new Date();
  const names = servingNames(options.endpoint(0), options.namespace);
  const ensure = () =>
    ensureWebhookTls(options.client, {
      namespace: options.namespace,
      names,
      now,
      onRotated: (reasons) => options.log.info("webhook certificates made or rotated", { reasons }),
    });
  let tls: WebhookTls = await ensure();
  const deps = {
    client: options.client,
    namespace: options.namespace,
    log: options.log,
    metrics: options.metrics,
    now,
    sleep: (ms: number) => systemClock.sleep(ms),
    timeoutMs: options.timeoutSeconds * 1000,
  };
  const server = createServer({ cert: tls.cert, key: tls.key }, (req, res) => {
    void handle(req, res, (request) => reviewDeletion(request, deps));
  });
  const port = await listen(server, options.listen);

  const stop = new AbortController();
  const refresh = (async () => {
    while (!stop.signal.aborted) {
      await systemClock.sleep(options.certCheckMs, stop.signal);
      if (stop.signal.aborted) return;
      try {
        const next = await ensure();
        if (next.cert !== tls.cert) server.setSecureContext({ cert: next.cert, key: next.key });
        tls = next;
      } catch (err) {
        options.log.error("cannot check the webhook certificates; will retry", { error: describeError(err) });
      }
    }
  })();
  return {
    port,
    endpoint: options.endpoint(port),
    caBundle: () => tls.caBundle,
    close: async () => {
      stop.abort();
      await refresh;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The names the serving certificate must carry for the API server to accept it. */
export function servingNames(endpoint: WebhookEndpoint, namespace: string): string[] {
  if ("url" in endpoint) return [new URL(endpoint.url).hostname.replace(/^\[|\]$/g, "")];
  const name = `${endpoint.service.name}.${namespace}.svc`;
  return [name, `${name}.cluster.local`];
}

async function listen(server: Server, address: string): Promise<number> {
  const { host, port } = parseListen(address);
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new KubesnapError(
          "Unavailable",
          `cannot listen on ${address} for the pre-delete webhook: ${err.message}`,
          {
            hint: "choose another --webhook-listen address",
            cause: err,
          },
        ),
      );
    server.once("error", onError);
    server.listen({ port, ...(host === undefined ? {} : { host }) }, () => {
      server.off("error", onError);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** The one place where a review becomes an HTTP answer. */
async function handle(
  req: IncomingMessage,
  res: ServerResponse,
  review: (request: AdmissionRequest) => Promise<unknown>,
): Promise<void> {
  const url = new URL(req.url ?? "/", "https://localhost");
  if (url.pathname !== WEBHOOK_PATH) return send(res, 404, "not found\n");
  if (req.method !== "POST") return send(res, 405, "method not allowed\n");
  let request: AdmissionRequest;
  try {
    request = parseReview(await readBody(req));
  } catch (err) {
    return send(res, 400, `${describeError(err)}\n`);
  }
  let response: unknown;
  try {
    response = await review(request);
  } catch (err) {
    // Denied with the reason: the API server shows it to whoever deleted.
    const message = `kubesnap: cannot decide on this deletion: ${describeError(err)}`;
    response = { uid: request.uid, allowed: false, status: { code: 500, reason: "InternalError", message } };
  }
  const body = JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response });
  send(res, 200, body, "application/json");
}

function send(
  res: ServerResponse,
  status: number,
  body: string,
  contentType = "text/plain; charset=utf-8",
): void {
  res.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES)
      throw new KubesnapError("InvalidInput", `request body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** The AdmissionReview's request, checked once here: everything after may rely on its shape. */
export function parseReview(text: string): AdmissionRequest {
  let review: { request?: Partial<AdmissionRequest> };
  try {
    review = JSON.parse(text) as typeof review;
  } catch {
    throw new KubesnapError("InvalidInput", "not an AdmissionReview: the body is not JSON");
  }
  const request = review?.request;
  if (
    typeof request?.uid !== "string" ||
    typeof request.operation !== "string" ||
    typeof request.kind?.kind !== "string" ||
    typeof request.kind.group !== "string" ||
    (request.oldObject != null && typeof request.oldObject?.metadata?.name !== "string")
  ) {
    throw new KubesnapError(
      "InvalidInput",
      "not an admission.k8s.io/v1 AdmissionReview: request.uid, operation, kind or oldObject is missing",
    );
  }
  return request as AdmissionRequest;
}
