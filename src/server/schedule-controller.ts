import type { Backup, Schedule } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError, isKubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { dueRun, nextRun, parseSchedule, scheduledBackupName } from "../schedule/index.js";
import type { Cache, Logger, Reconciler } from "./controller.js";
import { requestDeletion } from "./delete-requests.js";
import { LABELS, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { scheduleRetention } from "./retention.js";
import { patchStatus } from "./status.js";

const MAX_WAIT_MS = 60_000;

/**
 * Runs Schedules: at each due time, one Backup named SCHEDULE-yyyyMMddHHmmss from the
 * template. The name is a function of the due time, so a retry or a second replica finds
 * the Backup already there instead of making another; a run never starts while the
 * previous one is still going; after downtime, missed runs collapse into one. Keep rules
 * (grandfather-father-son) are applied after each run.
 */
export class ScheduleController implements Reconciler {
  readonly name = "schedule";
  readonly type = TYPES.schedules;

  constructor(
    private readonly deps: {
      client: KubeClient;
      namespace: string;
      locations: ServerLocations;
      backups: Cache;
      log: Logger;
      now?: () => Date;
    },
  ) {}

  async reconcile(
    _key: string,
    object: KubeObject | undefined,
  ): Promise<{ requeueAfterMs: number } | undefined> {
    const schedule = object as Schedule | undefined;
    if (!schedule) return undefined;
    const { client } = this.deps;
    const now = this.deps.now?.() ?? new Date();
    let parsed: ReturnType<typeof parseSchedule>;
    try {
      parsed = parseSchedule(
        schedule.spec.schedule,
        schedule.spec.timeZone ? { timeZone: schedule.spec.timeZone } : {},
      );
      this.deps.locations.find(schedule.spec.template.storageLocation);
    } catch (err) {
      if (schedule.status?.phase !== "FailedValidation") {
        await patchStatus(client, this.type, schedule, {
          phase: "FailedValidation",
          validationErrors: [describeError(err)],
        });
      }
      return { requeueAfterMs: MAX_WAIT_MS };
    }
    const next = nextRun(parsed, now);
    const status: Record<string, unknown> = {
      phase: "Enabled",
      validationErrors: [],
      nextRun: next.toISOString(),
    };
    if (!schedule.spec.paused) {
      const due = dueRun(parsed, {
        ...(schedule.status?.lastBackup ? { lastRun: new Date(schedule.status.lastBackup) } : {}),
        created: new Date(schedule.metadata.creationTimestamp ?? now.toISOString()),
        now,
        skipImmediately: schedule.spec.skipImmediately,
      });
      if (due) {
        const outcome = await this.runOnce(schedule, due);
        if (outcome === "busy") return { requeueAfterMs: 2_000 };
        status.lastBackup = due.toISOString();
        status.message =
          outcome === "skipped"
            ? `the run due at ${due.toISOString()} was skipped: its location is ReadOnly (restore-only mode)`
            : "";
      }
      await this.applyRetention(schedule);
    }
    if (
      schedule.status?.phase !== "Enabled" ||
      schedule.status.nextRun !== status.nextRun ||
      (status.lastBackup !== undefined && status.lastBackup !== schedule.status.lastBackup)
    ) {
      await patchStatus(client, this.type, schedule, status);
    }
    return { requeueAfterMs: Math.max(250, Math.min(MAX_WAIT_MS, next.getTime() - now.getTime())) };
  }

  private backupsOf(schedule: Schedule): Backup[] {
    return this.deps.backups
      .list()
      .filter((b) => b.metadata.labels?.[LABELS.schedule] === schedule.metadata.name) as unknown as Backup[];
  }

  /** Creates the due run's Backup; "busy" while the previous run is still going. */
  private async runOnce(schedule: Schedule, due: Date): Promise<"created" | "existed" | "busy" | "skipped"> {
    const { client, namespace, log } = this.deps;
    const running = this.backupsOf(schedule).some((b) =>
      ["New", "InProgress", undefined].includes(b.status?.phase),
    );
    if (running) return "busy";
    const location = this.deps.locations.find(schedule.spec.template.storageLocation);
    if (location.spec.accessMode === "ReadOnly") {
      log.info("scheduled run skipped: its location is ReadOnly (restore-only mode)", {
        schedule: schedule.metadata.name,
        location: location.metadata.name,
      });
      return "skipped";
    }
    const name = scheduledBackupName(schedule.metadata.name, due);
    try {
      await client.request({
        method: "POST",
        path: resourcePath(TYPES.backups, { namespace }),
        body: JSON.stringify({
          apiVersion: "kubesnap.io/v1",
          kind: "Backup",
          metadata: {
            name,
            namespace,
            labels: { ...schedule.metadata.labels, [LABELS.schedule]: schedule.metadata.name },
          },
          spec: schedule.spec.template,
        }),
      });
      log.info("scheduled backup created", { schedule: schedule.metadata.name, backup: name });
      return "created";
    } catch (err) {
      if (isKubesnapError(err, "AlreadyExists")) return "existed";
      throw err;
    }
  }

  private async applyRetention(schedule: Schedule): Promise<void> {
    const decision = scheduleRetention(schedule, this.backupsOf(schedule));
    for (const name of decision?.remove ?? []) {
      await requestDeletion(
        this.deps.client,
        this.deps.namespace,
        name,
        `not kept by the keep rules of schedule ${schedule.metadata.name}`,
      );
    }
  }
}
