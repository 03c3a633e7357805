import type { Command } from "commander";
import { connect } from "../../cluster/connect.js";
import { parseDuration } from "../../core/duration.js";
import { KubesnapError } from "../../core/errors.js";
import { jsonLogger } from "../../server/log.js";
import { runServer } from "../../server/server.js";
import { samplePercentFlag } from "../flags.js";
import type { Runner } from "../main.js";

/** `kubesnap server`: the controllers, in a Pod (in-cluster config) or anywhere with --kubeconfig. */
export function registerServer(program: Command, run: Runner): void {
  program
    .command("server")
    .description("Run the kubesnap server: controllers for Backups, Restores, Schedules and locations")
    .option("--listen <address>", "health and metrics address", ":8085")
    .option("--sync-period <duration>", "how often locations are checked and synced", "1m")
    .option("--identity <id>", "leader-election identity (default: host name and a random suffix)")
    .option(
      "--lease-duration <seconds>",
      "leader lease duration; a standby takes over this long after the leader dies",
      "15",
    )
    .option(
      "--download-url <url>",
      "how the CLI reaches this server for logs and results (default: the listen address)",
    )
    .option(
      "--verify-every <duration>",
      "verify every finished backup again this often (0: only on request)",
      "0s",
    )
    .option("--verify-sample <percent>", "share of a backup's data that periodic verification reads", "5%")
    .action(
      (flags: {
        listen: string;
        syncPeriod: string;
        identity?: string;
        leaseDuration: string;
        downloadUrl?: string;
        verifyEvery: string;
        verifySample: string;
      }) =>
        run(async (ctx) => {
          const syncPeriodMs = parseDuration(flags.syncPeriod, { what: "--sync-period" });
          const verify = {
            periodMs: parseDuration(flags.verifyEvery, { what: "--verify-every" }),
            samplePercent: samplePercentFlag("--verify-sample", flags.verifySample),
          };
          const leaseDurationSeconds = Number(flags.leaseDuration);
          if (!Number.isInteger(leaseDurationSeconds) || leaseDurationSeconds < 2) {
            throw new KubesnapError(
              "InvalidInput",
              `--lease-duration takes whole seconds (2 or more), not "${flags.leaseDuration}"`,
            );
          }
          const client = await connect(ctx.connect);
          const abort = new AbortController();
          const stop = () => abort.abort();
          process.once("SIGTERM", stop);
          process.once("SIGINT", stop);
          try {
            await runServer({
              client,
              namespace: ctx.serverNamespace,
              listen: flags.listen,
              syncPeriodMs,
              log: jsonLogger(ctx.io.stderr),
              signal: abort.signal,
              leaseDurationSeconds,
              verify,
              ...(flags.identity ? { identity: flags.identity } : {}),
              ...(flags.downloadUrl ? { downloadUrl: flags.downloadUrl } : {}),
            });
          } finally {
            client.close();
          }
          return 0;
        }),
    );
}
