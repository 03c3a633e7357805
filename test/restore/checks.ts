import type { Obj, Ref } from "./api.js";

/** Labels kubesnap adds to every restored object. */
export const BACKUP_LABEL = "kubesnap.io/backup-name";
export const RESTORE_LABEL = "kubesnap.io/restore-name";

const SERVER_ANNOTATIONS = new Set(["kubectl.kubernetes.io/last-applied-configuration"]);

/**
 * What a restore must bring back unchanged: every field of the object except metadata
 * and status, plus its labels and annotations (without the restore labels). The fields
 * kubesnap documents as cleaned (src/restore/plan/clean) are removed from both sides:
 * - Services: clusterIP(s) unless headless; node ports unless set explicitly (`keepNodePorts`).
 * - Jobs: the controller-uid labels of selector and template (the server makes new ones).
 * - service-account-token Secrets: the token data (the controller signs a new one).
 * Everything else, including what admission and defaulting filled in, must be equal.
 */
export function comparable(object: Obj, options: { keepNodePorts?: boolean } = {}): Record<string, unknown> {
  const { metadata, status: _status, apiVersion, kind, ...copy } = structuredClone(object);
  const labels = { ...metadata.labels };
  delete labels[BACKUP_LABEL];
  delete labels[RESTORE_LABEL];
  const annotations = Object.fromEntries(
    Object.entries(metadata.annotations ?? {}).filter(([key]) => !SERVER_ANNOTATIONS.has(key)),
  );
  const spec = copy.spec as Record<string, unknown> | undefined;
  if (object.kind === "Service" && spec) {
    if (spec.clusterIP !== "None") {
      delete spec.clusterIP;
      delete spec.clusterIPs;
    }
    if (!options.keepNodePorts) {
      for (const port of (spec.ports as Record<string, unknown>[] | undefined) ?? []) delete port.nodePort;
      delete spec.healthCheckNodePort;
    }
  }
  if (object.kind === "Job" && spec) {
    for (const holder of [
      (spec.selector as { matchLabels?: Record<string, string> } | undefined)?.matchLabels,
      (spec.template as { metadata?: { labels?: Record<string, string> } } | undefined)?.metadata?.labels,
    ]) {
      if (!holder) continue;
      delete holder["controller-uid"];
      delete holder["batch.kubernetes.io/controller-uid"];
    }
  }
  if (object.kind === "Secret" && copy.type === "kubernetes.io/service-account-token") {
    const data = copy.data as Record<string, string> | undefined;
    if (data) {
      delete data.token;
      delete data["ca.crt"];
      delete data.namespace;
    }
    delete annotations["kubernetes.io/service-account.uid"];
  }
  return { apiVersion, kind, name: metadata.name, labels, annotations, ...copy };
}

/** Kinds restored objects are searched among, to prove nothing else came back as a copy. */
export const OWNED_KINDS: readonly Omit<Ref, "name" | "namespace">[] = [
  { apiVersion: "v1", kind: "Pod" },
  { apiVersion: "apps/v1", kind: "ReplicaSet" },
  { apiVersion: "apps/v1", kind: "ControllerRevision" },
  { apiVersion: "batch/v1", kind: "Job" },
  { apiVersion: "discovery.k8s.io/v1", kind: "EndpointSlice" },
];
