/**
 * The pre-delete backup, as data: its name, its Backup object, which earlier one a retried
 * delete may use, and what the webhook answers for each way it can end. No I/O here.
 */
import { createHash } from "node:crypto";
import type { Backup } from "../api/index.js";
import { LABEL_VALUE_MAX } from "../api/index.js";
import { timestampSuffix, validateName } from "../core/timestamp.js";
import { type BackupTarget, describeTarget } from "./admission.js";
import { BYPASS_ANNOTATION } from "./marks.js";

/** On a pre-delete Backup: the uid of the object whose deletion it precedes. */
export const PRE_DELETE_UID_LABEL = "kubesnap.io/pre-delete-uid";
/** On a pre-delete Backup: "Namespace/prod", for people (a CRD's name may not fit in a label). */
export const PRE_DELETE_OF_ANNOTATION = "kubesnap.io/pre-delete-of";

/**
 * A retried delete uses a backup of the same object that Completed at most this long ago,
 * instead of starting another: a namespace too large to back up within the webhook's time
 * can still be deleted, by retrying once the backup the first attempt started has finished.
 * What changed in the object since that backup is not in it, so the window stays short.
 */
export const REUSE_WINDOW_MS = 5 * 60_000;

const PREFIX = "pre-delete-";

/**
 * "pre-delete-prod-20261126070000" (UTC). At most 63 characters, like every Backup name (it
 * becomes a label value on restored objects): a longer object name is cut and given a short
 * hash of the whole, so two long names never share a backup name.
 */
export function preDeleteBackupName(target: Pick<BackupTarget, "name">, now: Date): string {
  const suffix = `-${timestampSuffix(now)}`;
  const room = LABEL_VALUE_MAX - PREFIX.length - suffix.length;
  let name = target.name;
  if (name.length > room) {
    const hash = createHash("sha256").update(name).digest("hex").slice(0, 6);
    name = `${name.slice(0, room - hash.length - 1).replace(/[.-]+$/, "")}-${hash}`;
  }
  return validateName(`${PREFIX}${name}${suffix}`, "backup");
}

/** A Backup as created: the spec's omitted fields take the CRD schema's defaults. */
export type NewBackup = Omit<Backup, "spec" | "status"> & { spec: Partial<Backup["spec"]> };

/**
 * The Backup object (before the API server fills in defaults). A namespace: everything in it,
 * with the Namespace and what its items need from the cluster scope (auto mode). A CRD: its
 * custom resources in every namespace, with CustomResourceDefinitions: a backup spec selects
 * resources, not objects by name, so it holds every CRD of the cluster, the deleted one among
 * them. The object's pre-delete TTL annotation, if any, sets how long it is kept.
 */
export function preDeleteBackup(target: BackupTarget, options: { readonly now: Date }): NewBackup {
  const spec: NewBackup["spec"] =
    target.kind === "Namespace"
      ? { includedNamespaces: [target.name] }
      : {
          includedNamespaces: ["*"],
          includedResources: [target.name, "customresourcedefinitions.apiextensions.k8s.io"],
          includeClusterResources: "true",
        };
  return {
    apiVersion: "kubesnap.io/v1",
    kind: "Backup",
    metadata: {
      name: preDeleteBackupName(target, options.now),
      labels: { [PRE_DELETE_UID_LABEL]: target.uid },
      annotations: { [PRE_DELETE_OF_ANNOTATION]: `${target.kind}/${target.name}` },
    },
    spec: { ...spec, ...(target.ttl !== undefined ? { ttl: target.ttl } : {}) },
  };
}

const RUNNING = new Set(["New", "InProgress"]);

/**
 * Among the pre-delete backups of this very object (same uid), the one to wait for: one still
 * running (an earlier attempt started it), else one Completed within REUSE_WINDOW_MS; the
 * newest first. None: take a new one.
 */
export function reusableBackup(backups: readonly Backup[], now: Date): Backup | undefined {
  const candidates = backups.filter((b) => {
    const phase = b.status?.phase ?? "New";
    if (RUNNING.has(phase)) return true;
    const completed = Date.parse(b.status?.completionTimestamp ?? "");
    return phase === "Completed" && now.getTime() - completed <= REUSE_WINDOW_MS;
  });
  const created = (b: Backup) => b.metadata.creationTimestamp ?? "";
  return candidates.sort((a, b) => (created(a) < created(b) ? 1 : created(a) > created(b) ? -1 : 0))[0];
}

/** Where a pre-delete backup stands when the webhook must answer. */
export type BackupWait =
  | { readonly state: "finished"; readonly backup: Backup }
  | { readonly state: "timedOut"; readonly backup: Backup; readonly waitedMs: number };

export type PreDeleteOutcome = "Completed" | "PartiallyFailed" | "Failed" | "TimedOut";

export interface Verdict {
  readonly allowed: boolean;
  readonly outcome: PreDeleteOutcome;
  /** Denied: why, and what to do. Allowed: a warning kubectl prints, naming the backup. */
  readonly message: string;
}

/** The webhook's answer: allowed only once the backup is Completed (committed, nothing left out). */
export function verdict(target: BackupTarget, wait: BackupWait, serverNamespace: string): Verdict {
  const { backup } = wait;
  const name = backup.metadata.name;
  const what = describeTarget(target);
  const status = backup.status;
  if (wait.state === "finished" && status?.phase === "Completed") {
    return {
      allowed: true,
      outcome: "Completed",
      message: `kubesnap: backed up ${what} first, as backup "${name}"; restore it with \`kubesnap restore create --from-backup ${name}\``,
    };
  }
  const retry = retryHint(target, serverNamespace);
  if (wait.state === "timedOut") {
    const started = (status?.phase ?? "New") !== "New";
    const why = started
      ? `backup "${name}" did not finish within ${Math.round(wait.waitedMs / 1000)} s (${status?.progress?.itemsBackedUp ?? 0} items so far); it goes on`
      : `backup "${name}" was not started within ${Math.round(wait.waitedMs / 1000)} s (is a kubesnap server leading in namespace ${serverNamespace}?)`;
    return {
      allowed: false,
      outcome: "TimedOut",
      message: `kubesnap: cannot delete ${what} before it is backed up: ${why}. ${
        started
          ? `Retry the delete once it has Completed (kubesnap backup describe ${name}), within ${REUSE_WINDOW_MS / 60_000} minutes of that, `
          : "Retry the delete, "
      }${retry}`,
    };
  }
  const partly = status?.phase === "PartiallyFailed";
  const reason = partly
    ? `backup "${name}" could not save ${status?.errors ?? 0} items (PartiallyFailed; see kubesnap backup describe ${name} --details)`
    : `backup "${name}" ${status?.phase ?? "failed"}: ${
        status?.failureReason ?? status?.validationErrors?.join("; ") ?? "no reason given"
      }`;
  return {
    ...failedVerdict(target, reason, serverNamespace),
    ...(partly ? { outcome: "PartiallyFailed" } : {}),
  };
}

/** Denied, with why and what to do: the answer when the backup fails or cannot be started. */
export function failedVerdict(target: BackupTarget, reason: string, serverNamespace: string): Verdict {
  return {
    allowed: false,
    outcome: "Failed",
    message: `kubesnap: cannot delete ${describeTarget(target)} before it is backed up: ${reason}. Retry the delete, ${retryHint(target, serverNamespace)}`,
  };
}

function retryHint(target: BackupTarget, serverNamespace: string): string {
  const resource = target.kind === "Namespace" ? "namespace" : "crd";
  return (
    `or delete it without a backup: kubectl annotate ${resource} ${target.name} ${BYPASS_ANNOTATION}=true ` +
    `(or stop protecting it: kubesnap -n ${serverNamespace} unprotect ${resource} ${target.name})`
  );
}
