/**
 * Names of what `kubesnap install` creates. Namespaced objects share the name "kubesnap";
 * cluster-scoped ones carry the namespace, so installs in two namespaces do not collide
 * (they share only the CRDs).
 */
export const SERVER_NAME = "kubesnap";
export const CREDENTIALS_SECRET = "kubesnap-credentials";
/** The Secret key holding the AWS-style credentials file (Velero's name for it). */
export const CREDENTIALS_KEY = "cloud";
export const DEFAULT_LOCATION = "default";
/** The one Lease the server's replicas elect a leader with; the Role grants only this one. */
export const LEADER_ELECTION_LEASE = "kubesnap-server";
/** The server serves /metrics, /healthz and /readyz on this port. */
export const SERVER_PORT = 8085;

/** Labels every object gets; the first two select the server's Pods and never change. */
export const NAME_LABEL = "app.kubernetes.io/name";
export const COMPONENT_LABEL = "app.kubernetes.io/component";
export const INSTANCE_LABEL = "app.kubernetes.io/instance";

export interface Names {
  readonly namespace: string;
  readonly backupClusterRole: string;
  readonly restoreClusterRole: string;
  readonly nodeAgentClusterRole: string;
}

export function installNames(namespace: string): Names {
  return {
    namespace,
    backupClusterRole: `kubesnap-${namespace}-backup`,
    restoreClusterRole: `kubesnap-${namespace}-restore`,
    nodeAgentClusterRole: `kubesnap-${namespace}-node-agent`,
  };
}

/** The Secret (and its key) holding the default location's encryption key, with --encryption-key-file. */
export const ENCRYPTION_SECRET = "kubesnap-encryption-key";
export const ENCRYPTION_KEY = "key";
