import type { Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import { KubesnapError } from "../../core/errors.js";
import { parseListen } from "../../server/health.js";
import { jsonLogger } from "../../server/log.js";
import { runServer, type ServerOptions } from "../../server/server.js";
import { MAX_TIMEOUT_SECONDS, WEBHOOK_PATH, type WebhookEndpoint } from "../../server/webhook-config.js";
import { samplePercentFlag } from "../flags.js";
import type { Runner } from "../main.js";
import { runUntilStopped } from "../until-stopped.js";

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
    .option(
      "--webhook-listen <address>",
      "serve the pre-delete webhook (HTTPS) here and register it; without it nothing is protected",
    )
    .option(
      "--webhook-url <url>",
      "how the API server reaches the webhook (default: https://<webhook-listen>/validate-delete)",
    )
    .option(
      "--webhook-service <name:port>",
      "reach the webhook through this Service in the server's namespace (as in a cluster)",
    )
    .option(
      "--webhook-timeout <duration>",
      "how long a protected delete may wait for its backup (at most 25s)",
      "20s",
    )
    .option(
      "--fs-backup-timeout <duration>",
      "how long a backup or restore waits for node agents to copy pod volumes' files",
      "4h",
    )
    .option(
      "--restore-helper-image <image>",
      "image of the init container restored pods wait in for their volumes' files (default: kubesnap's image)",
    )
    .action(
      (flags: {
        listen: string;
        syncPeriod: string;
        identity?: string;
        leaseDuration: string;
        downloadUrl?: string;
        verifyEvery: string;
        verifySample: string;
        webhookListen?: string;
        webhookUrl?: string;
        webhookService?: string;
        webhookTimeout: string;
        fsBackupTimeout: string;
        restoreHelperImage?: string;
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
          const webhook = webhookFlags(flags);
          return runUntilStopped(ctx, (client, signal) =>
            runServer({
              client,
              namespace: ctx.serverNamespace,
              listen: flags.listen,
              syncPeriodMs,
              log: jsonLogger(ctx.io.stderr),
              signal,
              leaseDurationSeconds,
              verify,
              fsBackupTimeoutMs: parseDuration(flags.fsBackupTimeout, { what: "--fs-backup-timeout" }),
              ...(flags.restoreHelperImage ? { restoreHelperImage: flags.restoreHelperImage } : {}),
              ...(flags.identity ? { identity: flags.identity } : {}),
              ...(flags.downloadUrl ? { downloadUrl: flags.downloadUrl } : {}),
              ...(webhook ? { webhook } : {}),
            }),
          );
        }),
    );
}

/** The --webhook-* flags, checked before the server starts. */
function webhookFlags(flags: {
  webhookListen?: string;
  webhookUrl?: string;
  webhookService?: string;
  webhookTimeout: string;
}): ServerOptions["webhook"] {
  if (!flags.webhookListen) {
    if (flags.webhookUrl || flags.webhookService) {
      throw new KubesnapError("InvalidInput", "--webhook-url and --webhook-service need --webhook-listen");
    }
    return undefined;
  }
  parseListen(flags.webhookListen);
  const timeoutMs = parseDuration(flags.webhookTimeout, { what: "--webhook-timeout" });
  if (timeoutMs < 1000 || timeoutMs > MAX_TIMEOUT_SECONDS * 1000 || timeoutMs % 1000 !== 0) {
    throw new KubesnapError(
      "InvalidInput",
      `--webhook-timeout takes whole seconds from 1s to ${MAX_TIMEOUT_SECONDS}s, not "${flags.webhookTimeout}"`,
    );
  }
  return {
    listen: flags.webhookListen,
    timeoutSeconds: timeoutMs / 1000,
    ...(flags.webhookUrl || flags.webhookService ? { endpoint: webhookEndpoint(flags) } : {}),
  };
}

function webhookEndpoint(flags: { webhookUrl?: string; webhookService?: string }): WebhookEndpoint {
  if (flags.webhookUrl && flags.webhookService) {
    throw new KubesnapError("InvalidInput", "give --webhook-url or --webhook-service, not both");
  }
  if (flags.webhookService) {
    const match = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?):(\d{1,5})$/.exec(flags.webhookService);
    if (!match || Number(match[3]) > 65535) {
      throw new KubesnapError(
        "InvalidInput",
        `--webhook-service takes NAME:PORT, not "${flags.webhookService}"`,
        {
          hint: "e.g. --webhook-service kubesnap:443",
        },
      );
    }
    return { service: { name: match[1] ?? "", port: Number(match[3]) } };
  }
  const text = flags.webhookUrl ?? "";
  const url = URL.canParse(text) ? new URL(text) : undefined;
  if (url?.protocol !== "https:") {
    throw new KubesnapError("InvalidInput", `--webhook-url takes an https:// URL, not "${text}"`, {
      hint: `the API server calls webhooks over TLS only, e.g. https://10.0.0.5:9443${WEBHOOK_PATH}`,
    });
  }
  // The webhook answers on one path; a bare address means that one.
  if (url.pathname === "/") url.pathname = WEBHOOK_PATH;
  return { url: url.toString() };
}
