/**
 * Taking the pre-delete backup for the webhook: a Backup object, which the leader's
 * BackupController runs like any other, waited for until it finishes or the webhook's time
 * is up. Any replica may be asked (the API server reaches the Service), but only the leader
 * runs backups; going through a Backup object keeps it that way, and the backup shows in
 * `kubesnap backup get`, with its logs and metrics, like every other.
 */
import type { Backup } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath, withQuery } from "../cluster/paths.js";
import { isKubesnapError } from "../core/errors.js";
import type { BackupTarget } from "../protect/admission.js";
import {
  type BackupWait,
  PRE_DELETE_UID_LABEL,
  preDeleteBackup,
  reusableBackup,
} from "../protect/pre-delete.js";
import { TYPES } from "./kinds.js";

/** Phases after which a Backup does not change any more. */
const FINISHED = new Set(["Completed", "PartiallyFailed", "Failed", "FailedValidation", "Deleting"]);

/**
 * How often the Backup is read while waiting: the answer is late by at most this much, and
 * ten reads a second are nothing to the API server.
 */
const POLL_MS = 100;

export interface PreDeleteDeps {
  readonly client: KubeClient;
  /** The server's namespace, where Backups live. */
  readonly namespace: string;
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
}

/** Starts (or joins) the backup of `target` and waits for it until `deadline` (ms since the epoch). */
export async function takePreDeleteBackup(
  target: BackupTarget,
  deps: PreDeleteDeps & { readonly deadline: number },
): Promise<BackupWait> {
  const started = deps.now().getTime();
  let backup = await startOrJoin(target, deps);
  const path = resourcePath(TYPES.backups, { namespace: deps.namespace, name: backup.metadata.name });
  const timedOut = (): BackupWait => ({
    state: "timedOut",
    backup,
    waitedMs: deps.now().getTime() - started,
  });
  // One timer for the whole wait: each read races it (see beforeDeadline).
  const deadlineReached = deps.sleep(Math.max(0, deps.deadline - deps.now().getTime()));
  for (;;) {
    if (FINISHED.has(backup.status?.phase ?? "New")) return { state: "finished", backup };
    if (deps.now().getTime() + POLL_MS > deps.deadline) return timedOut();
    await deps.sleep(POLL_MS);
    try {
      // A read the API server is slow to answer must not make the webhook answer late.
      const read = await beforeDeadline(deps.client.get<Backup>(path), deadlineReached);
      if (read === undefined) return timedOut();
      backup = read;
    } catch (err) {
      if (!isKubesnapError(err, "NotFound")) throw err;
      const failureReason = "the Backup object was deleted while the webhook waited";
      return {
        state: "finished",
        backup: {
          ...backup,
          status: { errors: 0, warnings: 0, ...backup.status, phase: "Failed", failureReason },
        },
      };
    }
  }
}

/** The value, or undefined when the deadline comes first (the read then goes on, unheard). */
async function beforeDeadline<T>(value: Promise<T>, deadlineReached: Promise<void>): Promise<T | undefined> {
  value.catch(() => undefined);
  return Promise.race([value, deadlineReached.then(() => undefined)]);
}

async function startOrJoin(target: BackupTarget, deps: PreDeleteDeps): Promise<Backup> {
  const collection = resourcePath(TYPES.backups, { namespace: deps.namespace });
  const { items } = await deps.client.get<{ items: Backup[] }>(
    withQuery(collection, { labelSelector: `${PRE_DELETE_UID_LABEL}=${target.uid}` }),
  );
  const existing = reusableBackup(items, deps.now());
  if (existing) return existing;
  const body = preDeleteBackup(target, { now: deps.now() });
  try {
    return await deps.client.request<Backup>({
      method: "POST",
      path: collection,
      body: JSON.stringify(body),
    });
  } catch (err) {
    // Two deletes of the same object in the same second: the other request made it; wait for that one.
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
    return deps.client.get<Backup>(`${collection}/${body.metadata.name}`);
  }
}
