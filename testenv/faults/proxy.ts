/**
 * An in-process HTTP proxy that stands between a client (kubesnap's S3 driver) and a server
 * (MinIO) and drops, errors, stalls or delays a chosen share of the requests. Bodies are
 * streamed both ways, and the Host header is passed on unchanged: S3 signatures cover it,
 * so the target must see the host the client signed for (the proxy's).
 */
import {
  createServer,
  Agent as HttpAgent,
  request as httpRequest,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type FaultProxy, listen } from "./listen.js";
import { FaultPlan, type Faults } from "./plan.js";

export interface FaultProxyOptions {
  /** http://HOST:PORT or https://HOST:PORT of the real server. */
  readonly target: string;
  /** CA bundle (PEM) that signed an https target's certificate. */
  readonly ca?: string | Buffer;
  readonly faults?: Partial<Faults>;
  /** Seed of the fault draws, for a reproducible run; random when absent. */
  readonly seed?: number;
}

/** What S3 answers when it wants a client to back off; SDKs retry it. */
const slowDown =
  '<?xml version="1.0" encoding="UTF-8"?>\n' +
  "<Error><Code>SlowDown</Code><Message>Please reduce your request rate (injected by the fault proxy).</Message></Error>";

/** Headers that describe one connection, not the request: each hop sets its own. */
const hopByHop = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "te",
  "trailer",
  "upgrade",
  "expect",
]);

export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  const target = new URL(options.target);
  const tls = target.protocol === "https:";
  const agent = tls
    ? new HttpsAgent({ keepAlive: true, ...(options.ca === undefined ? {} : { ca: options.ca }) })
    : new HttpAgent({ keepAlive: true });
  const plan = new FaultPlan(options.faults, options.seed);
  let closed = false;

  const forward = (req: IncomingMessage, res: ServerResponse) => {
    if (closed) return;
    const upstream = (tls ? httpsRequest : httpRequest)(
      {
        protocol: target.protocol,
        hostname: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: endToEnd(req.headers),
        agent,
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.statusMessage, endToEnd(answer.headers));
        answer.pipe(res);
        answer.on("error", () => res.destroy());
      },
    );
    // A failing target looks to the client like a cut connection, as it would without the proxy.
    upstream.on("error", () => res.destroy());
    res.on("close", () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  };

  const server = createServer((req, res) => {
    // A client that gives up (its own timeout) aborts its request: not an error of the proxy.
    req.on("error", () => res.destroy());
    const fate = plan.decide();
    switch (fate) {
      case "refused":
      case "dropped":
        req.socket.destroy();
        return;
      case "stalled":
        // Take the whole body, so the client is waiting for an answer that never comes.
        req.resume();
        return;
      case "errored":
        req.resume();
        req.once("end", () => {
          res.writeHead(503, { "Content-Type": "application/xml" }).end(slowDown);
        });
        return;
      case "forwarded": {
        const { delayMs } = plan.faults;
        if (delayMs > 0) setTimeout(() => forward(req, res), delayMs);
        else forward(req, res);
      }
    }
  });
  return listen(server, plan, {
    protocol: "http:",
    onClose: () => {
      closed = true;
      agent.destroy();
    },
  });
}

function endToEnd(headers: IncomingMessage["headers"]): IncomingMessage["headers"] {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !hopByHop.has(name)));
}
