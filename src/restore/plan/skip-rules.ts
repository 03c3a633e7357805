import { groupResource } from "../../core/kube-types.js";
import type { SkipDecision } from "./decision.js";
import { describeItem, type ItemMeta } from "./item-meta.js";
import { GR } from "./resources.js";

/**
 * Items the cluster makes for itself, and items that are finished: restoring them
 * would duplicate, fight or re-run what Kubernetes already does. Each rule is a named
 * function that either skips an item or passes (undefined); the first that skips wins.
 *
 * Deliberately NOT skipped: the "default" ServiceAccount of each namespace. The
 * serviceaccounts controller creates it as soon as the namespace exists, but users
 * customise it (imagePullSecrets, automountServiceAccountToken: false, cloud-IAM
 * annotations such as eks.amazonaws.com/role-arn), and skipping it would silently lose
 * that. It is restored like any ServiceAccount and, when the controller got there first,
 * decideExisting merges the backup into the live one (as Velero does for every SA).
 */
export interface SkipRuleContext {
  /** "namespace/name" of every backed-up Service that has a selector. */
  readonly servicesWithSelector: ReadonlySet<string>;
  /** The namespace an item's source namespace maps to. */
  readonly targetNamespaceOf: (source: string) => string;
  /** PVs whose claims are provisioned anew: from their CSI snapshots, or empty (restoreVolumeData false). */
  readonly provisionedVolumes: ReadonlySet<string>;
  readonly restoreVolumeData: boolean;
}

export type SkipRule = (item: ItemMeta, ctx: SkipRuleContext) => SkipDecision | undefined;

/** Namespaces every cluster has; their Namespace objects are not re-created, their contents are restored. */
export const SYSTEM_NAMESPACES: ReadonlySet<string> = new Set([
  "default",
  "kube-system",
  "kube-public",
  "kube-node-lease",
]);

const ENDPOINTSLICE_MANAGED_BY = "endpointslice.kubernetes.io/managed-by";
const CONTROLLER_MANAGED_SLICES = new Set([
  "endpointslice-controller.k8s.io",
  "endpointslicemirroring-controller.k8s.io",
]);
const AUTOMANAGED_APISERVICE = "kube-aggregator.kubernetes.io/automanaged";

const recreated = (message: string): SkipDecision => ({
  action: "skip",
  reason: "cluster-recreates",
  message,
});

export function systemNamespace(item: ItemMeta, ctx: SkipRuleContext): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.namespaces) return undefined;
  const target = ctx.targetNamespaceOf(item.name);
  if (!SYSTEM_NAMESPACES.has(target)) return undefined;
  return recreated(`namespace ${target} exists in every cluster; its contents are restored into it`);
}

/** The kubelet creates a mirror pod for each static pod on its node; the API copy cannot be restored. */
export function mirrorPod(item: ItemMeta): SkipDecision | undefined {
  if (item.facts?.kind !== "pod" || !item.facts.mirror) return undefined;
  return recreated(`${describeItem(item)} mirrors a static pod; the kubelet of its node creates it`);
}

/** A pod that ran to completion would run again (and a Failed one fail again) if restored. */
export function completedPod(item: ItemMeta): SkipDecision | undefined {
  if (item.facts?.kind !== "pod") return undefined;
  const phase = item.facts.phase;
  if (phase !== "Succeeded" && phase !== "Failed") return undefined;
  return {
    action: "skip",
    reason: "completed",
    message: `${describeItem(item)} had finished (phase ${phase})`,
  };
}

export function finishedJob(item: ItemMeta): SkipDecision | undefined {
  if (item.facts?.kind !== "job" || item.facts.finished === undefined) return undefined;
  return {
    action: "skip",
    reason: "completed",
    message: `${describeItem(item)} had finished (${item.facts.finished}); restoring it would run it again`,
  };
}

/**
 * Before Kubernetes 1.24 the token controller created a Secret "<sa>-token-<5 chars>"
 * for every ServiceAccount. Those tokens are signed by the old cluster's key and name the
 * old ServiceAccount uid, so they are useless; clusters that still auto-create them will
 * do so again, and newer ones mount projected tokens instead. Token Secrets a user
 * created by hand (the way to get a long-lived token since 1.24) are NOT recreated by
 * anyone, so they are restored, emptied, and the token controller fills in a new token
 * (see clean/secret.ts). Skipping every token Secret would lose these.
 */
export function legacyServiceAccountToken(item: ItemMeta): SkipDecision | undefined {
  if (item.facts?.kind !== "secret" || item.facts.secretType !== "kubernetes.io/service-account-token")
    return undefined;
  const sa = item.facts.serviceAccountName;
  if (sa === undefined || !isLegacyTokenName(item.name, sa)) return undefined;
  return recreated(`${describeItem(item)} is the auto-generated token of ServiceAccount ${sa}`);
}

export function isLegacyTokenName(secretName: string, serviceAccountName: string): boolean {
  const prefix = `${serviceAccountName}-token-`;
  return secretName.startsWith(prefix) && /^[a-z0-9]{5}$/.test(secretName.slice(prefix.length));
}

/**
 * The root-ca-cert-publisher controller writes the cluster's CA bundle into this ConfigMap
 * in every namespace. The backed-up one holds the OLD cluster's CA: restoring it would
 * hand pods a wrong CA until the controller overwrites it.
 */
export function rootCaConfigMap(item: ItemMeta): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.configMaps || item.name !== "kube-root-ca.crt") return undefined;
  return recreated(`${describeItem(item)} is published in every namespace with the cluster's own CA`);
}

/** EndpointSlices of Services with selectors (and mirrors of custom Endpoints) are written by controllers. */
export function controllerManagedEndpointSlice(item: ItemMeta): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.endpointSlices) return undefined;
  const managedBy = item.labels?.[ENDPOINTSLICE_MANAGED_BY];
  if (managedBy === undefined || !CONTROLLER_MANAGED_SLICES.has(managedBy)) return undefined;
  return recreated(`${describeItem(item)} is maintained by ${managedBy}`);
}

/**
 * The endpoints controller owns the Endpoints of every Service with a selector (same
 * name). A restored copy would list the old cluster's pod IPs until it is rewritten.
 * Endpoints of selector-less Services are hand-written and are restored.
 */
export function controllerManagedEndpoints(item: ItemMeta, ctx: SkipRuleContext): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.endpoints) return undefined;
  if (!ctx.servicesWithSelector.has(`${item.namespace ?? ""}/${item.name}`)) return undefined;
  return recreated(
    `${describeItem(item)} belongs to a Service with a selector; the endpoints controller writes it`,
  );
}

/**
 * default/kubernetes is the API server's own Service (selector-less, first IP of the
 * service range); the API server writes its Endpoints and EndpointSlice itself.
 */
export function apiServerService(item: ItemMeta): SkipDecision | undefined {
  if (item.namespace !== "default" || item.name !== "kubernetes") return undefined;
  const resource = groupResource(item.type);
  if (resource !== GR.services && resource !== GR.endpoints && resource !== GR.endpointSlices)
    return undefined;
  return recreated(`${describeItem(item)} is maintained by the API server`);
}

/** The API server registers an APIService for each built-in group version (label automanaged). */
export function automanagedApiService(item: ItemMeta): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.apiServices || item.labels?.[AUTOMANAGED_APISERVICE] === undefined) {
    return undefined;
  }
  return recreated(`${describeItem(item)} is registered by the API server for a built-in API`);
}

/** The API server creates the default ServiceCIDR "kubernetes" from its --service-cluster-ip-range flag. */
export function defaultServiceCidr(item: ItemMeta): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.serviceCidrs || item.name !== "kubernetes") return undefined;
  return recreated(`${describeItem(item)} is created by the API server from its service range`);
}

/** The CSI provisioner makes a new volume from the snapshot; the old PV names a volume that may be gone. */
export function volumeFromSnapshot(item: ItemMeta, ctx: SkipRuleContext): SkipDecision | undefined {
  if (groupResource(item.type) !== GR.persistentVolumes || !ctx.provisionedVolumes.has(item.name))
    return undefined;
  return recreated(
    ctx.restoreVolumeData
      ? `${describeItem(item)} is provisioned anew from its claim's CSI snapshot`
      : `${describeItem(item)} is provisioned anew, empty: volume data is not restored (restorePVs false)`,
  );
}

export const SKIP_RULES: readonly SkipRule[] = [
  systemNamespace,
  mirrorPod,
  completedPod,
  finishedJob,
  legacyServiceAccountToken,
  rootCaConfigMap,
  controllerManagedEndpointSlice,
  controllerManagedEndpoints,
  apiServerService,
  automanagedApiService,
  defaultServiceCidr,
  volumeFromSnapshot,
];

/** The first rule that skips the item, or undefined when the cluster will not make it by itself. */
export function intrinsicSkip(item: ItemMeta, ctx: SkipRuleContext): SkipDecision | undefined {
  for (const rule of SKIP_RULES) {
    const decision = rule(item, ctx);
    if (decision !== undefined) return decision;
  }
  return undefined;
}
