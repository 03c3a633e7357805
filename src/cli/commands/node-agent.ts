import { hostname } from "node:os";
import type { Command } from "commander";
import { KubesnapError } from "../../core/errors.js";
import { DEFAULT_KUBELET_ROOT, runNodeAgent, waitForRestoredVolumes } from "../../nodeagent/index.js";
import { jsonLogger } from "../../server/log.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { runUntilStopped } from "../until-stopped.js";

/**
 * `kubesnap node-agent`: copies pod volumes' files on one node (a DaemonSet in a cluster,
 * installed by `kubesnap install --use-node-agent`). `kubesnap restore-wait`: what a
 * restored pod's init container runs, until the node agent has restored its volumes.
 */
export function registerNodeAgent(program: Command, run: Runner): void {
  program
    .command("node-agent")
    .description("Run the node agent: back up and restore the files of pod volumes on this node")
    .option("--node-name <name>", "this node's name (in a DaemonSet: the NODE_NAME from spec.nodeName)")
    .option("--kubelet-root <dir>", "the kubelet's root directory (its --root-dir)", DEFAULT_KUBELET_ROOT)
    .action((flags: { nodeName?: string; kubeletRoot: string }) =>
      run(async (ctx) => {
        const nodeName = flags.nodeName ?? process.env.NODE_NAME ?? hostname();
        if (!nodeName) throw new KubesnapError("InvalidInput", "node-agent needs --node-name");
        return runUntilStopped(ctx, (client, signal) =>
          runNodeAgent({
            client,
            namespace: ctx.serverNamespace,
            nodeName,
            kubeletRoot: flags.kubeletRoot,
            log: jsonLogger(ctx.io.stderr),
            signal,
          }),
        );
      }),
    );
  program
    .command("restore-wait")
    .argument("<volumes...>", "the names of the restored volumes")
    .description("Wait until the node agent has restored these volumes (a restored pod's init container)")
    .requiredOption(
      "--markers <dir>",
      "where the node agent leaves a marker per volume (the pod's marker emptyDir)",
    )
    .action((volumes: string[], flags: { markers: string }) =>
      run(async (ctx) => {
        const outcomes = await waitForRestoredVolumes(flags.markers, volumes, {
          onWaiting: (volume) =>
            println(ctx.io.stdout, `waiting for the node agent to restore volume ${volume}`),
        });
        for (const { volume, outcome } of outcomes) {
          println(
            ctx.io.stdout,
            `volume ${volume}: ${outcome.ok ? "restored" : `not restored: ${outcome.reason}`}`,
          );
        }
        return outcomes.every((o) => o.outcome.ok) ? 0 : 1;
      }),
    );
}
