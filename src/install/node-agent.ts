/**
 * The node agent's part of an install (`kubesnap install --use-node-agent`): a DaemonSet
 * that runs `kubesnap node-agent` on every node, with the kubelet's pod directories mounted
 * from the host, its own ServiceAccount and only the rights it needs (the server's broad
 * rights stay with the server). It must run as root with a hostPath volume, which the
 * restricted Pod Security level forbids: see manifests.ts for what that does to the
 * namespace.
 */
import type { KubeObject } from "../core/kube-types.js";
import { NODE_AGENT_THREADS } from "../nodeagent/index.js";
import { COMPONENT_LABEL, NAME_LABEL, type Names } from "./names.js";
import type { ExplainedRule } from "./rbac.js";

export const NODE_AGENT_NAME = "kubesnap-node-agent";
export const NODE_AGENT_SELECTOR = { [NAME_LABEL]: "kubesnap", [COMPONENT_LABEL]: "node-agent" };
/** Where the host's kubelet root is mounted in the agent's container. */
const HOST_KUBELET = "/host/kubelet";

/** Cluster-wide, bound by ClusterRole "<install>-node-agent". */
export const NODE_AGENT_CLUSTER_RULES: readonly ExplainedRule[] = [
  {
    rule: { apiGroups: [""], resources: ["pods", "persistentvolumeclaims"], verbs: ["get"] },
    why:
      "Before reading or writing a pod's volume the agent checks the pod is still the one asked for (its " +
      "UID) and runs on its node, and finds a claim's PersistentVolume, which names the volume's directory. " +
      "It lists nothing and changes nothing outside its namespace.",
  },
];

/** In the install's namespace, bound by Role "kubesnap-node-agent". */
export const NODE_AGENT_RULES: readonly ExplainedRule[] = [
  {
    rule: {
      apiGroups: ["kubesnap.io"],
      resources: ["podvolumebackups", "podvolumerestores"],
      verbs: ["get", "list", "watch"],
    },
    why: "The agent takes its work from the PodVolumeBackups and PodVolumeRestores the server makes.",
  },
  {
    rule: {
      apiGroups: ["kubesnap.io"],
      resources: ["podvolumebackups/status", "podvolumerestores/status"],
      verbs: ["patch"],
    },
    why: "It reports phase and progress through the status subresource.",
  },
  {
    rule: { apiGroups: ["kubesnap.io"], resources: ["backupstoragelocations"], verbs: ["get", "list"] },
    why: "It writes a volume's files to the backup's location, and reads them from there on restore.",
  },
  {
    rule: { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
    why: "The location's credentials (and encryption key) are read when used, as the server reads them.",
  },
];

export interface NodeAgentOptions {
  readonly namespace: string;
  readonly image: string;
  readonly labels: Record<string, string>;
  readonly names: Names;
  /** The kubelet's --root-dir on the nodes (/var/lib/kubelet on most distributions). */
  readonly kubeletRoot: string;
}

export function nodeAgentObjects(options: NodeAgentOptions): KubeObject[] {
  const { namespace, labels, names } = options;
  const subject = { kind: "ServiceAccount", name: NODE_AGENT_NAME, namespace };
  const explain = (rules: readonly ExplainedRule[]) => ({
    "kubesnap.io/why": rules.map((r, i) => `rule ${i + 1}: ${r.why}`).join("\n"),
  });
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: NODE_AGENT_NAME, namespace, labels } },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name: names.nodeAgentClusterRole, labels, annotations: explain(NODE_AGENT_CLUSTER_RULES) },
      rules: NODE_AGENT_CLUSTER_RULES.map((r) => r.rule),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name: names.nodeAgentClusterRole, labels },
      roleRef: {
        apiGroup: "rbac.authorization.k8s.io",
        kind: "ClusterRole",
        name: names.nodeAgentClusterRole,
      },
      subjects: [subject],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: NODE_AGENT_NAME, namespace, labels, annotations: explain(NODE_AGENT_RULES) },
      rules: NODE_AGENT_RULES.map((r) => r.rule),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: NODE_AGENT_NAME, namespace, labels },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: NODE_AGENT_NAME },
      subjects: [subject],
    },
    nodeAgentDaemonSet(options),
  ];
}

function nodeAgentDaemonSet(options: NodeAgentOptions): KubeObject {
  const { namespace, labels } = options;
  const podLabels = { ...labels, ...NODE_AGENT_SELECTOR };
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name: NODE_AGENT_NAME, namespace, labels: podLabels },
    spec: {
      selector: { matchLabels: NODE_AGENT_SELECTOR },
      template: {
        metadata: { labels: podLabels },
        spec: {
          serviceAccountName: NODE_AGENT_NAME,
          // On every node, tainted ones too: their pods have volumes as well.
          tolerations: [{ operator: "Exists" }],
          containers: [
            {
              name: "node-agent",
              image: options.image,
              args: [
                "node-agent",
                "--namespace",
                namespace,
                "--kubelet-root",
                HOST_KUBELET,
                "--node-name",
                "$(NODE_NAME)",
              ],
              env: [
                { name: "NODE_NAME", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
                { name: "HOME", value: "/tmp" },
                // Read by Node at start-up: restores keep many file creations in flight (restore.ts).
                { name: "UV_THREADPOOL_SIZE", value: String(NODE_AGENT_THREADS) },
              ],
              securityContext: {
                // Root with just the capabilities to read every file of a volume (DAC_READ_SEARCH,
                // DAC_OVERRIDE), give restored files their owners (CHOWN, FSETID keeps setuid bits)
                // and set their times and O_NOATIME on others' files (FOWNER). Not privileged.
                runAsUser: 0,
                runAsNonRoot: false,
                allowPrivilegeEscalation: false,
                readOnlyRootFilesystem: true,
                capabilities: {
                  drop: ["ALL"],
                  add: ["CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID"],
                },
              },
              resources: {
                // Memory is bounded whatever the file sizes: a few packs and chunks in flight.
                requests: { cpu: "100m", memory: "256Mi" },
                limits: { memory: "1Gi" },
              },
              volumeMounts: [
                // HostToContainer: volumes the kubelet mounts after the agent started are seen too.
                {
                  name: "kubelet-pods",
                  mountPath: `${HOST_KUBELET}/pods`,
                  mountPropagation: "HostToContainer",
                },
                { name: "tmp", mountPath: "/tmp" },
              ],
            },
          ],
          volumes: [
            { name: "kubelet-pods", hostPath: { path: `${options.kubeletRoot}/pods`, type: "Directory" } },
            { name: "tmp", emptyDir: {} },
          ],
        },
      },
    },
  };
}
