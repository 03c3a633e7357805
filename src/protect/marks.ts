/**
 * How protection is marked on the objects themselves. A label (not a kubesnap object that
 * names them) because the API server can select on labels: the webhook's objectSelector
 * makes it call kubesnap for protected objects only, so every other DELETE in the cluster is
 * never slowed down or blocked by kubesnap, even when the server is down.
 */
import { KubesnapError } from "../core/errors.js";

/** On a Namespace or CustomResourceDefinition: deleting it first takes a backup. */
export const PROTECTED_LABEL = "kubesnap.io/protected";

/**
 * Also needed on a system namespace (see systemNamespaces): set only by
 * `kubesnap protect namespace --allow-system-namespace`, so a protected label copied onto
 * kube-system or kubesnap's own namespace by accident does nothing.
 */
export const PROTECTED_SYSTEM_LABEL = "kubesnap.io/protected-system-namespace";

/** Set to "true" on a protected object: its deletion goes through without a backup (logged, counted). */
export const BYPASS_ANNOTATION = "kubesnap.io/allow-delete-without-backup";

/**
 * On a protected object: how long its pre-delete backup is kept (a duration such as "2160h";
 * without it, the Backup's default TTL). Set by `kubesnap protect … --ttl`.
 */
export const PRE_DELETE_TTL_ANNOTATION = "kubesnap.io/pre-delete-ttl";

/** The label the API server puts on every Namespace, with its name: what selectors can match names with. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/**
 * Namespaces whose deletion kubesnap must never block by accident: the cluster's own, and the
 * one the kubesnap server runs in (blocking that one would block uninstalling kubesnap, and
 * its backup would need the very server being removed).
 */
export function systemNamespaces(serverNamespace: string): string[] {
  return [...new Set(["kube-system", "kube-public", "kube-node-lease", "default", serverNamespace])].sort();
}

export type ProtectedKind = "Namespace" | "CustomResourceDefinition";

/** The labels that protect an object, or an error saying why it needs --allow-system-namespace. */
export function protectionLabels(
  kind: ProtectedKind,
  name: string,
  options: { readonly serverNamespace: string; readonly allowSystemNamespace: boolean },
): Record<string, string> {
  if (kind !== "Namespace" || !systemNamespaces(options.serverNamespace).includes(name)) {
    return { [PROTECTED_LABEL]: "true" };
  }
  if (!options.allowSystemNamespace) {
    const what = name === options.serverNamespace ? "kubesnap's own namespace" : "a system namespace";
    throw new KubesnapError(
      "InvalidInput",
      `Namespace "${name}" is ${what}; it is not protected by default`,
      {
        hint:
          "a protected namespace cannot be deleted while the kubesnap server is down; " +
          "if that is what you want, add --allow-system-namespace",
      },
    );
  }
  return { [PROTECTED_LABEL]: "true", [PROTECTED_SYSTEM_LABEL]: "true" };
}

/** The merge patch that removes protection (both labels and the TTL; null deletes a key). */
export const UNPROTECT_PATCH = {
  labels: { [PROTECTED_LABEL]: null, [PROTECTED_SYSTEM_LABEL]: null },
  annotations: { [PRE_DELETE_TTL_ANNOTATION]: null },
} as const;
