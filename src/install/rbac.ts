/**
 * The rights of the server's ServiceAccount, each rule with the reason it exists. The rules are
 * data (BACKUP_RULES, RESTORE_RULES, serverRules) that the install, its annotations and the
 * tests all read.
 *
 * What the cluster-wide rules amount to, plainly: reading every resource includes every Secret,
 * and creating any kind in any namespace includes Pods that run as any ServiceAccount; "*" in
 * an RBAC rule also matches subresources (get pods/log and nodes/proxy, create
 * serviceaccounts/token and pods/exec), and RBAC has no way to say "except". A tool
 * that can back up and restore a whole cluster holds, in effect, the keys to it; what least
 * privilege buys here is no delete (but of the CSI snapshot objects kubesnap makes), no update,
 * no escalate/bind/impersonate, and kubesnap's own writes confined to its namespace. Keep that
 * namespace admin-only (install labels it with the restricted Pod Security level), and narrow
 * the restore rule where you can.
 */
import { KINDS } from "../api/index.js";
import type { KubeObject } from "../core/kube-types.js";
import { WEBHOOK_TLS_SECRET } from "../server/certs.js";
import { webhookConfigurationName } from "../server/webhook-config.js";
import { LEADER_ELECTION_LEASE, type Names, SERVER_NAME } from "./names.js";

export interface PolicyRule {
  readonly apiGroups: readonly string[];
  readonly resources: readonly string[];
  readonly verbs: readonly string[];
  readonly resourceNames?: readonly string[];
}

export interface ExplainedRule {
  readonly rule: PolicyRule;
  readonly why: string;
}

const KUBESNAP_RESOURCES = KINDS.map((k) => k.plural);

/** Cluster-wide, bound by ClusterRole "<install>-backup": what a backup reads. */
export const BACKUP_RULES: readonly ExplainedRule[] = [
  {
    rule: { apiGroups: ["*"], resources: ["*"], verbs: ["get", "list"] },
    why:
      "A backup reads every object of every resource it selects, in every namespace, including " +
      'custom resources whose types appear after install: RBAC cannot name "whatever the cluster ' +
      'serves" any other way. Discovery, the CRDs a restore waits for and the namespaces a restore ' +
      "checks are read through this rule too.",
  },
  {
    rule: { apiGroups: ["*"], resources: ["*"], verbs: ["watch"] },
    why:
      "Triggers follow the resources they name (any kind, custom resources included, in the namespaces " +
      "they choose) to take a backup when those change. It reads nothing the rule above does not; " +
      "remove it if you use no triggers.",
  },
  {
    rule: {
      apiGroups: ["snapshot.storage.k8s.io"],
      resources: ["volumesnapshots"],
      verbs: ["create", "delete"],
    },
    why:
      "CSI snapshots: a backup creates a VolumeSnapshot of each PVC it snapshots and deletes it once " +
      "the snapshot is ready (or has failed), keeping its content; a VolumeSnapshot left in the PVC's " +
      "namespace would delete the snapshot with the namespace. A restore deletes the VolumeSnapshot " +
      "it provisioned a claim from once the claim is bound.",
  },
  {
    rule: {
      apiGroups: ["snapshot.storage.k8s.io"],
      resources: ["volumesnapshotclasses"],
      verbs: ["create"],
    },
    why:
      "A backup snapshots with the Retain twin of the chosen class (kubesnap-retain-CLASS, made once), " +
      "so the snapshot outlives the VolumeSnapshot it deletes, whatever the class's own policy.",
  },
  {
    rule: {
      apiGroups: ["snapshot.storage.k8s.io"],
      resources: ["volumesnapshotcontents"],
      verbs: ["patch", "delete"],
    },
    why:
      "A backup keeps each snapshot by setting its VolumeSnapshotContent's deletionPolicy to Retain; " +
      "deleting (or expiring) the backup sets it back to Delete and deletes the content, which " +
      "deletes the driver's snapshot. A restore creates the contents it provisions from through the " +
      "restore rule, and deletes them (Retain: the snapshot stays) once its claims are bound.",
  },
];

/** Cluster-wide, bound by ClusterRole "<install>-restore": what a restore writes. */
export const RESTORE_RULES: readonly ExplainedRule[] = [
  {
    rule: { apiGroups: ["*"], resources: ["*"], verbs: ["create", "patch"] },
    why:
      "A restore creates whatever the backup holds (any kind, in any namespace, custom resources " +
      "included, whose types may only exist once the restore has created their CRDs) and, with " +
      "existingResourcePolicy=update or when it re-links owner references, merge-patches what " +
      'exists. RBAC cannot grant "the kinds in this backup", so the rule covers every group. It ' +
      "grants no delete and no update; Kubernetes still refuses Roles and bindings that grant more " +
      "than the server holds (its escalation check), so such items fail one by one. To narrow it, " +
      "list only the groups and resources you restore, or delete the binding on a cluster that is " +
      "only ever backed up.",
  },
];

/** In the server's namespace, bound by Role "kubesnap": the server's own work. */
export function serverRules(): readonly ExplainedRule[] {
  return [
    {
      rule: {
        apiGroups: ["kubesnap.io"],
        resources: KUBESNAP_RESOURCES,
        verbs: ["get", "list", "watch", "update", "patch"],
      },
      why:
        "The controllers watch kubesnap's objects in this namespace (never elsewhere) and update " +
        "their labels and finalizers.",
    },
    {
      rule: { apiGroups: ["kubesnap.io"], resources: ["backups", "deletebackuprequests"], verbs: ["create"] },
      why:
        "Schedules and Triggers create Backups; the bucket sync recreates Backup objects found in a " +
        "location; an expired backup gets a DeleteBackupRequest.",
    },
    {
      rule: {
        apiGroups: ["kubesnap.io"],
        resources: ["podvolumebackups", "podvolumerestores"],
        verbs: ["create"],
      },
      why:
        "A backup hands each pod volume it copies to the node agent of the pod's node as a PodVolumeBackup; a " +
        "restore hands each restored pod volume over as a PodVolumeRestore.",
    },
    {
      rule: {
        apiGroups: ["kubesnap.io"],
        resources: ["backups", "restores", "deletebackuprequests", "downloadrequests"],
        verbs: ["delete"],
      },
      why:
        "A DeleteBackupRequest removes the Backup and the Restores made from it; processed requests " +
        "and expired DownloadRequests are cleaned up.",
    },
    {
      rule: {
        apiGroups: ["kubesnap.io"],
        resources: KUBESNAP_RESOURCES.map((r) => `${r}/status`),
        verbs: ["get", "update", "patch"],
      },
      why: "Phases, progress and results are written through the status subresource.",
    },
    {
      rule: {
        apiGroups: ["kubesnap.io"],
        resources: KUBESNAP_RESOURCES.map((r) => `${r}/finalizers`),
        verbs: ["update"],
      },
      why:
        "Backups a Schedule creates name it as their owner; clusters that enforce owner-reference " +
        "permissions (OwnerReferencesPermissionEnforcement, e.g. OpenShift) require this to set " +
        "blockOwnerDeletion.",
    },
    {
      rule: { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
      why:
        "The credentials a BackupStorageLocation names (spec.credential) are read when used, so a " +
        "rotated key needs no restart and never passes through the Deployment's environment.",
    },
    {
      rule: { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
      why: "Leader election: the first replica creates the lease (create cannot be limited by name).",
    },
    {
      rule: {
        apiGroups: ["coordination.k8s.io"],
        resources: ["leases"],
        resourceNames: [LEADER_ELECTION_LEASE],
        verbs: ["get", "update", "patch"],
      },
      why: "Leader election: replicas read and renew that one lease, and no other.",
    },
    {
      rule: { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["create", "patch"] },
      why:
        "What happens to each Backup and Restore is recorded as Events on it (`kubectl describe`); " +
        "patch lets repeated events be counted instead of duplicated.",
    },
    {
      rule: { apiGroups: [""], resources: ["secrets"], verbs: ["create"] },
      why:
        "Pre-delete protection: the first replica creates the Secret holding the webhook's CA and " +
        "serving certificate (create cannot be limited by name).",
    },
    {
      rule: {
        apiGroups: [""],
        resources: ["secrets"],
        resourceNames: [WEBHOOK_TLS_SECRET],
        verbs: ["update"],
      },
      why: "Pre-delete protection: replicas rotate the webhook's certificates in that one Secret, and no other.",
    },
  ];
}

/** Cluster-wide, in ClusterRole "<install>-backup" beside BACKUP_RULES: registering the pre-delete webhook. */
export function preDeleteRules(names: Names): readonly ExplainedRule[] {
  const group = "admissionregistration.k8s.io";
  return [
    {
      rule: { apiGroups: [group], resources: ["validatingwebhookconfigurations"], verbs: ["create"] },
      why:
        "Pre-delete protection: the leader registers the webhook that sends DELETEs of protected " +
        "namespaces and CRDs to the server (create cannot be limited by name).",
    },
    {
      rule: {
        apiGroups: [group],
        resources: ["validatingwebhookconfigurations"],
        resourceNames: [webhookConfigurationName(names.namespace)],
        verbs: ["patch"],
      },
      why:
        "Pre-delete protection: the leader keeps that one webhook configuration current (its CA bundle " +
        "rotates) by server-side apply; no other webhook is touched.",
    },
  ];
}

/**
 * The repeated rights (cluster rules already read Secrets; the restore rule already creates
 * Events) are on purpose: narrowing the backup or restore rules must never break the server's
 * own work.
 */
export function rbacObjects(names: Names, labels: Record<string, string>): KubeObject[] {
  const subject = { kind: "ServiceAccount", name: SERVER_NAME, namespace: names.namespace };
  const clusterRole = (name: string, rules: readonly ExplainedRule[]): KubeObject[] => [
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels, annotations: explain(rules) },
      rules: rules.map((r) => r.rule),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [subject],
    },
  ];
  const own = serverRules();
  return [
    ...clusterRole(names.backupClusterRole, [...BACKUP_RULES, ...preDeleteRules(names)]),
    ...clusterRole(names.restoreClusterRole, RESTORE_RULES),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: SERVER_NAME, namespace: names.namespace, labels, annotations: explain(own) },
      rules: own.map((r) => r.rule),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: SERVER_NAME, namespace: names.namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SERVER_NAME },
      subjects: [subject],
    },
  ];
}

/** The reasons travel with the role (`kubectl describe` shows them), numbered like its rules. */
function explain(rules: readonly ExplainedRule[]): Record<string, string> {
  return {
    "kubesnap.io/why": rules.map((r, i) => `rule ${i + 1}: ${r.why}`).join("\n"),
  };
}
