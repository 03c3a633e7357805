import { groupResource, type ResourceType } from "../../core/kube-types.js";

/**
 * Group-resource names ("deployments.apps", "pods") the planner treats specially.
 * Names are what `groupResource()` returns, so they compare directly with items.
 */
export const GR = {
  crds: "customresourcedefinitions.apiextensions.k8s.io",
  namespaces: "namespaces",
  persistentVolumes: "persistentvolumes",
  persistentVolumeClaims: "persistentvolumeclaims",
  pods: "pods",
  secrets: "secrets",
  configMaps: "configmaps",
  serviceAccounts: "serviceaccounts",
  services: "services",
  endpoints: "endpoints",
  endpointSlices: "endpointslices.discovery.k8s.io",
  jobs: "jobs.batch",
  apiServices: "apiservices.apiregistration.k8s.io",
  serviceCidrs: "servicecidrs.networking.k8s.io",
} as const;

/** The API group of kubesnap's own resources (Backup, Restore, Schedule…). */
export const KUBESNAP_GROUP = "kubesnap.io";

/**
 * Resources never restored, whatever the filters say. Naming one in
 * includeResources is an error, as in Velero. Each has a reason:
 */
export const NEVER_RESTORED: ReadonlyMap<string, string> = new Map([
  // Nodes are machines: a restored Node object with no kubelet behind it is marked
  // NotReady and its "pods" are evicted. Nodes register themselves.
  ["nodes", "nodes register themselves with the cluster"],
  // Events are a log of what happened in the old cluster, not state; both APIs serve the same objects.
  ["events", "events describe the old cluster's history, not its state"],
  ["events.events.k8s.io", "events describe the old cluster's history, not its state"],
  // Per-node CSI and attach state is written by kubelets and the attach/detach controller.
  ["csinodes.storage.k8s.io", "kubelets write CSINode objects for their own node"],
  ["volumeattachments.storage.k8s.io", "the attach/detach controller creates attachments for running pods"],
  // Published by CSI drivers (external-provisioner) per topology segment of the new cluster.
  ["csistoragecapacities.storage.k8s.io", "CSI drivers publish capacity for the new cluster's topology"],
  // Leases are leader-election locks and node heartbeats: meaningful only while their holder
  // runs. Every holder re-creates its lease on start; a restored node lease would point at a
  // node that does not exist and linger (its owner reference to the Node is dropped).
  ["leases.coordination.k8s.io", "leases belong to running processes, which re-create them"],
  // The API server creates one IPAddress per allocated ClusterIP; restored ones would reserve
  // the old cluster's IPs until the repair loop removes them.
  ["ipaddresses.networking.k8s.io", "the API server allocates one per Service ClusterIP"],
  // DRA drivers publish the devices of each node.
  ["resourceslices.resource.k8s.io", "DRA drivers publish devices of each node"],
  // Read-only health report computed on request.
  ["componentstatuses", "the API server computes component status on request"],
]);

/** Whole groups never restored: kubesnap's own state, and read-only metrics. */
export const NEVER_RESTORED_GROUPS: ReadonlyMap<string, string> = new Map([
  [
    KUBESNAP_GROUP,
    "kubesnap's own resources describe backups and restores; restoring them would re-run or corrupt them",
  ],
  ["metrics.k8s.io", "metrics are computed live by metrics-server"],
]);

/** Why a resource is never restored, or undefined when it may be. */
export function neverRestoredReason(type: Pick<ResourceType, "group" | "resource">): string | undefined {
  return NEVER_RESTORED.get(groupResource(type)) ?? NEVER_RESTORED_GROUPS.get(type.group);
}

/**
 * API groups served by Kubernetes itself. Everything else is a custom resource
 * (or an aggregated API) and is ordered after built-in kinds.
 */
const BUILT_IN_GROUPS = new Set([
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "internal.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
  "storagemigration.k8s.io",
]);

export function isBuiltInGroup(group: string): boolean {
  return BUILT_IN_GROUPS.has(group);
}

/**
 * Does a user-typed resource name select this resource? "*" selects everything;
 * "deployments.apps" selects exactly that group-resource. A name without a dot
 * ("deployments", "pods") selects that plural in any group, the way `kubectl get
 * deployments` finds apps/v1 without being told: users type it that way, and an
 * exclusion that silently matched nothing would restore what they meant to leave out.
 * Names are case-insensitive because resource names are always lower case.
 */
export function resourceNameMatches(name: string, type: Pick<ResourceType, "group" | "resource">): boolean {
  const wanted = name.trim().toLowerCase();
  if (wanted === "*") return true;
  if (wanted === groupResource(type)) return true;
  return !wanted.includes(".") && wanted === type.resource;
}

export function resourceNamesMatch(
  names: readonly string[],
  type: Pick<ResourceType, "group" | "resource">,
): boolean {
  return names.some((name) => resourceNameMatches(name, type));
}
