import type { KubeClient } from "../cluster/client.js";
import { connect } from "../cluster/connect.js";
import type { CommandContext } from "./context.js";

/**
 * How the long-running commands (server, node agent) run: with a client to the cluster, until
 * SIGTERM (the Pod being stopped) or SIGINT (Ctrl-C) aborts the signal they watch; the client
 * is closed however the work ends.
 */
export async function runUntilStopped(
  ctx: CommandContext,
  work: (client: KubeClient, signal: AbortSignal) => Promise<void>,
): Promise<number> {
  const client = await connect(ctx.connect);
  const abort = new AbortController();
  const stop = () => abort.abort();
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
  try {
    await work(client, abort.signal);
  } finally {
    client.close();
  }
  return 0;
}
