import type { Backup, Trigger, TriggerWindow } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { discover } from "../cluster/discovery.js";
import { resourcePath } from "../cluster/paths.js";
import { describeError, isKubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import {
  type CheckResult,
  checkTrigger,
  decideWindow,
  mergeWindows,
  recordChange,
  TRIGGER_NAME_LABEL,
  type TriggeredBackup,
  triggeredBackup,
  type WatchPlan,
} from "../trigger/index.js";
import type { Cache, Logger, ReconcileResult, Reconciler } from "./controller.js";
import { requestDeletion } from "./delete-requests.js";
import { TYPES } from "./kinds.js";
import type { ServerLocations } from "./locations.js";
import { scheduleRetention } from "./retention.js";
import { patchStatus } from "./status.js";
import { watchTrigger } from "./trigger-watch.js";

/** Discovery is asked again at most this often (a CRD installed later makes a refused trigger valid). */
const DISCOVERY_TTL_MS = 30_000;
/** Changes are written to status in batches: a rollout's 40 events make a few writes, not 40. */
const FLUSH_DELAY_MS = 100;
const RECHECK_MS = 60_000;

/** One trigger's watch while this server leads, and the window it fills. */
interface Running {
  readonly generation: number;
  readonly abort: AbortController;
  /** Aborts when the trigger stops or this server stops leading: then it writes nothing more. */
  readonly signal: AbortSignal;
  /** The changes not yet backed up; the status copy follows within FLUSH_DELAY_MS. */
  window: TriggerWindow | undefined;
  lastBackup: Date | undefined;
  /** When the last window taken opened: the next opens in a later second, so names differ. */
  lastSince: Date | undefined;
  /** Status writes, one after another, so an older window never overwrites a newer one. */
  writes: Promise<void>;
  flush: NodeJS.Timeout | undefined;
}

/**
 * Runs Triggers: watches what each names and, when the watched objects have been quiet for
 * the debounce (and minInterval has passed), creates one Backup from the template, labelled
 * with the trigger and annotated with the changes that caused it. The window of changes is
 * kept in status.pending, so a server that restarts mid-window finishes it, and the Backup's
 * name comes from the window, so finishing it twice finds it already there.
 */
export class TriggerController implements Reconciler {
  readonly name = "trigger";
  readonly type = TYPES.triggers;
  private readonly running = new Map<string, Running>();
  private discovery: { at: number; types: Promise<readonly ResourceType[]> } | undefined;

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
    key: string,
    object: KubeObject | undefined,
    signal: AbortSignal,
  ): Promise<ReconcileResult> {
    const trigger = object as Trigger | undefined;
    if (!trigger) {
      this.stop(key);
      return undefined;
    }
    const checked = await this.check(trigger);
    if (!checked.ok) {
      this.stop(key);
      const errors = checked.problems;
      if (
        trigger.status?.phase !== "FailedValidation" ||
        trigger.status.validationErrors?.join("\n") !== errors.join("\n")
      ) {
        await patchStatus(this.deps.client, this.type, trigger, {
          phase: "FailedValidation",
          validationErrors: errors,
        });
      }
      return { requeueAfterMs: RECHECK_MS };
    }
    if (trigger.spec.paused) {
      this.stop(key);
      if (
        trigger.status?.phase !== "Enabled" ||
        trigger.status.pending ||
        trigger.status.validationErrors?.length
      )
        await patchStatus(this.deps.client, this.type, trigger, {
          phase: "Enabled",
          validationErrors: [],
          pending: null,
        });
      return undefined;
    }
    const running = this.start(key, trigger, checked.plan, signal);
    return this.fireIfDue(trigger, running, checked.plan);
  }

  private now(): Date {
    return this.deps.now?.() ?? new Date();
  }

  /** The spec checked against what the cluster serves and the locations that exist. */
  private async check(trigger: Trigger): Promise<CheckResult> {
    const now = this.now().getTime();
    if (!this.discovery || now - this.discovery.at > DISCOVERY_TTL_MS) {
      const types = discover(this.deps.client).then((d) => d.types);
      this.discovery = { at: now, types };
      // A failed discovery is not kept: the next reconcile asks again.
      types.catch(() => {
        if (this.discovery?.types === types) this.discovery = undefined;
      });
    }
    const checked = checkTrigger(trigger.spec, await this.discovery.types);
    try {
      this.deps.locations.find(trigger.spec.template.storageLocation);
    } catch (err) {
      return { ok: false, problems: [...(checked.ok ? [] : checked.problems), describeError(err)] };
    }
    return checked;
  }

  /** The trigger's watch, started (or restarted with a new baseline when its spec changed). */
  private start(key: string, trigger: Trigger, plan: WatchPlan, signal: AbortSignal): Running {
    const generation = trigger.metadata.generation ?? 0;
    const previous = this.running.get(key);
    if (previous?.generation === generation) return previous;
    this.stop(key);
    // A window survives a spec change in memory and a restart in status.
    const pending = previous?.window ?? trigger.status?.pending;
    const last = previous?.lastBackup?.toISOString() ?? trigger.status?.lastBackup;
    const abort = new AbortController();
    const running: Running = {
      generation,
      abort,
      signal: AbortSignal.any([signal, abort.signal]),
      window: pending,
      lastBackup: last ? new Date(last) : undefined,
      // A backup is made after its window opened, so its time serves when only status is known.
      lastSince: last ? new Date(last) : undefined,
      writes: Promise.resolve(),
      flush: undefined,
    };
    this.running.set(key, running);
    const name = trigger.metadata.name;
    void watchTrigger({
      client: this.deps.client,
      plan,
      signal: running.signal,
      onChange: (change) => {
        running.window = recordChange(running.window, change, {
          now: this.now(),
          ...(running.lastSince ? { after: running.lastSince } : {}),
        });
        running.flush ??= setTimeout(() => {
          running.flush = undefined;
          this.write(running, trigger, {});
        }, FLUSH_DELAY_MS);
      },
      onBaseline: () => {
        this.deps.log.info("trigger watching", { trigger: name, generation });
        this.write(running, trigger, {
          phase: "Enabled",
          validationErrors: [],
          observedGeneration: generation,
        });
      },
      onError: (message) => this.deps.log.error(`trigger ${name}: ${message}`),
    }).catch((err: unknown) => {
      this.deps.log.error(`trigger ${name}: the watch ended`, { error: describeError(err) });
    });
    return running;
  }

  private stop(key: string): void {
    const running = this.running.get(key);
    if (!running) return;
    this.running.delete(key);
    running.abort.abort();
    clearTimeout(running.flush);
  }

  /**
   * Queues a status write carrying the window as it is when the write runs (null: no
   * window). A write that fails is logged; the next change or backup writes the window again.
   */
  private write(running: Running, trigger: Trigger, fields: Record<string, unknown>): Promise<void> {
    running.writes = running.writes.then(async () => {
      // A server that no longer leads leaves status to the one that does.
      if (running.signal.aborted) return;
      try {
        await patchStatus(this.deps.client, this.type, trigger, {
          ...fields,
          pending: running.window ?? null,
        });
      } catch (err) {
        if (!isKubesnapError(err, "NotFound"))
          this.deps.log.error(`trigger ${trigger.metadata.name}: writing status failed`, {
            error: describeError(err),
          });
      }
    });
    return running.writes;
  }

  private backupsOf(trigger: Trigger): Backup[] {
    return this.deps.backups
      .list()
      .filter(
        (b) => b.metadata.labels?.[TRIGGER_NAME_LABEL] === trigger.metadata.name,
      ) as unknown as Backup[];
  }

  private async fireIfDue(trigger: Trigger, running: Running, plan: WatchPlan): Promise<ReconcileResult> {
    const window = running.window;
    if (!window) return undefined;
    const now = this.now();
    const decision = decideWindow(window, {
      now,
      debounceMs: plan.debounceMs,
      minIntervalMs: plan.minIntervalMs,
      ...(running.lastBackup ? { lastBackup: running.lastBackup } : {}),
    });
    if (decision.action === "wait") return { requeueAfterMs: decision.ms };
    // One backup at a time: the changes wait for the running one, as a schedule's next run does.
    if (this.backupsOf(trigger).some((b) => ["New", "InProgress", undefined].includes(b.status?.phase)))
      return { requeueAfterMs: 2_000 };
    const location = this.deps.locations.find(trigger.spec.template.storageLocation);
    // Taken out before any await: changes seen while the backup is created open the next window.
    running.window = undefined;
    running.lastSince = new Date(window.since);
    if (location.spec.accessMode === "ReadOnly") {
      await this.write(running, trigger, {
        message: `${window.changes} change(s) since ${window.since} were not backed up: location ${location.metadata.name} is ReadOnly (restore-only mode)`,
      });
      return undefined;
    }
    const backup = triggeredBackup(trigger, window);
    const existed = await this.create(backup).catch((err: unknown) => {
      running.window = mergeWindows(window, running.window);
      throw err;
    });
    running.lastBackup = now;
    // Logged before the status write, so whoever sees the status can also find the line.
    this.deps.log.info(existed ? "triggered backup already existed" : "triggered backup created", {
      trigger: trigger.metadata.name,
      backup: backup.name,
      changes: window.changes,
      // From the last change seen to the Backup's creation: the debounce plus this server's delay.
      latencyMs: now.getTime() - Date.parse(window.lastChange),
    });
    await this.write(running, trigger, {
      lastBackup: now.toISOString(),
      lastBackupName: backup.name,
      message: "",
    });
    await this.applyRetention(trigger);
    return running.window ? { requeueAfterMs: 250 } : undefined;
  }

  /** Creates the window's Backup; true when it was already there (made before a restart). */
  private async create(backup: TriggeredBackup): Promise<boolean> {
    const { client, namespace } = this.deps;
    try {
      await client.request({
        method: "POST",
        path: resourcePath(TYPES.backups, { namespace }),
        body: JSON.stringify({
          apiVersion: "kubesnap.io/v1",
          kind: "Backup",
          metadata: { name: backup.name, namespace, labels: backup.labels, annotations: backup.annotations },
          spec: backup.spec,
        }),
      });
      return false;
    } catch (err) {
      if (isKubesnapError(err, "AlreadyExists")) return true;
      throw err;
    }
  }

  private async applyRetention(trigger: Trigger): Promise<void> {
    const decision = scheduleRetention(trigger, this.backupsOf(trigger));
    for (const name of decision?.remove ?? []) {
      await requestDeletion(
        this.deps.client,
        this.deps.namespace,
        name,
        `not kept by the keep rules of trigger ${trigger.metadata.name}`,
      );
    }
  }
}
