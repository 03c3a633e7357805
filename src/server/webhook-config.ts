/**
 * The ValidatingWebhookConfiguration that sends DELETEs of protected Namespaces and CRDs to
 * kubesnap (pure), and the leader's loop that keeps it registered with the current CA bundle.
 *
 * failurePolicy Fail: while no kubesnap server answers, protected objects cannot be deleted.
 * That is the point of protecting them; the escapes are `kubesnap unprotect`, the bypass
 * annotation (both need a running server only to be counted), or deleting this configuration.
 * Unprotected objects are never sent here: the objectSelector keeps them out.
 */
import type { KubeClient } from "../cluster/client.js";
import { withQuery } from "../cluster/paths.js";
import { describeError, isKubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { installNames } from "../install/names.js";
import {
  NAMESPACE_NAME_LABEL,
  PROTECTED_LABEL,
  PROTECTED_SYSTEM_LABEL,
  systemNamespaces,
} from "../protect/marks.js";
import type { Logger } from "./controller.js";
import { systemClock } from "./leader.js";

export const WEBHOOK_PATH = "/validate-delete";
/** The API server allows at most 30 s; the issue asks for 25 s at most, leaving the API call time to answer. */
export const MAX_TIMEOUT_SECONDS = 25;

/** How the API server reaches the webhook: a URL (a server outside the cluster), or a Service of the server's namespace. */
export type WebhookEndpoint =
  | { readonly url: string }
  | { readonly service: { readonly name: string; readonly port: number } };

export const webhookConfigurationName = (namespace: string) => `kubesnap-${namespace}-pre-delete`;

const PATH = "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations";

export interface WebhookConfigOptions {
  readonly namespace: string;
  readonly endpoint: WebhookEndpoint;
  /** PEM: the CAs that may have signed the serving certificate. */
  readonly caBundle: string;
  readonly timeoutSeconds: number;
  /** The install's ClusterRole: uninstalling deletes it, and the garbage collector then this configuration. */
  readonly owner?: { readonly name: string; readonly uid: string };
}

export function webhookConfiguration(options: WebhookConfigOptions): KubeObject {
  const { namespace } = options;
  const system = systemNamespaces(namespace);
  const clientConfig = {
    caBundle: Buffer.from(options.caBundle).toString("base64"),
    ...("url" in options.endpoint
      ? { url: options.endpoint.url }
      : { service: { namespace, ...options.endpoint.service, path: WEBHOOK_PATH } }),
  };
  const common = {
    clientConfig,
    failurePolicy: "Fail",
    // It creates a Backup: a server-side dry run must say so (it is answered without one).
    sideEffects: "NoneOnDryRun",
    timeoutSeconds: options.timeoutSeconds,
    admissionReviewVersions: ["v1"],
    matchPolicy: "Equivalent",
  };
  const rule = (apiGroup: string, resource: string) => ({
    apiGroups: [apiGroup],
    apiVersions: ["*"],
    resources: [resource],
    operations: ["DELETE"],
    scope: "Cluster",
  });
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingWebhookConfiguration",
    metadata: {
      name: webhookConfigurationName(namespace),
      labels: { "app.kubernetes.io/name": "kubesnap", "app.kubernetes.io/instance": namespace },
      ...(options.owner
        ? {
            ownerReferences: [
              { apiVersion: "rbac.authorization.k8s.io/v1", kind: "ClusterRole", ...options.owner },
            ],
          }
        : {}),
    },
    webhooks: [
      {
        name: "pre-delete.kubesnap.io",
        ...common,
        rules: [rule("", "namespaces"), rule("apiextensions.k8s.io", "customresourcedefinitions")],
        // For a Namespace the API server matches the objectSelector against the Namespace
        // itself. System namespaces are left out here; a CRD has no name label, so NotIn keeps it.
        objectSelector: {
          matchLabels: { [PROTECTED_LABEL]: "true" },
          matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "NotIn", values: system }],
        },
      },
      {
        name: "pre-delete-system.kubesnap.io",
        ...common,
        rules: [rule("", "namespaces")],
        // Protected on purpose only: `protect --allow-system-namespace` sets the second label.
        objectSelector: {
          matchLabels: { [PROTECTED_LABEL]: "true", [PROTECTED_SYSTEM_LABEL]: "true" },
          matchExpressions: [{ key: NAMESPACE_NAME_LABEL, operator: "In", values: system }],
        },
      },
    ],
  };
}

/**
 * Server-side apply: creates the configuration or puts back what kubesnap sets (a CA bundle
 * after rotation, a timeout someone edited); the API server writes nothing when nothing changed.
 */
async function applyWebhookConfiguration(client: KubeClient, desired: KubeObject): Promise<void> {
  await client.request({
    method: "PATCH",
    path: withQuery(`${PATH}/${desired.metadata.name}`, { fieldManager: "kubesnap-server", force: "true" }),
    body: JSON.stringify(desired),
    contentType: "application/apply-patch+yaml",
  });
}

/** The install's backup ClusterRole, if this server was installed (a server run by hand has none). */
async function installOwner(client: KubeClient, namespace: string): Promise<WebhookConfigOptions["owner"]> {
  const name = installNames(namespace).backupClusterRole;
  try {
    const role = await client.get<KubeObject>(`/apis/rbac.authorization.k8s.io/v1/clusterroles/${name}`);
    return role.metadata.uid ? { name, uid: role.metadata.uid } : undefined;
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}

/**
 * The leader's loop: registers the configuration at once, then again every periodMs (a
 * rotated CA bundle, an edited or deleted configuration), until the signal aborts.
 */
export async function keepWebhookRegistered(
  client: KubeClient,
  options: Omit<WebhookConfigOptions, "caBundle" | "owner"> & {
    readonly caBundle: () => string;
    readonly periodMs: number;
    readonly signal: AbortSignal;
    readonly log: Logger;
  },
): Promise<void> {
  let applied = "";
  while (!options.signal.aborted) {
    try {
      const owner = await installOwner(client, options.namespace);
      const desired = webhookConfiguration({
        ...options,
        caBundle: options.caBundle(),
        ...(owner ? { owner } : {}),
      });
      await applyWebhookConfiguration(client, desired);
      const text = JSON.stringify(desired);
      if (text !== applied)
        options.log.info("registered the pre-delete webhook", { name: desired.metadata.name });
      applied = text;
    } catch (err) {
      options.log.error("cannot register the pre-delete webhook; will retry", { error: describeError(err) });
    }
    await systemClock.sleep(options.periodMs, options.signal);
  }
}
