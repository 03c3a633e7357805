import { isBuiltInGroup } from "./resources.js";

/**
 * Restore order. Items are created tier by tier; the resources inside one tier do not
 * depend on each other and may be created in parallel. Order matters because the API
 * server and controllers act on what exists at the moment something is created.
 */
export interface RestoreTier {
  /** Group-resources of this tier, alphabetical; only those with items to restore. */
  readonly resources: readonly string[];
  /** What the apply step must wait for before starting the next tier. */
  readonly waitFor: "nothing" | "crds-established";
}

/** The fixed head of the order; a row is one tier. */
const HEAD: readonly (readonly string[])[] = [
  // Custom resources cannot be created until their CRD is Established (names accepted,
  // served); the apply step waits for that condition before going on (Velero #964).
  ["customresourcedefinitions.apiextensions.k8s.io"],
  // Everything namespaced needs its namespace.
  ["namespaces"],
  // PVCs name their StorageClass; dynamic provisioning starts the moment a PVC appears.
  ["storageclasses.storage.k8s.io"],
  // CSI snapshot objects before the volumes that may be restored from them (Velero's order).
  ["volumesnapshotclasses.snapshot.storage.k8s.io"],
  ["volumesnapshotcontents.snapshot.storage.k8s.io"],
  ["volumesnapshots.snapshot.storage.k8s.io"],
  // A PV before its claim, so the claim binds to it instead of provisioning a new volume.
  ["persistentvolumes"],
  ["persistentvolumeclaims"],
  // ServiceAccounts before Secrets (as in Velero): the token controller deletes a
  // service-account-token Secret whose ServiceAccount does not exist yet.
  ["serviceaccounts"],
  ["configmaps", "secrets"],
  // LimitRanges default and bound pod resources at admission; quotas count what follows.
  ["limitranges", "resourcequotas"],
  // Roles before bindings: without the `bind` verb, creating a binding is allowed only
  // when the referenced role exists and grants nothing the creator lacks.
  ["clusterroles.rbac.authorization.k8s.io", "roles.rbac.authorization.k8s.io"],
  ["clusterrolebindings.rbac.authorization.k8s.io", "rolebindings.rbac.authorization.k8s.io"],
  // Pods naming a missing PriorityClass are rejected by the Priority admission plugin.
  ["priorityclasses.scheduling.k8s.io"],
  // Endpoints before Services (Velero): a selector-less Service's hand-written Endpoints
  // exist before anything routes to it.
  ["endpoints", "endpointslices.discovery.k8s.io"],
  // Services before workloads: the kubelet injects <SVC>_SERVICE_HOST variables only for
  // Services that exist when a pod starts.
  ["services"],
];

/** The remaining built-in kinds (alphabetical) go here, between HEAD and WORKLOADS. */

/**
 * Pods first, then controllers before what they own, so owned items find their owner (and
 * its new uid). A pod whose controller is restored is restored only for its volume data
 * (see carriesState), and must exist before that controller: created after, it would meet
 * the pod the controller had just made (a StatefulSet's pod of the same name; a surplus pod
 * for a ReplicaSet, which then deletes the newest, ours). Created first, it is adopted by
 * its labels, as Velero's order (pods before replicasets) also has it.
 */
const WORKLOADS: readonly (readonly string[])[] = [
  ["pods"],
  ["cronjobs.batch", "daemonsets.apps", "deployments.apps", "replicationcontrollers", "statefulsets.apps"],
  ["controllerrevisions.apps", "jobs.batch", "replicasets.apps"],
];

/** Custom resources (alphabetical) go here: their CRDs are Established, and the operators that
 * serve their conversion webhooks were just created as workloads and have had time to start. */

/**
 * Last: admission webhooks and aggregated APIs. A webhook whose backend pods are not
 * running yet (failurePolicy Fail) would reject every create it intercepts, and an
 * APIService without a backend breaks discovery; created last, they cannot block the
 * restore. Cost: pods created before them miss their mutations (e.g. sidecar injection)
 * until restarted; pods created later by restored controllers get them.
 */
const TAIL: readonly string[] = [
  "apiservices.apiregistration.k8s.io",
  "mutatingadmissionpolicies.admissionregistration.k8s.io",
  "mutatingadmissionpolicybindings.admissionregistration.k8s.io",
  "mutatingwebhookconfigurations.admissionregistration.k8s.io",
  "validatingadmissionpolicies.admissionregistration.k8s.io",
  "validatingadmissionpolicybindings.admissionregistration.k8s.io",
  "validatingwebhookconfigurations.admissionregistration.k8s.io",
];

const FIXED_SLOT = new Map<string, number>();
HEAD.forEach((row, index) => {
  for (const resource of row) FIXED_SLOT.set(resource, index);
});
const OTHER_BUILT_IN_SLOT = HEAD.length;
WORKLOADS.forEach((row, index) => {
  for (const resource of row) FIXED_SLOT.set(resource, OTHER_BUILT_IN_SLOT + 1 + index);
});
const CUSTOM_SLOT = OTHER_BUILT_IN_SLOT + 1 + WORKLOADS.length;
const TAIL_SLOT = CUSTOM_SLOT + 1;
for (const resource of TAIL) FIXED_SLOT.set(resource, TAIL_SLOT);

/** Where a group-resource falls in the full order; lower restores earlier. */
export function orderSlot(resource: string): number {
  const fixed = FIXED_SLOT.get(resource);
  if (fixed !== undefined) return fixed;
  const dot = resource.indexOf(".");
  const group = dot === -1 ? "" : resource.slice(dot + 1);
  return isBuiltInGroup(group) ? OTHER_BUILT_IN_SLOT : CUSTOM_SLOT;
}

/** Tiers for the given group-resources: empty slots dropped, resources sorted inside a tier. */
export function buildTiers(resources: Iterable<string>): RestoreTier[] {
  const bySlot = new Map<number, Set<string>>();
  for (const resource of resources) {
    const slot = orderSlot(resource);
    const set = bySlot.get(slot) ?? new Set<string>();
    set.add(resource);
    bySlot.set(slot, set);
  }
  return [...bySlot.entries()]
    .sort(([a], [b]) => a - b)
    .map(([slot, set]) => ({
      resources: [...set].sort(),
      waitFor: slot === 0 ? "crds-established" : "nothing",
    }));
}
