import { Agent, type RequestOptions, request } from "node:https";
import { createInterface } from "node:readline";
import { KubesnapError } from "../core/errors.js";

/** What a request needs to reach the API server: base URL, TLS material, auth headers. */
export interface Endpoint {
  readonly server: string;
  readonly tls: Pick<RequestOptions, "ca" | "cert" | "key" | "rejectUnauthorized" | "servername">;
  readonly headers: Record<string, string>;
  /** Named in messages: "context kind-prod (https://…)". */
  readonly description: string;
}

export interface HttpResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

export interface HttpRequest {
  readonly method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  readonly path: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly timeoutMs?: number;
}

/**
 * One keep-alive connection pool per endpoint: a backup lists many resources at once and a
 * restore creates thousands of objects, and a new TLS handshake for each would dominate.
 */
export function makeTransport(endpoint: Endpoint, maxSockets: number) {
  const agent = new Agent({ keepAlive: true, maxSockets, ...endpoint.tls });
  const base = new URL(endpoint.server);
  const send = (req: HttpRequest): Promise<HttpResponse> =>
    new Promise((resolve, reject) => {
      const headers: Record<string, string> = { Accept: "application/json", ...endpoint.headers };
      if (req.body !== undefined) {
        headers["Content-Type"] = req.contentType ?? "application/json";
        headers["Content-Length"] = String(Buffer.byteLength(req.body));
      }
      const url = new URL(base.pathname.replace(/\/$/, "") + req.path, base);
      const r = request(
        url,
        { method: req.method, agent, headers, timeout: req.timeoutMs ?? 60_000 },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (chunk: Buffer) => chunks.push(chunk));
          res.on("end", () =>
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
          );
          res.on("error", reject);
        },
      );
      r.on("timeout", () =>
        r.destroy(new KubesnapError("Timeout", `request to ${endpoint.description} timed out`)),
      );
      r.on("error", reject);
      if (req.body !== undefined) r.write(req.body);
      r.end();
    });
  /**
   * A long-lived GET whose body is read line by line (watch streams send one JSON event per
   * line). Its own agent: a watch holds its connection for minutes and must not take a
   * place in the request pool.
   */
  const streamAgent = new Agent({ keepAlive: false, ...endpoint.tls });
  const stream = (path: string, signal: AbortSignal): Promise<StreamResponse> =>
    new Promise((resolve, reject) => {
      const url = new URL(base.pathname.replace(/\/$/, "") + path, base);
      const r = request(
        url,
        {
          method: "GET",
          agent: streamAgent,
          headers: { Accept: "application/json", ...endpoint.headers },
          signal,
        },
        (res) => {
          const lines = createInterface({ input: res, crlfDelay: Number.POSITIVE_INFINITY });
          // readline does not end its iterator when its input is destroyed: close it ourselves.
          const close = () => lines.close();
          res.once("close", close);
          res.once("error", close);
          signal.addEventListener("abort", close, { once: true });
          resolve({ status: res.statusCode ?? 0, lines });
        },
      );
      r.on("error", reject);
      r.end();
    });
  const close = () => {
    agent.destroy();
    streamAgent.destroy();
  };
  return { send, stream, close };
}

export interface StreamResponse {
  readonly status: number;
  readonly lines: AsyncIterable<string>;
}
