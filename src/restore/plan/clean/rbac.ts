import type { KubeObject } from "../../../core/kube-types.js";
import { getArray, isRecord } from "../json.js";
import { mapNamespace } from "../namespace-mapping.js";
import type { CleanContext } from "./context.js";

/**
 * RoleBinding and ClusterRoleBinding subjects name ServiceAccounts by namespace. When a
 * namespace is restored under another name, its ServiceAccounts move with it and the
 * binding must follow, or it would grant the rights to accounts in the old namespace
 * (which may not exist, or may belong to someone else). roleRef is unchanged.
 */
export function remapSubjectNamespaces(binding: KubeObject, ctx: CleanContext): void {
  for (const subject of getArray(binding, "subjects") ?? []) {
    if (isRecord(subject) && typeof subject.namespace === "string") {
      subject.namespace = mapNamespace(ctx.namespaceMapping, subject.namespace);
    }
  }
}
