import type { Backup, Schedule } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import type { KubeObject } from "../core/kube-types.js";
import type { Cache, Logger, Reconciler } from "./controller.js";
import { requestDeletion } from "./delete-requests.js";
import { LABELS, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { scheduleRetention } from "./retention.js";

const TERMINAL = new Set(["Completed", "PartiallyFailed", "Failed", "FailedValidation"]);
const MAX_WAIT_MS = 3_600_000;

/**
 * Deletes backups whose TTL has passed (through a DeleteBackupRequest, so data leaves the
 * bucket too), unless a keep rule of their schedule keeps them, or their location is
 * ReadOnly (restore-only mode deletes nothing).
 */
export class ExpiryController implements Reconciler {
  readonly name = "expiry";
  readonly type = TYPES.backups;

  constructor(
    private readonly deps: {
      client: KubeClient;
      namespace: string;
      locations: ServerLocations;
      schedules: Cache;
      backups: Cache;
      log: Logger;
      now?: () => Date;
    },
  ) {}

  async reconcile(
    _key: string,
    object: KubeObject | undefined,
  ): Promise<{ requeueAfterMs: number } | undefined> {
    const backup = object as Backup | undefined;
    if (!backup?.status?.expiration || !TERMINAL.has(backup.status.phase)) return undefined;
    const now = this.deps.now?.() ?? new Date();
    const left = Date.parse(backup.status.expiration) - now.getTime();
    if (left > 0) return { requeueAfterMs: Math.min(MAX_WAIT_MS, left + 100) };
    const location = this.deps.locations
      .all()
      .find(
        (l) => l.metadata.name === (backup.spec.storageLocation ?? backup.metadata.labels?.[LABELS.location]),
      );
    if (location?.spec.accessMode === "ReadOnly") return { requeueAfterMs: 60_000 };
    if (this.keptBySchedule(backup)) return { requeueAfterMs: 60_000 };
    await requestDeletion(this.deps.client, this.deps.namespace, backup.metadata.name, "its TTL has passed");
    this.deps.log.info("expired backup deletion requested", { backup: backup.metadata.name });
    return undefined;
  }

  private keptBySchedule(backup: Backup): boolean {
    const scheduleName = backup.metadata.labels?.[LABELS.schedule];
    const schedule = this.deps.schedules.list().find((s) => s.metadata.name === scheduleName) as
      | Schedule
      | undefined;
    if (!schedule) return false;
    const siblings = this.deps.backups
      .list()
      .filter((b) => b.metadata.labels?.[LABELS.schedule] === scheduleName) as unknown as Backup[];
    return scheduleRetention(schedule, siblings)?.keep.has(backup.metadata.name) ?? false;
  }
}
