import type { KubeClient } from "../../cluster/client.js";
import { connect } from "../../cluster/connect.js";
import { isKubesnapError } from "../../core/errors.js";
import { LocalSession } from "../../local/session.js";
import type { CommandContext } from "../context.js";
import { ServerApi } from "../server-api.js";
import type { Backend } from "./backend.js";
import { localBackend } from "./local.js";
import { serverBackend } from "./server.js";

/**
 * Server mode when a kubesnap server is installed in the --namespace (it has a
 * BackupStorageLocation there); local mode otherwise, with --local, or when the cluster
 * cannot be asked (local mode lists and describes backups without a cluster: after a
 * disaster there may be none). The probe is one list call on a connection the chosen mode
 * keeps using.
 */
export async function openBackend(ctx: CommandContext): Promise<Backend> {
  if (!ctx.local) {
    const probe = await probeServer(ctx);
    if (probe.installed) return serverBackend(probe.client, new ServerApi(probe.client, ctx.serverNamespace));
    return localBackend(await LocalSession.open(ctx.connect, probe.client));
  }
  return localBackend(await LocalSession.open(ctx.connect));
}

type Probe = { installed: true; client: KubeClient } | { installed: false; client?: KubeClient };

async function probeServer(ctx: CommandContext): Promise<Probe> {
  let client: KubeClient;
  try {
    client = await connect(ctx.connect);
  } catch {
    return { installed: false };
  }
  try {
    const locations = await new ServerApi(client, ctx.serverNamespace).list("locations");
    return locations.length > 0 ? { installed: true, client } : { installed: false, client };
  } catch (err) {
    // NotFound: no kubesnap.io API, nothing installed. Anything else: the cluster cannot be
    // asked now; local mode reports its own errors if it needs the cluster.
    if (isKubesnapError(err, "NotFound")) return { installed: false, client };
    client.close();
    return { installed: false };
  }
}

/** Runs fn with a backend and closes its connections afterwards. */
export async function withBackend<T>(ctx: CommandContext, fn: (backend: Backend) => Promise<T>): Promise<T> {
  const backend = await openBackend(ctx);
  try {
    return await fn(backend);
  } finally {
    backend.close();
  }
}
