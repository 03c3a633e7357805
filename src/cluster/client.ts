import { KubesnapError } from "../core/errors.js";
import {
  type Endpoint,
  type HttpRequest,
  type HttpResponse,
  makeTransport,
  type StreamResponse,
} from "./http.js";
import { DEFAULT_RETRY, isRetryable, type RetryPolicy, retryDelayMs } from "./retry.js";

export interface ClientOptions {
  /** Requests in flight at once (the connection pool size). */
  readonly maxSockets?: number;
  readonly retry?: RetryPolicy;
  /** Injected so tests of retry behaviour need not wait. */
  readonly sleep?: (ms: number) => Promise<void>;
}

/**
 * Tries of a request while the client has never had an answer from its server. Retries ride
 * out a server that was there and blinked (a restart, a dropped connection); one that never
 * answered is more likely down or wrongly named, and the user should hear so in a second,
 * not after the ~10 s that a full round of backoff takes.
 */
const FIRST_CONTACT_ATTEMPTS = 3;

/** Kubernetes' Status object, as error responses carry it. */
interface Status {
  reason?: string;
  message?: string;
}

/**
 * The one way kubesnap talks to an API server: JSON over a pooled HTTPS connection, with
 * retries for busy or failing servers, and every error turned into a KubesnapError that
 * names the request and the cluster.
 */
export class KubeClient {
  readonly endpoint: Endpoint;
  private readonly transport: ReturnType<typeof makeTransport>;
  private readonly retry: RetryPolicy;
  private readonly sleep: (ms: number) => Promise<void>;
  /** Set by the first answer of any kind: from then on, connection failures get every retry. */
  private reached = false;

  constructor(endpoint: Endpoint, options: ClientOptions = {}) {
    this.endpoint = endpoint;
    this.transport = makeTransport(endpoint, options.maxSockets ?? 16);
    this.retry = options.retry ?? DEFAULT_RETRY;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  async request<T>(req: HttpRequest): Promise<T> {
    const res = await this.send(req);
    if (res.status >= 200 && res.status < 300) return JSON.parse(res.body.toString("utf8")) as T;
    throw this.toError(req, res);
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>({ method: "GET", path });
  }

  /** A GET whose answer is not JSON (a file served through the API server's service proxy). */
  async text(path: string): Promise<string> {
    const req: HttpRequest = { method: "GET", path };
    const res = await this.send(req);
    if (res.status >= 200 && res.status < 300) return res.body.toString("utf8");
    throw this.toError(req, res);
  }

  /** Opens a streaming GET (a watch); the caller reads lines until it aborts the signal. */
  async stream(path: string, signal: AbortSignal): Promise<StreamResponse> {
    try {
      return await this.transport.stream(path, signal);
    } catch (err) {
      throw new KubesnapError(
        "Unavailable",
        `cannot reach the API server at ${this.endpoint.description}${why(err)}`,
        {
          cause: err,
        },
      );
    }
  }

  close(): void {
    this.transport.close();
  }

  private async send(req: HttpRequest): Promise<HttpResponse> {
    for (let attempt = 0; ; attempt++) {
      const last = attempt + 1 >= this.retry.attempts;
      let res: HttpResponse;
      try {
        res = await this.transport.send(req);
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code;
        const tries = this.reached
          ? this.retry.attempts
          : Math.min(FIRST_CONTACT_ATTEMPTS, this.retry.attempts);
        if (
          attempt + 1 < tries &&
          (isRetryable(undefined, code) || (err instanceof KubesnapError && err.code === "Timeout"))
        ) {
          await this.sleep(retryDelayMs(attempt, this.retry, undefined));
          continue;
        }
        throw new KubesnapError(
          "Unavailable",
          `cannot reach the API server at ${this.endpoint.description}${why(err)}`,
          {
            hint: "check that the cluster is up and that --kubeconfig/--context name the right one",
            cause: err,
          },
        );
      }
      this.reached = true;
      if (last || !isRetryable(res.status)) return res;
      const retryAfter = res.headers["retry-after"];
      await this.sleep(
        retryDelayMs(attempt, this.retry, Array.isArray(retryAfter) ? retryAfter[0] : retryAfter),
      );
    }
  }

  private toError(req: HttpRequest, res: HttpResponse): KubesnapError {
    let status: Status = {};
    try {
      status = JSON.parse(res.body.toString("utf8")) as Status;
    } catch {
      // Not a Status object (a proxy's page, say): the HTTP code alone tells what happened.
    }
    const what = `${req.method} ${req.path.split("?")[0]} on ${this.endpoint.description}`;
    // A short plain-text answer (a kubesnap server's, through the service proxy) says more than the code.
    const text = res.body.toString("utf8").trim();
    const plain = text.length > 0 && text.length < 300 && !text.includes("<") ? text : undefined;
    const detail = status.message ?? plain ?? `HTTP ${res.status}`;
    switch (res.status) {
      case 401:
        return new KubesnapError("AccessDenied", `${what}: unauthorised (${detail})`, {
          hint: "the credentials in your kubeconfig were refused; refresh them or pick another --context",
        });
      case 403:
        return new KubesnapError("AccessDenied", `${what}: forbidden: ${detail}`, {
          hint: "grant this user the RBAC rights named above, or use an account that has them",
        });
      case 404:
        return new KubesnapError("NotFound", `${what}: not found`);
      case 409:
        return status.reason === "AlreadyExists"
          ? new KubesnapError("AlreadyExists", `${what}: ${detail}`)
          : new KubesnapError("Conflict", `${what}: ${detail}`);
      case 410:
        return new KubesnapError("Expired", `${what}: ${detail}`);
      case 400:
      case 422:
        return new KubesnapError("InvalidInput", `${what}: ${detail}`);
      default:
        return new KubesnapError(
          res.status === 429 || res.status >= 500 ? "Unavailable" : "Internal",
          `${what}: ${detail}`,
        );
    }
  }
}

/** " (connection refused)": the network's reason, which tells a down server from a TLS or DNS problem. */
function why(err: unknown): string {
  const { code, message } = err as { code?: unknown; message?: unknown };
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused",
    ECONNRESET: "connection reset",
    ETIMEDOUT: "timed out",
    ENOTFOUND: "host name not found",
    EAI_AGAIN: "host name lookup failed",
    EHOSTUNREACH: "host unreachable",
    CERT_HAS_EXPIRED: "its certificate has expired",
    DEPTH_ZERO_SELF_SIGNED_CERT: "its certificate is not trusted",
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "its certificate is not trusted",
    ERR_TLS_CERT_ALTNAME_INVALID: "its certificate does not name this host",
  };
  if (typeof code === "string") return ` (${reasons[code] ?? code})`;
  return typeof message === "string" && message.length > 0 && message.length < 120 ? ` (${message})` : "";
}
