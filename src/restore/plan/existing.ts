import { formatItemRef, type KubeObject } from "../../core/kube-types.js";
import { getArray, getString, type JsonObject } from "./json.js";
import { applyMergePatch, createMergePatch, isEmptyPatch } from "./merge-patch.js";
import type { ExistingResourcePolicy } from "./options.js";
import { normalizeForCompare } from "./prepare.js";
import { BACKUP_NAME_LABEL, RESTORE_NAME_LABEL } from "./restore-labels.js";

/** What to do when the item to create already exists (the create answered AlreadyExists). */
export type ExistingDecision =
  /** The live object already matches the backup. */
  | { readonly action: "skip-equal" }
  /** It differs and the policy says leave it: report the warning. */
  | { readonly action: "skip-differs"; readonly warning: string }
  /**
   * Send `patch` as application/merge-patch+json. If the server rejects it (an immutable
   * field such as a Deployment's selector or a PVC's spec differs), send `fallbackPatch`,
   * which only adds the restore labels, and report the failure as a warning (as Velero does).
   */
  | {
      readonly action: "patch";
      readonly reason: "update-policy" | "merge-service-account" | "add-restore-labels";
      readonly patch: JsonObject;
      readonly fallbackPatch: JsonObject;
    };

export interface ExistingOptions {
  readonly policy: ExistingResourcePolicy;
  /** As given to prepareItem; when false, node ports are not compared. */
  readonly preserveNodePorts?: boolean;
}

/**
 * Compares the object prepareItem made (`desired`) with the one in the cluster (`live`).
 * Both are normalised by the same cleaning rules first, so nothing the cluster assigns
 * (uid, resourceVersion, status, clusterIP, allocated node ports) counts as a difference;
 * owner references are not compared or patched (live owners are this cluster's truth).
 *
 * "Equal" means every field of the backup has the same value in the cluster. Fields only
 * the live object has are not differences and are never removed by the patch: they are
 * defaults a newer API server fills in, or labels, annotations and finalizers that the
 * cluster's controllers added (removing e.g. kubernetes.io/pvc-protection would defeat
 * it). So with policy "update" the patch sets what the backup says and nothing else.
 * Velero's patch also deletes live-only fields; this is the deliberate difference.
 *
 * ServiceAccounts are merged whatever the policy (as in Velero): the serviceaccounts
 * controller creates "default" in every new namespace before the restore gets there,
 * and the backup's imagePullSecrets, automountServiceAccountToken and annotations must
 * not be lost. Labels and annotations already on the live account win.
 */
export function decideExisting(
  desired: KubeObject,
  live: KubeObject,
  options: ExistingOptions,
): ExistingDecision {
  const compare = { preserveNodePorts: options.preserveNodePorts ?? false };
  const want = normalizeForCompare(desired, compare);
  const have = normalizeForCompare(live, compare);
  const labelPatch = restoreLabelPatch(want, have);

  if (desired.kind === "ServiceAccount" && desired.apiVersion === "v1") {
    const patch = createMergePatch(have, mergeServiceAccounts(want, have));
    if (isEmptyPatch(patch)) return equal(options.policy, labelPatch);
    return {
      action: "patch",
      reason: "merge-service-account",
      patch: withLabels(patch, labelPatch),
      fallbackPatch: labelPatch,
    };
  }

  // Finalizers are a list, which a merge patch replaces whole: union them so none is lost.
  const wantWithFinalizers = withFinalizerUnion(want, have);
  const patch = createMergePatch(have, applyMergePatch(have, stripNulls(wantWithFinalizers)));
  if (isEmptyPatch(patch)) return equal(options.policy, labelPatch);
  if (options.policy === "none") {
    return {
      action: "skip-differs",
      warning:
        `${describe(live)} already exists and differs from the backup; it was left as it is ` +
        "(restore with existingResourcePolicy=update to patch it)",
    };
  }
  return {
    action: "patch",
    reason: "update-policy",
    patch: withLabels(patch, labelPatch),
    fallbackPatch: labelPatch,
  };
}

function describe(object: KubeObject): string {
  const ref = { resource: object.kind, name: object.metadata.name };
  return formatItemRef(
    object.metadata.namespace === undefined ? ref : { ...ref, namespace: object.metadata.namespace },
  );
}

/** The restore labels from `want` that `have` lacks, as a patch (`{}` when none). */
function restoreLabelPatch(want: KubeObject, have: KubeObject): JsonObject {
  const labels: Record<string, string> = {};
  for (const key of [BACKUP_NAME_LABEL, RESTORE_NAME_LABEL]) {
    const value = want.metadata.labels?.[key];
    if (value !== undefined && have.metadata.labels?.[key] !== value) labels[key] = value;
  }
  // Restore labels are bookkeeping, not content: drop them from the comparison.
  for (const object of [want, have]) {
    const own = object.metadata.labels;
    if (own === undefined) continue;
    delete own[BACKUP_NAME_LABEL];
    delete own[RESTORE_NAME_LABEL];
    if (Object.keys(own).length === 0) delete object.metadata.labels;
  }
  return Object.keys(labels).length === 0 ? {} : { metadata: { labels } };
}

/** Equal content: with policy "update" the restore labels are still added (Velero does too). */
function equal(policy: ExistingResourcePolicy, labelPatch: JsonObject): ExistingDecision {
  if (policy === "none" || isEmptyPatch(labelPatch)) return { action: "skip-equal" };
  return { action: "patch", reason: "add-restore-labels", patch: labelPatch, fallbackPatch: labelPatch };
}

function withLabels(patch: JsonObject, labelPatch: JsonObject): JsonObject {
  return applyMergePatch(patch, labelPatch);
}

function withFinalizerUnion(want: KubeObject, have: KubeObject): KubeObject {
  const wanted = want.metadata.finalizers;
  const live = have.metadata.finalizers ?? [];
  if (wanted === undefined) return want;
  return {
    ...want,
    metadata: { ...want.metadata, finalizers: [...live, ...wanted.filter((f) => !live.includes(f))] },
  };
}

/** The live account plus what only the backup has: secrets and pull secrets by name, new label keys. */
function mergeServiceAccounts(want: KubeObject, have: KubeObject): KubeObject {
  const merged = structuredClone(have);
  for (const field of ["secrets", "imagePullSecrets"] as const) {
    const live = getArray(have, field) ?? [];
    const names = new Set(live.map((ref) => getString(ref, "name")));
    const added = (getArray(want, field) ?? []).filter((ref) => !names.has(getString(ref, "name")));
    if (added.length > 0) merged[field] = [...live, ...structuredClone(added)];
  }
  for (const field of ["labels", "annotations"] as const) {
    const fromBackup = want.metadata[field];
    if (fromBackup === undefined) continue;
    merged.metadata[field] = { ...fromBackup, ...have.metadata[field] };
  }
  if (have.automountServiceAccountToken === undefined && want.automountServiceAccountToken !== undefined) {
    merged.automountServiceAccountToken = want.automountServiceAccountToken;
  }
  return merged;
}

/** Objects from the API server rarely hold nulls; a merge patch would read them as deletions. */
function stripNulls(value: KubeObject): JsonObject {
  return JSON.parse(JSON.stringify(value, (_key, v: unknown) => (v === null ? undefined : v))) as JsonObject;
}
