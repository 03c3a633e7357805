import type { BackupSpec, Trigger, TriggerCause, TriggerWindow } from "../api/index.js";
import type { KubeObject } from "../core/kube-types.js";
import { scheduledBackupName } from "../schedule/index.js";

/** The label on every backup a trigger creates; its value is the trigger's name. */
export const TRIGGER_NAME_LABEL = "kubesnap.io/trigger-name";

/** On a trigger's backup: why it was taken, as JSON `{"changes": N, "causes": [first few]}`. */
export const TRIGGER_CAUSE_ANNOTATION = "kubesnap.io/trigger-cause";

export interface TriggeredBackup {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly annotations: Record<string, string>;
  readonly spec: BackupSpec;
}

/**
 * The Backup a window makes. Its name, "TRIGGER-yyyyMMddHHmmss", comes from the second the
 * window opened (a schedule's backups are named alike), not from when it fires: a server that
 * restarts and finishes the window again finds the Backup already there instead of making a
 * second. Unless told to keep the template's namespaces, it takes those of the changed objects.
 */
export function triggeredBackup(trigger: Trigger, window: TriggerWindow): TriggeredBackup {
  const { template } = trigger.spec;
  const narrowed = trigger.spec.backupNamespaces === "Changed" && window.namespaces.length > 0;
  return {
    name: scheduledBackupName(trigger.metadata.name, new Date(window.since)),
    labels: { ...trigger.metadata.labels, [TRIGGER_NAME_LABEL]: trigger.metadata.name },
    annotations: {
      [TRIGGER_CAUSE_ANNOTATION]: JSON.stringify({ changes: window.changes, causes: window.causes }),
    },
    spec: narrowed ? { ...template, includedNamespaces: window.namespaces } : template,
  };
}

/** The causes recorded on a trigger's backup; undefined for other backups (or a hand-edited value). */
export function backupCause(
  backup: Pick<KubeObject, "metadata">,
): { readonly changes: number; readonly causes: readonly TriggerCause[] } | undefined {
  const text = backup.metadata.annotations?.[TRIGGER_CAUSE_ANNOTATION];
  if (!text) return undefined;
  try {
    const value = JSON.parse(text) as { changes?: unknown; causes?: unknown };
    if (typeof value.changes !== "number" || !Array.isArray(value.causes)) return undefined;
    return { changes: value.changes, causes: value.causes as TriggerCause[] };
  } catch {
    return undefined;
  }
}

/** "update of deployments.apps shop/web at resourceVersion 4711". */
export function describeCause(cause: TriggerCause): string {
  const where = cause.namespace ? `${cause.namespace}/${cause.name}` : cause.name;
  return `${cause.event} of ${cause.resource} ${where} at resourceVersion ${cause.resourceVersion}`;
}
