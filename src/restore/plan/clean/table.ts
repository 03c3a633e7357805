import type { KubeObject } from "../../../core/kube-types.js";
import type { CleanRule } from "./context.js";
import { convertPreserveUnknownFields } from "./crd.js";
import { dropControllerUidLabels } from "./job.js";
import { renameNamespace } from "./namespace.js";
import { dropBoundByControllerAnnotation, remapClaimRef } from "./persistent-volume.js";
import { dropBindingAnnotations } from "./persistent-volume-claim.js";
import {
  clearAdmissionPriority,
  clearNodeName,
  dropEphemeralContainers,
  dropLegacyTokenVolumes,
} from "./pod.js";
import { remapSubjectNamespaces } from "./rbac.js";
import { emptyServiceAccountToken } from "./secret.js";
import { clearClusterIps, clearNodePorts } from "./service.js";
import { dropLegacyTokenReferences } from "./service-account.js";

/**
 * Every per-kind cleaning rule, by "Kind.group" ("Kind" for the core group). Kinds are
 * matched with their group so a custom resource that happens to be called "Service" or
 * "Job" is never touched.
 */
export const CLEAN_RULES: Readonly<Record<string, readonly CleanRule[]>> = {
  Service: [clearClusterIps, clearNodePorts],
  Pod: [clearNodeName, clearAdmissionPriority, dropEphemeralContainers, dropLegacyTokenVolumes],
  "Job.batch": [dropControllerUidLabels],
  PersistentVolumeClaim: [dropBindingAnnotations],
  PersistentVolume: [remapClaimRef, dropBoundByControllerAnnotation],
  "RoleBinding.rbac.authorization.k8s.io": [remapSubjectNamespaces],
  "ClusterRoleBinding.rbac.authorization.k8s.io": [remapSubjectNamespaces],
  ServiceAccount: [dropLegacyTokenReferences],
  Secret: [emptyServiceAccountToken],
  "CustomResourceDefinition.apiextensions.k8s.io": [convertPreserveUnknownFields],
  Namespace: [renameNamespace],
};

/** "Deployment.apps" for apps/v1 Deployments, "Pod" for v1 Pods. */
export function groupKind(object: Pick<KubeObject, "apiVersion" | "kind">): string {
  const slash = object.apiVersion.indexOf("/");
  return slash === -1 ? object.kind : `${object.kind}.${object.apiVersion.slice(0, slash)}`;
}

export function cleanRulesFor(object: Pick<KubeObject, "apiVersion" | "kind">): readonly CleanRule[] {
  return CLEAN_RULES[groupKind(object)] ?? [];
}
