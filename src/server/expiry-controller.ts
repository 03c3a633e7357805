import type { Backup } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import type { KubeObject } from "../core/kube-types.js";
import { TRIGGER_NAME_LABEL } from "../trigger/index.js";
import type { Cache, Logger, Reconciler } from "./controller.js";
import { requestDeletion } from "./delete-requests.js";
import { LABELS, TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { type KeepsBackups, scheduleRetention } from "./retention.js";

const TERMINAL = new Set(["Completed", "PartiallyFailed", "Failed", "FailedValidation"]);
const MAX_WAIT_MS = 3_600_000;

/**
 * Deletes backups whose TTL has passed (through a DeleteBackupRequest, so data leaves the
 * bucket too), unless a keep rule of their schedule or trigger keeps them, or their location is
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
      triggers: Cache;
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
    if (this.keptByRules(backup)) return { requeueAfterMs: 60_000 };
    await requestDeletion(this.deps.client, this.deps.namespace, backup.metadata.name, "its TTL has passed");
    this.deps.log.info("expired backup deletion requested", { backup: backup.metadata.name });
    return undefined;
  }

  /** Whether the keep rules of the schedule or trigger that made the backup keep it past its TTL. */
  private keptByRules(backup: Backup): boolean {
    for (const [label, owners] of [
      [LABELS.schedule, this.deps.schedules],
      [TRIGGER_NAME_LABEL, this.deps.triggers],
    ] as const) {
      const ownerName = backup.metadata.labels?.[label];
      const owner = owners.list().find((o) => o.metadata.name === ownerName) as KeepsBackups | undefined;
      if (!owner) continue;
      const siblings = this.deps.backups
        .list()
        .filter((b) => b.metadata.labels?.[label] === ownerName) as unknown as Backup[];
      return scheduleRetention(owner, siblings)?.keep.has(backup.metadata.name) ?? false;
    }
    return false;
  }
}
