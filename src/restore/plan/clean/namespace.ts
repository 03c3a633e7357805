import type { KubeObject } from "../../../core/kube-types.js";
import { mapNamespace } from "../namespace-mapping.js";
import type { CleanContext } from "./context.js";

/** Set by the API server on every Namespace to its own name (used by namespaceSelectors). */
const NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * A Namespace restored under a mapped name takes the new name, and its
 * kubernetes.io/metadata.name label follows (the API server would overwrite it anyway;
 * setting it keeps the prepared object honest for comparisons and dry runs).
 */
export function renameNamespace(namespace: KubeObject, ctx: CleanContext): void {
  const target = mapNamespace(ctx.namespaceMapping, namespace.metadata.name);
  namespace.metadata.name = target;
  const labels = namespace.metadata.labels;
  if (labels?.[NAME_LABEL] !== undefined) labels[NAME_LABEL] = target;
}
