import { type ClientOptions, KubeClient } from "./client.js";
import { endpointFor } from "./credentials.js";
import { loadKubeconfig, resolveContext } from "./kubeconfig.js";

export interface ConnectOptions extends ClientOptions {
  /** A kubeconfig file; default: $KUBECONFIG, then ~/.kube/config, then the Pod's service account. */
  readonly kubeconfig?: string;
  readonly context?: string;
}

/** Reads a kubeconfig the way kubectl does and returns a client for its current (or chosen) context. */
export async function connect(options: ConnectOptions = {}): Promise<KubeClient> {
  const context = resolveContext(loadKubeconfig(options.kubeconfig), options.context);
  const endpoint = await endpointFor(context);
  return new KubeClient(
    { ...endpoint, description: `context "${context.name}" (${endpoint.server})` },
    options,
  );
}
