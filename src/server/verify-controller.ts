import type { Backup } from "../api/index.js";
import { verifyBackup } from "../backup/verify.js";
import type { KubeClient } from "../cluster/client.js";
import { describeError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import type { Logger, ReconcileResult, Reconciler } from "./controller.js";
import { LABELS, TYPES, VERIFY_ANNOTATION } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { patchStatus } from "./status.js";

/** How many problems a Backup's status keeps: an object must stay far below etcd's limit. */
const MAX_PROBLEMS = 100;

/** A verify request as the CLI writes it in the annotation: "5%@2026-11-26T10:00:00.000Z". */
export function verifyRequest(samplePercent: number, at: Date): string {
  return `${samplePercent}%@${at.toISOString()}`;
}

function parseRequest(value: string | undefined): { samplePercent: number } | undefined {
  const match = /^(\d{1,3})%@\S+$/.exec(value ?? "");
  const percent = Number(match?.[1]);
  return match && percent >= 1 && percent <= 100 ? { samplePercent: percent } : undefined;
}

/**
 * Verifies backups: on request (the annotation `backup verify` sets in server mode) and,
 * with a period, every finished backup again once its last verification is that old. The
 * result lands in status.verification, where `backup describe` shows it.
 */
export class VerifyController implements Reconciler {
  readonly name = "verify";
  readonly type = TYPES.backups;

  constructor(
    private readonly deps: {
      client: KubeClient;
      locations: ServerLocations;
      log: Logger;
      /** 0: only on request. */
      periodMs: number;
      samplePercent: number;
      now?: () => Date;
    },
  ) {}

  async reconcile(_key: string, object: KubeObject | undefined): Promise<ReconcileResult> {
    const backup = object as Backup | undefined;
    const phase = backup?.status?.phase;
    if (!backup || (phase !== "Completed" && phase !== "PartiallyFailed")) return undefined;
    const last = backup.status?.verification;
    const requested = backup.metadata.annotations?.[VERIFY_ANNOTATION];
    const request = parseRequest(requested);
    if (request && requested !== last?.requestedAt) {
      await this.verify(backup, request.samplePercent, requested);
      return this.nextPeriodic();
    }
    if (this.deps.periodMs <= 0) return undefined;
    const age =
      this.now().getTime() - Date.parse(last?.verifiedAt ?? backup.status?.completionTimestamp ?? "");
    if (!last || !(age < this.deps.periodMs)) {
      await this.verify(backup, this.deps.samplePercent, last?.requestedAt);
      return this.nextPeriodic();
    }
    return { requeueAfterMs: this.deps.periodMs - age };
  }

  private nextPeriodic(): ReconcileResult {
    return this.deps.periodMs > 0 ? { requeueAfterMs: this.deps.periodMs } : undefined;
  }

  private async verify(
    backup: Backup,
    samplePercent: number,
    requestedAt: string | undefined,
  ): Promise<void> {
    const { client, locations, log } = this.deps;
    const name = backup.metadata.name;
    let verification: Record<string, unknown>;
    try {
      const location = locations.find(
        backup.spec.storageLocation ?? backup.metadata.labels?.[LABELS.location],
      );
      const repository = await locations.repository(location);
      const {
        backup: _name,
        problems,
        ...figures
      } = await verifyBackup(repository, name, {
        samplePercent,
        now: this.now(),
      });
      verification = { ...figures, problems: problems.slice(0, MAX_PROBLEMS) };
      log.info("backup verified", { backup: name, samplePercent, problems: problems.length });
    } catch (err) {
      // The location could not be read at all: that is the one problem to show.
      verification = {
        verifiedAt: this.now().toISOString(),
        samplePercent,
        blobsReferenced: 0,
        blobsChecked: 0,
        bytesRead: 0,
        problems: [{ kind: "unreadable-location", message: describeError(err), objects: [] }],
      };
      log.error("backup verification failed", { backup: name, reason: describeError(err) });
    }
    await patchStatus(client, this.type, backup, {
      verification: { ...verification, ...(requestedAt ? { requestedAt } : {}) },
    });
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}
