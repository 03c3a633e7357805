import type { KubeObject, OwnerReference } from "../../core/kube-types.js";
import type { CleanContext } from "./clean/context.js";
import { removeStatus, resetMetadata } from "./clean/metadata.js";
import { type NewVolume, provisionAnew } from "./clean/persistent-volume-claim.js";
import { cleanRulesFor } from "./clean/table.js";
import { mapNamespace, type NamespaceMapping } from "./namespace-mapping.js";
import { BACKUP_NAME_LABEL, labelValueFor, RESTORE_NAME_LABEL } from "./restore-labels.js";

/** What prepareItem needs besides the object. */
export interface PrepareContext {
  readonly backupName: string;
  readonly restoreName: string;
  readonly namespaceMapping?: NamespaceMapping;
  readonly preserveNodePorts?: boolean;
  /**
   * Old uid → new uid of the owners created so far in this restore. Owner references
   * whose uid is not in the map are dropped: Kubernetes' garbage collector deletes an
   * object whose owners (looked up by uid) are all gone, so a reference to an old uid
   * would get the restored object deleted. The apply step may also map the uid of an
   * owner it found already existing in the cluster.
   */
  readonly uidMap?: ReadonlyMap<string, string>;
  /** Source "namespace/name" of a claim → where its new volume comes from (see NewVolume). */
  readonly claimVolumes?: ReadonlyMap<string, NewVolume>;
}

/**
 * Turns a backed-up object into the object to create: a deep copy, cleaned of what the
 * old cluster assigned (per-kind rules in ./clean, then metadata and status), moved to
 * its target namespace, labelled with the backup and restore names, with owner
 * references rewritten to the new owners' uids. Pure: the input is not modified.
 */
export function prepareItem(object: KubeObject, ctx: PrepareContext): KubeObject {
  const cleanContext: CleanContext = {
    namespaceMapping: ctx.namespaceMapping ?? {},
    preserveNodePorts: ctx.preserveNodePorts ?? false,
  };
  const prepared = clean(object, cleanContext);
  const volume =
    object.kind === "PersistentVolumeClaim"
      ? ctx.claimVolumes?.get(`${object.metadata.namespace}/${object.metadata.name}`)
      : undefined;
  if (volume !== undefined) provisionAnew(prepared, volume);
  const namespace = prepared.metadata.namespace;
  if (namespace !== undefined)
    prepared.metadata.namespace = mapNamespace(cleanContext.namespaceMapping, namespace);
  prepared.metadata.labels = {
    ...prepared.metadata.labels,
    [BACKUP_NAME_LABEL]: labelValueFor(ctx.backupName),
    [RESTORE_NAME_LABEL]: labelValueFor(ctx.restoreName),
  };
  rewriteOwnerReferences(prepared, ctx.uidMap ?? new Map());
  return prepared;
}

/** A Namespace for target namespaces that have items but no Namespace object in the backup. */
export function blankNamespace(
  name: string,
  ctx: Pick<PrepareContext, "backupName" | "restoreName">,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: {
      name,
      labels: {
        [BACKUP_NAME_LABEL]: labelValueFor(ctx.backupName),
        [RESTORE_NAME_LABEL]: labelValueFor(ctx.restoreName),
      },
    },
  };
}

/**
 * The same cleaning without moving or labelling anything, and without owner references:
 * what decideExisting compares, so that values the cluster assigns (uids, clusterIPs,
 * allocated node ports, status) never count as differences.
 */
export function normalizeForCompare(
  object: KubeObject,
  ctx: { readonly preserveNodePorts: boolean },
): KubeObject {
  const normalized = clean(object, { namespaceMapping: {}, preserveNodePorts: ctx.preserveNodePorts });
  delete normalized.metadata.ownerReferences;
  return normalized;
}

function clean(object: KubeObject, ctx: CleanContext): KubeObject {
  const copy = structuredClone(object);
  // Kind rules run first: some read metadata the generic reset removes (managedFields
  // tell clearNodePorts which node ports were set explicitly).
  for (const rule of cleanRulesFor(copy)) rule(copy, ctx);
  resetMetadata(copy);
  removeStatus(copy);
  return copy;
}

function rewriteOwnerReferences(object: KubeObject, uidMap: ReadonlyMap<string, string>): void {
  const owners = object.metadata.ownerReferences;
  if (owners === undefined) return;
  const rewritten: OwnerReference[] = [];
  for (const owner of owners) {
    const uid = uidMap.get(owner.uid);
    if (uid !== undefined) rewritten.push({ ...owner, uid });
  }
  if (rewritten.length > 0) object.metadata.ownerReferences = rewritten;
  else delete object.metadata.ownerReferences;
}
