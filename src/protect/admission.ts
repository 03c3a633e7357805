/**
 * What the webhook does with one admission request, decided without I/O: let it through at
 * once, let it through without a backup because the user said so (the bypass), or take a
 * backup first. The API server's selectors already keep unprotected objects away; this
 * decides again from the object itself, so a stale webhook configuration or a hand-made
 * request can never make kubesnap block a deletion it should not.
 */
import { parseDuration } from "../core/duration.js";
import type { KubeObject } from "../core/kube-types.js";
import {
  BYPASS_ANNOTATION,
  PRE_DELETE_TTL_ANNOTATION,
  PROTECTED_LABEL,
  PROTECTED_SYSTEM_LABEL,
  type ProtectedKind,
  systemNamespaces,
} from "./marks.js";

/** The fields of an admission.k8s.io/v1 AdmissionRequest that the webhook reads. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly name?: string;
  readonly operation: string;
  readonly userInfo?: { readonly username?: string };
  /** For a DELETE: the object as it is before the deletion. */
  readonly oldObject?: KubeObject | null;
  readonly dryRun?: boolean;
}

/** What a pre-delete backup takes: a namespace's content, or a CRD with all its custom resources. */
export interface BackupTarget {
  readonly kind: ProtectedKind;
  /**
   * A CRD's name is always "<plural>.<group>" (the API server enforces it), which is also how
   * a backup names the resource of its custom resources.
   */
  readonly name: string;
  /** Tells this object from a later one of the same name: a retry joins only its own backup. */
  readonly uid: string;
  /** How long the backup is kept (the object's pre-delete TTL annotation), if it says. */
  readonly ttl?: string;
}

export type AdmissionDecision =
  | { readonly action: "allow"; readonly reason: string; readonly warning?: string }
  | { readonly action: "bypass"; readonly target: BackupTarget }
  | { readonly action: "backup"; readonly target: BackupTarget };

const KINDS: Readonly<Record<string, ProtectedKind>> = {
  "/Namespace": "Namespace",
  "apiextensions.k8s.io/CustomResourceDefinition": "CustomResourceDefinition",
};

export function decideAdmission(
  request: AdmissionRequest,
  options: { readonly serverNamespace: string },
): AdmissionDecision {
  const kind = KINDS[`${request.kind.group}/${request.kind.kind}`];
  if (request.operation !== "DELETE" || !kind) {
    return {
      action: "allow",
      reason: `not a deletion kubesnap protects (${request.operation} ${request.kind.kind})`,
    };
  }
  const object = request.oldObject;
  if (!object) return { action: "allow", reason: "the request carries no object" };
  const { labels = {}, annotations = {}, name, uid = "" } = object.metadata;
  if (labels[PROTECTED_LABEL] !== "true") return { action: "allow", reason: "not protected" };
  if (
    kind === "Namespace" &&
    systemNamespaces(options.serverNamespace).includes(name) &&
    labels[PROTECTED_SYSTEM_LABEL] !== "true"
  ) {
    return { action: "allow", reason: `system namespace without ${PROTECTED_SYSTEM_LABEL}=true` };
  }
  // A second DELETE of an object already terminating: the backup was taken before the first,
  // and a backup now would find its content half deleted.
  if (object.metadata.deletionTimestamp) return { action: "allow", reason: "already being deleted" };
  const ttl = preDeleteTtl(annotations);
  const target: BackupTarget = { kind, name, uid, ...(ttl !== undefined ? { ttl } : {}) };
  if (annotations[BYPASS_ANNOTATION] === "true") return { action: "bypass", target };
  // A server-side dry run must have no side effects (the webhook says NoneOnDryRun).
  if (request.dryRun) {
    return {
      action: "allow",
      reason: "dry run",
      warning: `kubesnap: a real delete of ${describeTarget(target)} first takes a backup`,
    };
  }
  return { action: "backup", target };
}

/** 'namespace "prod"', 'CustomResourceDefinition "widgets.example.com"'. */
export function describeTarget(target: Pick<BackupTarget, "kind" | "name">): string {
  return `${target.kind === "Namespace" ? "namespace" : "CustomResourceDefinition"} "${target.name}"`;
}

/**
 * The TTL annotation when it is a duration. `protect --ttl` checks it; one edited by hand into
 * something else must not block the deletion (the Backup would fail validation), so the
 * backup then takes the default TTL.
 */
function preDeleteTtl(annotations: Readonly<Record<string, string>>): string | undefined {
  const ttl = annotations[PRE_DELETE_TTL_ANNOTATION];
  if (ttl === undefined) return undefined;
  try {
    parseDuration(ttl);
    return ttl;
  } catch {
    return undefined;
  }
}
