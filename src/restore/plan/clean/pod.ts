import type { KubeObject } from "../../../core/kube-types.js";
import { getArray, getRecord, getString, isRecord } from "../json.js";
import { isLegacyTokenName } from "../skip-rules.js";

/**
 * Pods restored standalone (those whose controller is restored are left to it).
 *
 * Kept on purpose: the projected `kube-api-access-*` volume and its mounts. The
 * ServiceAccount admission plugin adds one only when the pod has no volume named
 * `kube-api-access-…` and a container lacks a mount at
 * /var/run/secrets/kubernetes.io/serviceaccount; the restored volume and mounts satisfy
 * both checks, so no duplicate is added. Its sources (a serviceAccountToken projection,
 * the kube-root-ca.crt ConfigMap, the namespace via downward API) name nothing that is
 * specific to the old cluster, so the kubelet fills them from the new one.
 */

/** A nodeName binds the pod to a node of the old cluster, bypassing the scheduler; let it schedule. */
export function clearNodeName(pod: KubeObject): void {
  const spec = getRecord(pod, "spec");
  if (spec !== undefined) delete spec.nodeName;
}

/**
 * The Priority admission plugin computes priority and preemptionPolicy from the pod's
 * PriorityClass (or the global default) and rejects a pod that carries different
 * values ("must not be provided in pod spec"). The values are the old cluster's.
 */
export function clearAdmissionPriority(pod: KubeObject): void {
  const spec = getRecord(pod, "spec");
  if (spec === undefined) return;
  delete spec.priority;
  delete spec.preemptionPolicy;
}

/** Ephemeral (debug) containers cannot be set on create; they are added through a subresource. */
export function dropEphemeralContainers(pod: KubeObject): void {
  const spec = getRecord(pod, "spec");
  if (spec !== undefined) delete spec.ephemeralContainers;
}

/**
 * Pods from before projected tokens mount the legacy token Secret "<sa>-token-xxxxx".
 * That Secret is not restored (see skip-rules.ts), so the pod would never start; drop
 * the volume and its mounts, and the admission plugin mounts a projected token instead.
 */
export function dropLegacyTokenVolumes(pod: KubeObject): void {
  const spec = getRecord(pod, "spec");
  if (spec === undefined) return;
  const serviceAccount =
    getString(spec, "serviceAccountName") ?? getString(spec, "serviceAccount") ?? "default";
  const volumes = getArray(spec, "volumes");
  if (volumes === undefined) return;
  const dropped = new Set<string>();
  const kept = volumes.filter((volume) => {
    const secretName = getString(volume, "secret", "secretName");
    const isLegacy = secretName !== undefined && isLegacyTokenName(secretName, serviceAccount);
    if (isLegacy) dropped.add(getString(volume, "name") ?? "");
    return !isLegacy;
  });
  if (dropped.size === 0) return;
  if (kept.length === 0) delete spec.volumes;
  else spec.volumes = kept;
  for (const list of ["initContainers", "containers"]) {
    for (const container of getArray(spec, list) ?? []) {
      if (!isRecord(container) || !Array.isArray(container.volumeMounts)) continue;
      container.volumeMounts = container.volumeMounts.filter(
        (mount) => !dropped.has(getString(mount, "name") ?? ""),
      );
    }
  }
}
