import type { ItemMeta } from "../item-meta.js";
import { item } from "./items.js";
import { controllerRef } from "./objects.js";
import { TYPES } from "./types.js";

/**
 * The metadata of a small but realistic backup: a "shop" namespace with a Deployment
 * (and its ReplicaSet and Pods), a StatefulSet with a volume, a cert-manager Certificate
 * and its Secret, plus a second namespace, system namespaces and cluster-scoped items.
 */
const deploy = controllerRef("Deployment", "apps/v1", "web", "uid-deploy-web");
const rs = controllerRef("ReplicaSet", "apps/v1", "web-5d9c7b8f6", "uid-rs-web");
const sts = controllerRef("StatefulSet", "apps/v1", "db", "uid-sts-db");
const cert = controllerRef("Certificate", "cert-manager.io/v1", "shop-tls", "uid-cert");
const node = controllerRef("Node", "v1", "cp-1", "uid-node-cp");

export function shopBackup(): ItemMeta[] {
  const shop = { namespace: "shop" };
  return [
    item(TYPES.crd, "certificates.cert-manager.io", { uid: "uid-crd-cert" }),
    item(TYPES.crd, "clusterissuers.cert-manager.io", { uid: "uid-crd-issuer" }),
    item(TYPES.namespace, "shop", {
      uid: "uid-ns-shop",
      labels: { "pod-security.kubernetes.io/enforce": "baseline" },
    }),
    item(TYPES.namespace, "blog", { uid: "uid-ns-blog" }),
    item(TYPES.namespace, "kube-system", { uid: "uid-ns-ks" }),
    item(TYPES.namespace, "default", { uid: "uid-ns-default" }),
    item(TYPES.storageClass, "local-path", { uid: "uid-sc" }),
    item(TYPES.pv, "pvc-data-db-0", { uid: "uid-pv-db" }),
    item(TYPES.pv, "pvc-blog-data", { uid: "uid-pv-blog" }),
    item(TYPES.node, "cp-1", { uid: "uid-node-cp" }),
    item(TYPES.clusterRole, "shop-reader", { uid: "uid-cr" }),
    item(TYPES.clusterIssuer, "letsencrypt", { uid: "uid-issuer" }),
    item(TYPES.deployment, "web", { ...shop, uid: "uid-deploy-web", labels: { app: "web" } }),
    item(TYPES.replicaSet, "web-5d9c7b8f6", {
      ...shop,
      uid: "uid-rs-web",
      labels: { app: "web" },
      owners: [deploy],
    }),
    item(TYPES.pod, "web-5d9c7b8f6-abcde", {
      ...shop,
      uid: "uid-pod-web-1",
      labels: { app: "web" },
      owners: [rs],
      facts: { kind: "pod", phase: "Running", mirror: false },
    }),
    item(TYPES.pod, "web-5d9c7b8f6-fghij", {
      ...shop,
      uid: "uid-pod-web-2",
      labels: { app: "web" },
      owners: [rs],
      facts: { kind: "pod", phase: "Running", mirror: false },
    }),
    item(TYPES.service, "web", {
      ...shop,
      uid: "uid-svc-web",
      labels: { app: "web" },
      facts: { kind: "service", hasSelector: true },
    }),
    item(TYPES.endpoints, "web", { ...shop, uid: "uid-ep-web", labels: { app: "web" } }),
    item(TYPES.statefulSet, "db", { ...shop, uid: "uid-sts-db", labels: { app: "db" } }),
    item(TYPES.pod, "db-0", {
      ...shop,
      uid: "uid-pod-db-0",
      labels: { app: "db" },
      owners: [sts],
      facts: { kind: "pod", phase: "Running", mirror: false },
    }),
    item(TYPES.pvc, "data-db-0", {
      ...shop,
      uid: "uid-pvc-db-0",
      labels: { app: "db" },
      facts: { kind: "persistentvolumeclaim", volumeName: "pvc-data-db-0" },
    }),
    item(TYPES.certificate, "shop-tls", { ...shop, uid: "uid-cert", labels: { app: "web" } }),
    item(TYPES.secret, "shop-tls", {
      ...shop,
      uid: "uid-secret-tls",
      owners: [cert],
      facts: { kind: "secret", secretType: "kubernetes.io/tls" },
    }),
    item(TYPES.serviceAccount, "default", { ...shop, uid: "uid-sa-default" }),
    item(TYPES.configMap, "kube-root-ca.crt", { ...shop, uid: "uid-cm-ca" }),
    item(TYPES.event, "web.17f2", { ...shop, uid: "uid-event" }),
    item(TYPES.pvc, "blog-data", {
      namespace: "blog",
      uid: "uid-pvc-blog",
      facts: { kind: "persistentvolumeclaim", volumeName: "pvc-blog-data" },
    }),
    item(TYPES.configMap, "blog-config", { namespace: "blog", uid: "uid-cm-blog" }),
    item(TYPES.pod, "etcd-cp-1", {
      namespace: "kube-system",
      uid: "uid-pod-etcd",
      owners: [node],
      facts: { kind: "pod", phase: "Running", mirror: true },
    }),
    item(TYPES.lease, "kube-controller-manager", { namespace: "kube-system", uid: "uid-lease" }),
    item(TYPES.configMap, "coredns", { namespace: "kube-system", uid: "uid-cm-coredns" }),
  ];
}
