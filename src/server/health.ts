/**
 * The server's own HTTP endpoint: /healthz (liveness), /readyz (readiness), /metrics, and
 * /download/NAME?token=… for the files DownloadRequests ask for. Kubelet probes it,
 * Prometheus scrapes it, the CLI fetches logs and results from it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { describeError, isKubesnapError, KubesnapError } from "../core/errors.js";
import { EXPOSITION_CONTENT_TYPE } from "./metrics.js";

/** Not ready, and why (one line, shown in the 503 body and by `kubectl describe pod`). */
export interface NotReady {
  readonly ready: false;
  readonly reason: string;
}

export interface HealthServerOptions {
  /**
   * "host:port", ":port" (all interfaces, as a Pod needs), or "[::1]:port"; port 0 picks a
   * free one. Default ":8085".
   */
  readonly listen?: string;
  /** False (or a reason) until the server can do its work, e.g. before its informers sync. */
  readonly ready: () => boolean | NotReady;
  /** False when the main loop is stuck; default: answering at all means alive. */
  readonly alive?: () => boolean;
  /** What /metrics serves: a Registry. */
  readonly metrics: { render(): string };
  /** What /download/NAME?token=T serves; absent: 404. */
  readonly download?: (name: string, token: string) => Promise<{ body: string; contentType: string }>;
}

export interface HealthServer {
  readonly port: number;
  close(): Promise<void>;
}

export const DEFAULT_LISTEN = ":8085";

/** Splits "host:port"; an empty host means every interface. */
export function parseListen(listen: string): { host: string | undefined; port: number } {
  const match = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(listen);
  const port = Number(match?.[3]);
  if (!match || port > 65535)
    throw new KubesnapError("InvalidInput", `cannot listen on "${listen}": not an address`, {
      hint: 'give "host:port", ":port" or "[ipv6]:port", e.g. ":8085"',
    });
  const host = match[1] ?? match[2];
  return { host: host ? host : undefined, port };
}

function send(res: ServerResponse, status: number, body: string, contentType = "text/plain; charset=utf-8") {
  res.writeHead(status, {
    "Content-Type": contentType,
    "Content-Length": Buffer.byteLength(body),
    "Cache-Control": "no-store",
  });
  res.end(res.req.method === "HEAD" ? undefined : body);
}

/** One line, whatever a reason holds. */
const oneLine = (text: string) => text.replace(/\s*[\r\n]+\s*/g, " ").trim();

/** How a download's error reaches the client: a status code and the one-line message. */
const DOWNLOAD_STATUS: Partial<Record<string, number>> = {
  NotFound: 404,
  AccessDenied: 403,
  Expired: 410,
};

async function serveDownload(
  download: NonNullable<HealthServerOptions["download"]>,
  url: URL,
  res: ServerResponse,
): Promise<void> {
  try {
    const name = decodeURIComponent(url.pathname.slice("/download/".length));
    const file = await download(name, url.searchParams.get("token") ?? "");
    send(res, 200, file.body, file.contentType);
  } catch (err) {
    const status = (isKubesnapError(err) && DOWNLOAD_STATUS[err.code]) || 500;
    send(res, status, `${oneLine(describeError(err))}\n`);
  }
}

function handle(options: HealthServerOptions, req: IncomingMessage, res: ServerResponse): void {
  const url = new URL(req.url ?? "/", "http://localhost");
  const path = url.pathname;
  if (path.startsWith("/download/") && options.download && req.method === "GET") {
    void serveDownload(options.download, url, res);
    return;
  }
  const routes: Record<string, () => void> = {
    "/healthz": () => {
      if (options.alive?.() === false) send(res, 503, "not alive\n");
      else send(res, 200, "ok\n");
    },
    "/readyz": () => {
      const ready = options.ready();
      if (ready === true) send(res, 200, "ok\n");
      else send(res, 503, ready === false ? "not ready\n" : `not ready: ${oneLine(ready.reason)}\n`);
    },
    "/metrics": () => send(res, 200, options.metrics.render(), EXPOSITION_CONTENT_TYPE),
  };
  const route = Object.hasOwn(routes, path) ? routes[path] : undefined;
  if (!route) {
    send(res, 404, "not found\n");
    return;
  }
  if (req.method !== "GET" && req.method !== "HEAD") {
    res.setHeader("Allow", "GET, HEAD");
    send(res, 405, "method not allowed\n");
    return;
  }
  try {
    route();
  } catch (err) {
    // The one place where an error in these handlers becomes a response.
    send(res, 500, `${oneLine(describeError(err))}\n`);
  }
}

/** Starts serving; resolves once listening, with the port actually bound. */
export async function startHealthServer(options: HealthServerOptions): Promise<HealthServer> {
  const listen = options.listen ?? DEFAULT_LISTEN;
  const { host, port } = parseListen(listen);
  const server = createServer((req, res) => handle(options, req, res));
  await new Promise<void>((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) =>
      reject(
        new KubesnapError(
          "Unavailable",
          `cannot listen on ${listen} for health and metrics: ${err.message}`,
          {
            hint:
              err.code === "EADDRINUSE"
                ? "another process uses that port; choose another address"
                : "check the listen address",
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
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        // Keep-alive connections (Prometheus keeps one) would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}
