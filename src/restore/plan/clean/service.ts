import type { KubeObject } from "../../../core/kube-types.js";
import { getArray, getRecord, isRecord } from "../json.js";

/**
 * Services. A clusterIP is allocated from the service range of the cluster that
 * created it; in another cluster it may be outside the range or taken, and the create
 * fails. Headless Services ("None") keep it: it is not an address but a mode.
 * ExternalName Services have no IP and no ports to clear; they are left untouched.
 */
export function clearClusterIps(service: KubeObject): void {
  const spec = getRecord(service, "spec");
  if (spec === undefined || spec.type === "ExternalName") return;
  if (spec.clusterIP === "None") return;
  delete spec.clusterIP;
  delete spec.clusterIPs;
}

/**
 * Node ports are allocated cluster-wide; a restored one may already be taken. They are
 * cleared so the cluster allocates new ones, unless the user asked to preserve them, or
 * the port was set explicitly by whoever created the Service (it appears in the
 * last-applied-configuration or in a managedFields entry; values the server allocated
 * appear in neither). Velero follows the same rule. healthCheckNodePort (LoadBalancer
 * with externalTrafficPolicy Local) is allocated the same way and treated the same.
 */
export function clearNodePorts(service: KubeObject, ctx: { readonly preserveNodePorts: boolean }): void {
  const spec = getRecord(service, "spec");
  if (spec === undefined || spec.type === "ExternalName" || ctx.preserveNodePorts) return;
  const explicit = explicitNodePorts(service);
  for (const port of getArray(spec, "ports") ?? []) {
    if (isRecord(port) && port.nodePort !== undefined && !explicit.ports.has(portKey(port)))
      delete port.nodePort;
  }
  if (spec.healthCheckNodePort !== undefined && !explicit.healthCheckNodePort)
    delete spec.healthCheckNodePort;
}

export interface ExplicitNodePorts {
  /** "port/protocol" of ports whose nodePort a client set. */
  readonly ports: ReadonlySet<string>;
  readonly healthCheckNodePort: boolean;
}

/** Which node ports were set by a client rather than allocated by the server. */
export function explicitNodePorts(service: KubeObject): ExplicitNodePorts {
  const ports = new Set<string>();
  let healthCheckNodePort = false;

  const lastApplied = service.metadata.annotations?.["kubectl.kubernetes.io/last-applied-configuration"];
  if (lastApplied !== undefined) {
    const applied = parseJson(lastApplied);
    for (const port of getArray(applied, "spec", "ports") ?? []) {
      if (isRecord(port) && port.nodePort !== undefined) ports.add(portKey(port));
    }
    if (getRecord(applied, "spec")?.healthCheckNodePort !== undefined) healthCheckNodePort = true;
  }

  for (const entry of getArray(service.metadata, "managedFields") ?? []) {
    const spec = getRecord(entry, "fieldsV1", "f:spec");
    if (spec === undefined) continue;
    if (spec["f:healthCheckNodePort"] !== undefined) healthCheckNodePort = true;
    // Ports are a map-list keyed by port and protocol: `k:{"port":80,"protocol":"TCP"}`.
    for (const [key, fields] of Object.entries(getRecord(spec, "f:ports") ?? {})) {
      if (!key.startsWith("k:") || !isRecord(fields) || fields["f:nodePort"] === undefined) continue;
      const parsed = parseJson(key.slice(2));
      if (isRecord(parsed)) ports.add(portKey(parsed));
    }
  }
  return { ports, healthCheckNodePort };
}

/** Service ports are unique by (port, protocol); protocol defaults to TCP. */
function portKey(port: Record<string, unknown>): string {
  return `${String(port.port)}/${typeof port.protocol === "string" ? port.protocol : "TCP"}`;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    // A hand-edited, broken annotation: treat as saying nothing.
    return undefined;
  }
}
