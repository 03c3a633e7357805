import type { KubeClient } from "../../src/cluster/client.js";
import { KubeClient as Client } from "../../src/cluster/client.js";

/** What one request would do, in SubjectAccessReview terms. */
export interface Access {
  readonly verb: string;
  readonly resource: string;
  readonly group?: string;
  readonly namespace?: string;
  readonly name?: string;
  readonly subresource?: string;
}

export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/**
 * Asks the API server's own authorizer (the real RBAC rules, as bound) whether `user` may do
 * `access`. The admin posts the review; the answer is about the user, not the admin.
 */
export async function allowed(admin: KubeClient, user: string, access: Access): Promise<boolean> {
  const namespace = user.split(":")[2] ?? "";
  const review = await admin.request<{ status: { allowed: boolean } }>({
    method: "POST",
    path: "/apis/authorization.k8s.io/v1/subjectaccessreviews",
    body: JSON.stringify({
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: {
        user,
        groups: ["system:serviceaccounts", `system:serviceaccounts:${namespace}`, "system:authenticated"],
        resourceAttributes: { group: "", ...access },
      },
    }),
  });
  return review.status.allowed;
}

/** A client that acts as `user` (the admin's certificate plus an Impersonate-User header). */
export function impersonating(admin: KubeClient, user: string): KubeClient {
  const { endpoint } = admin;
  return new Client(
    {
      ...endpoint,
      headers: { ...endpoint.headers, "Impersonate-User": user },
      description: `${user} via ${endpoint.description}`,
    },
    { retry: { attempts: 1, baseDelayMs: 0, maxDelayMs: 0 } },
  );
}

export function describeAccess(a: Access): string {
  const what = `${a.resource}${a.subresource ? `/${a.subresource}` : ""}${a.group ? `.${a.group}` : ""}`;
  return `${a.verb} ${what}${a.name ? ` ${a.name}` : ""} in ${a.namespace ?? "all namespaces"}`;
}

/** What the server's work needs, in namespace `ns` and cluster-wide. */
export function serverNeeds(ns: string): Access[] {
  return [
    // Backups read everything, custom resources of any group included.
    { verb: "list", resource: "secrets" },
    { verb: "get", resource: "secrets", namespace: "kube-system", name: "anything" },
    { verb: "list", resource: "deployments", group: "apps" },
    { verb: "list", resource: "customresourcedefinitions", group: "apiextensions.k8s.io" },
    { verb: "list", resource: "widgets", group: "example.kubesnap.test", namespace: "team-a" },
    // Restores create and patch any kind anywhere.
    { verb: "create", resource: "namespaces" },
    { verb: "create", resource: "configmaps", namespace: "default" },
    { verb: "create", resource: "customresourcedefinitions", group: "apiextensions.k8s.io" },
    { verb: "patch", resource: "deployments", group: "apps", namespace: "default", name: "web" },
    // Its own work, in its namespace.
    { verb: "watch", resource: "backups", group: "kubesnap.io", namespace: ns },
    { verb: "create", resource: "backups", group: "kubesnap.io", namespace: ns },
    { verb: "delete", resource: "backups", group: "kubesnap.io", namespace: ns, name: "b" },
    { verb: "update", resource: "restores", group: "kubesnap.io", namespace: ns, subresource: "status" },
    { verb: "delete", resource: "downloadrequests", group: "kubesnap.io", namespace: ns, name: "d" },
    { verb: "get", resource: "secrets", namespace: ns, name: "kubesnap-credentials" },
    { verb: "create", resource: "leases", group: "coordination.k8s.io", namespace: ns },
    {
      verb: "update",
      resource: "leases",
      group: "coordination.k8s.io",
      namespace: ns,
      name: "kubesnap-server",
    },
    { verb: "create", resource: "events", namespace: ns },
    // Triggers watch the resources they name; list already reads the same objects.
    { verb: "watch", resource: "deployments", group: "apps" },
    // Pre-delete protection: its certificates' Secret, and its one webhook configuration.
    { verb: "create", resource: "secrets", namespace: ns },
    { verb: "update", resource: "secrets", namespace: ns, name: "kubesnap-webhook-tls" },
    { verb: "create", resource: "validatingwebhookconfigurations", group: "admissionregistration.k8s.io" },
    {
      verb: "patch",
      resource: "validatingwebhookconfigurations",
      group: "admissionregistration.k8s.io",
      name: `kubesnap-${ns}-pre-delete`,
    },
  ];
}

/** What it must not be able to do: delete, update, escalate, or write outside its namespace. */
export function serverMustNotHave(ns: string): Access[] {
  return [
    { verb: "delete", resource: "nodes", name: "node-1" },
    { verb: "delete", resource: "pods", namespace: "default", name: "web" },
    { verb: "delete", resource: "namespaces", name: "default" },
    { verb: "deletecollection", resource: "secrets", namespace: "default" },
    { verb: "update", resource: "deployments", group: "apps", namespace: "default", name: "web" },
    {
      verb: "escalate",
      resource: "clusterroles",
      group: "rbac.authorization.k8s.io",
      name: "cluster-admin",
    },
    { verb: "bind", resource: "clusterroles", group: "rbac.authorization.k8s.io", name: "cluster-admin" },
    { verb: "impersonate", resource: "users", name: "admin" },
    { verb: "delete", resource: "backups", group: "kubesnap.io", namespace: "default", name: "b" },
    {
      verb: "update",
      resource: "backups",
      group: "kubesnap.io",
      namespace: "default",
      subresource: "status",
    },
    {
      verb: "update",
      resource: "leases",
      group: "coordination.k8s.io",
      namespace: "kube-system",
      name: "kube-controller-manager",
    },
    {
      verb: "update",
      resource: "leases",
      group: "coordination.k8s.io",
      namespace: ns,
      name: "someone-else",
    },
    // The certificates' Secret is the only one it may update (patch comes with the restore rule).
    { verb: "update", resource: "secrets", namespace: ns, name: "kubesnap-credentials" },
  ];
}
