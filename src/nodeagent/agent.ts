/**
 * `kubesnap node-agent`: one per node (a DaemonSet in a cluster, a local process in tests).
 * It watches the server's namespace for PodVolumeBackups of its node and PodVolumeRestores
 * of pods scheduled to it, and reads and writes the pods' volumes under the kubelet's root.
 * Unlike the server it needs no leader: each node's work is its own.
 */
import type { KubeClient } from "../cluster/client.js";
import { Cache, type Logger, runController } from "../server/controller.js";
import { PodVolumeBackupReconciler } from "./backups.js";
import { AgentLocations } from "./locations.js";
import { PodVolumeRestoreReconciler } from "./restores.js";

export interface NodeAgentOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly nodeName: string;
  readonly kubeletRoot: string;
  readonly log: Logger;
  /** Ends the agent: running copies stop and are not committed. */
  readonly signal: AbortSignal;
}

/**
 * The thread pool size the agent's process should run with (UV_THREADPOOL_SIZE, read by
 * Node at start-up, so it is set in the DaemonSet's environment): restoring many small
 * files keeps many file creations waiting on the file system at once (see restore.ts).
 */
export const NODE_AGENT_THREADS = 16;

export async function runNodeAgent(options: NodeAgentOptions): Promise<void> {
  const { client, namespace, log, signal } = options;
  const deps = {
    client,
    namespace,
    nodeName: options.nodeName,
    kubeletRoot: options.kubeletRoot,
    locations: new AgentLocations(client, namespace),
    log,
  };
  log.info("kubesnap node agent started", {
    node: options.nodeName,
    kubeletRoot: options.kubeletRoot,
    namespace,
  });
  // One volume at a time each way: a copy is bound by the disk and the store, and each
  // holds a few packs of memory.
  await Promise.all([
    runController(new PodVolumeBackupReconciler(deps), {
      client,
      namespace,
      cache: new Cache(),
      log,
      signal,
      workers: 1,
    }),
    runController(new PodVolumeRestoreReconciler(deps), {
      client,
      namespace,
      cache: new Cache(),
      log,
      signal,
      workers: 1,
    }),
  ]);
  log.info("kubesnap node agent stopped", { node: options.nodeName });
}
