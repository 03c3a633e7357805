import type { RequestOptions } from "node:https";
import { KubesnapError } from "../core/errors.js";
import { type ClientOptions, KubeClient } from "./client.js";

export interface ConnectOptions extends ClientOptions {
  /** A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

/**
 * Reads a kubeconfig the way kubectl does and returns a client for its current (or chosen)
 * context. client-node parses the file and runs auth plugins; the requests are ours.
 */
export async function connect(options: ConnectOptions = {}): Promise<KubeClient> {
  // Loaded on first use: client-node's import costs ~0.7 s and ~85 MB, which commands that
  // never reach a cluster (version, completion, backup-location) should not pay.
  const { KubeConfig } = await import("@kubernetes/client-node");
  const kc = new KubeConfig();
  try {
    if (options.kubeconfig) kc.loadFromFile(options.kubeconfig);
    else kc.loadFromDefault();
  } catch (err) {
    throw new KubesnapError("InvalidInput", `cannot read kubeconfig ${options.kubeconfig ?? "(default)"}`, {
      hint: "pass --kubeconfig with a readable kubeconfig file",
      cause: err,
    });
  }
  if (options.context) {
    if (!kc.getContextObject(options.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new KubesnapError("NotFound", `kubeconfig has no context "${options.context}"`, {
        hint: `use one of: ${known.join(", ") || "(none)"}`,
      });
    }
    kc.setCurrentContext(options.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster) {
    throw new KubesnapError("InvalidInput", "the kubeconfig names no current cluster", {
      hint: "set a current context (kubectl config use-context NAME) or pass --context",
    });
  }
  const opts: RequestOptions = {};
  await kc.applyToHTTPSOptions(opts);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(opts.headers ?? {})) {
    if (typeof value === "string") headers[key] = value;
  }
  const tls: RequestOptions = {};
  if (opts.ca !== undefined) tls.ca = opts.ca;
  if (opts.cert !== undefined) tls.cert = opts.cert;
  if (opts.key !== undefined) tls.key = opts.key;
  if (opts.rejectUnauthorized !== undefined) tls.rejectUnauthorized = opts.rejectUnauthorized;
  return new KubeClient(
    {
      server: cluster.server,
      tls,
      headers,
      description: `context "${kc.getCurrentContext()}" (${cluster.server})`,
    },
    options,
  );
}
