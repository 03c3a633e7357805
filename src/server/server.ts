import { randomBytes } from "node:crypto";
import { hostname } from "node:os";
import type { KubeClient } from "../cluster/client.js";
import { KUBESNAP_VERSION } from "../core/version.js";
import { BackupController } from "./backup-controller.js";
import { Cache, type Logger, type Reconciler, runController } from "./controller.js";
import { DeleteController } from "./delete-controller.js";
import { DownloadController, type DownloadDeps, serveDownload } from "./download-controller.js";
import { ExpiryController } from "./expiry-controller.js";
import { parseListen, startHealthServer } from "./health.js";
import { startLeaderElection } from "./leader.js";
import { LocationController } from "./location-controller.js";
import { ServerLocations } from "./locations.js";
import { createServerMetrics } from "./metrics.js";
import { RestoreController } from "./restore-controller.js";
import { ScheduleController } from "./schedule-controller.js";
import { TriggerController } from "./trigger-controller.js";
import { VerifyController } from "./verify-controller.js";
import { startWebhook } from "./webhook.js";
import { keepWebhookRegistered, WEBHOOK_PATH, type WebhookEndpoint } from "./webhook-config.js";

export interface ServerOptions {
  readonly client: KubeClient;
  readonly namespace: string;
  readonly listen: string;
  /** How often locations are validated and synced when they name no period. */
  readonly syncPeriodMs: number;
  readonly log: Logger;
  /** Ends the server: controllers stop, the lease is released, the health server closes. */
  readonly signal: AbortSignal;
  readonly identity?: string;
  readonly leaseDurationSeconds?: number;
  /**
   * How clients reach this server's HTTP endpoint, for download URLs: in a cluster the
   * Service ("http://kubesnap.NS.svc:8085", which the CLI reaches through the API server's
   * service proxy); by default the listen address itself.
   */
  readonly downloadUrl?: string;
  /** Verify every finished backup again this often (0: only when asked), reading this share of its data. */
  readonly verify?: { readonly periodMs: number; readonly samplePercent: number };
  /** How long a backup or restore waits for node agents to copy pod volumes (default 4h). */
  readonly fsBackupTimeoutMs?: number;
  /** The image of the init container restored pods wait in (kubesnap's own; default kubesnap/kubesnap:VERSION). */
  readonly restoreHelperImage?: string;
  /** Pre-delete protection (docs/protection.md); absent: no webhook is served or registered. */
  readonly webhook?: {
    /** Where the HTTPS endpoint listens, as `listen`. */
    readonly listen: string;
    /** How the API server reaches it; by default the listen address itself. */
    readonly endpoint?: WebhookEndpoint;
    /** The webhook configuration's timeoutSeconds (at most 25). */
    readonly timeoutSeconds: number;
  };
}

/**
 * `kubesnap server`: health and metrics at once; the controllers only while this process
 * holds the leader lease, so two replicas never act at the same time.
 */
export async function runServer(options: ServerOptions): Promise<void> {
  const { client, namespace, log } = options;
  const metrics = createServerMetrics();
  const identity = options.identity ?? `${hostname()}-${randomBytes(4).toString("hex")}`;
  let leading: { caches: Cache[]; locations: ServerLocations } | undefined;
  const downloadDeps = (locations: ServerLocations): DownloadDeps => ({
    client,
    namespace,
    locations,
    log,
    baseUrl: () => options.downloadUrl ?? listenUrl(options.listen, health.port),
  });
  const hook = options.webhook;
  // First: a replica that cannot serve the webhook must not start, nor lead and register it.
  const webhook =
    hook &&
    (await startWebhook({
      client,
      namespace,
      listen: hook.listen,
      endpoint: (port) => hook.endpoint ?? { url: `${listenUrl(hook.listen, port, "https")}${WEBHOOK_PATH}` },
      timeoutSeconds: hook.timeoutSeconds,
      log,
      metrics,
      // Rotation is due months ahead; a check a minute (or per sync period) is plenty.
      certCheckMs: Math.max(options.syncPeriodMs, 60_000),
    }));
  const health = await startHealthServer({
    listen: options.listen,
    metrics: metrics.registry,
    // A standby replica is ready (it serves health and metrics); a leader once it has listed everything.
    ready: () =>
      !leading || leading.caches.every((c) => c.synced)
        ? true
        : { ready: false, reason: "controllers are still listing" },
    // Any replica answers: a standby reads the locations afresh.
    download: async (name, token) =>
      serveDownload(
        downloadDeps(leading?.locations ?? (await ServerLocations.listed(client, namespace))),
        name,
        token,
      ),
  }).catch(async (err: unknown) => {
    await webhook?.close();
    throw err;
  });
  log.info("kubesnap server started", {
    namespace,
    identity,
    port: health.port,
    ...(webhook ? { webhookPort: webhook.port } : {}),
  });

  const election = startLeaderElection({
    client,
    namespace,
    identity,
    // A shorter lease (tests) scales the renew deadline and retry period with it.
    ...(options.leaseDurationSeconds
      ? {
          leaseDurationSeconds: options.leaseDurationSeconds,
          renewDeadlineMs: options.leaseDurationSeconds * 667,
          retryPeriodMs: options.leaseDurationSeconds * 125,
        }
      : {}),
    onStartedLeading: async (signal) => {
      log.info("became the leader; starting controllers", { identity });
      metrics.leader.set(1);
      const caches = {
        backups: new Cache(),
        expiry: new Cache(),
        locations: new Cache(),
        schedules: new Cache(),
        triggers: new Cache(),
        restores: new Cache(),
        deletes: new Cache(),
        downloads: new Cache(),
        verify: new Cache(),
      };
      const locations = new ServerLocations(client, namespace, caches.locations);
      leading = { caches: Object.values(caches), locations };
      const deps = { client, namespace, locations, log };
      const controllers: [Reconciler, Cache][] = [
        [
          new LocationController({ ...deps, backups: caches.backups, defaultPeriodMs: options.syncPeriodMs }),
          caches.locations,
        ],
        [
          new BackupController({
            ...deps,
            metrics,
            ...(options.fsBackupTimeoutMs !== undefined
              ? { fsBackupTimeoutMs: options.fsBackupTimeoutMs }
              : {}),
          }),
          caches.backups,
        ],
        [
          new ExpiryController({
            ...deps,
            schedules: caches.schedules,
            triggers: caches.triggers,
            backups: caches.expiry,
          }),
          caches.expiry,
        ],
        [
          new RestoreController({
            ...deps,
            backups: caches.backups,
            metrics,
            restoreHelperImage: options.restoreHelperImage ?? `kubesnap/kubesnap:${KUBESNAP_VERSION}`,
            ...(options.fsBackupTimeoutMs !== undefined
              ? { fsBackupTimeoutMs: options.fsBackupTimeoutMs }
              : {}),
          }),
          caches.restores,
        ],
        [new ScheduleController({ ...deps, backups: caches.backups }), caches.schedules],
        [new TriggerController({ ...deps, backups: caches.backups }), caches.triggers],
        [new DeleteController({ ...deps, backups: caches.backups }), caches.deletes],
        [new DownloadController(downloadDeps(locations)), caches.downloads],
        [
          new VerifyController({ ...deps, ...(options.verify ?? { periodMs: 0, samplePercent: 5 }) }),
          caches.verify,
        ],
      ];
      await Promise.all([
        ...controllers.map(([reconciler, cache]) =>
          runController(reconciler, { client, namespace, cache, log, signal }),
        ),
        ...(webhook && hook
          ? [
              keepWebhookRegistered(client, {
                namespace,
                endpoint: webhook.endpoint,
                caBundle: webhook.caBundle,
                timeoutSeconds: hook.timeoutSeconds,
                periodMs: options.syncPeriodMs,
                signal,
                log,
              }),
            ]
          : []),
      ]);
    },
    onStoppedLeading: () => {
      leading = undefined;
      metrics.leader.set(0);
      log.info("stopped leading", { identity });
    },
    onError: (message) => log.error(message),
  });

  await new Promise<void>((resolve) => {
    if (options.signal.aborted) resolve();
    else options.signal.addEventListener("abort", () => resolve(), { once: true });
  });
  log.info("kubesnap server stopping", { identity });
  await election.stop();
  await webhook?.close();
  await health.close();
}

/** The listen address as a URL a local client can use ("" and 0.0.0.0 mean loopback). */
function listenUrl(listen: string, port: number, scheme: "http" | "https" = "http"): string {
  const host = parseListen(listen).host;
  const reachable = !host || host === "0.0.0.0" ? "127.0.0.1" : host === "::" ? "::1" : host;
  return `${scheme}://${reachable.includes(":") ? `[${reachable}]` : reachable}:${port}`;
}
