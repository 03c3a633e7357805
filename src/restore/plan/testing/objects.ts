import type { KubeObject, OwnerReference } from "../../../core/kube-types.js";

/**
 * Objects as an API server serves them (uid, resourceVersion, managedFields, status…),
 * trimmed to what the tests look at. Each builder returns a fresh object.
 */
const CREATED = "2026-03-02T09:14:07Z";

function meta(name: string, namespace: string | undefined, uid: string, extra: Record<string, unknown> = {}) {
  return {
    name,
    ...(namespace === undefined ? {} : { namespace }),
    uid,
    resourceVersion: "48213",
    generation: 3,
    creationTimestamp: CREATED,
    ...extra,
  };
}

export function controllerRef(kind: string, apiVersion: string, name: string, uid: string): OwnerReference {
  return { apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true };
}

export function deployment(namespace: string, name: string, uid: string): KubeObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: meta(name, namespace, uid, {
      labels: { app: name },
      annotations: { "deployment.kubernetes.io/revision": "4" },
      managedFields: [
        {
          manager: "kubectl-client-side-apply",
          operation: "Update",
          apiVersion: "apps/v1",
          time: CREATED,
          fieldsType: "FieldsV1",
          fieldsV1: { "f:spec": { "f:replicas": {} } },
        },
      ],
    }),
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "web", image: "nginx:1.27", imagePullPolicy: "IfNotPresent" }] },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: { observedGeneration: 3, replicas: 2, readyReplicas: 2, availableReplicas: 2 },
  };
}

export function pod(namespace: string, name: string, uid: string, owner?: OwnerReference): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: meta(name, namespace, uid, {
      labels: { app: "web", "pod-template-hash": "5d9c7b8f6" },
      ...(owner === undefined ? {} : { generateName: `${owner.name}-`, ownerReferences: [owner] }),
      managedFields: [
        { manager: "kube-controller-manager", operation: "Update", apiVersion: "v1", time: CREATED },
      ],
    }),
    spec: {
      nodeName: "worker-3",
      serviceAccountName: "default",
      serviceAccount: "default",
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
      containers: [
        {
          name: "web",
          image: "nginx:1.27",
          volumeMounts: [
            {
              name: "kube-api-access-x7k2p",
              readOnly: true,
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            },
          ],
        },
      ],
      volumes: [
        {
          name: "kube-api-access-x7k2p",
          projected: {
            defaultMode: 420,
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              {
                downwardAPI: {
                  items: [
                    { path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
                  ],
                },
              },
            ],
          },
        },
      ],
    },
    status: { phase: "Running", podIP: "10.244.3.17", hostIP: "172.18.0.4", qosClass: "BestEffort" },
  };
}

export function service(
  namespace: string,
  name: string,
  uid: string,
  spec: Record<string, unknown>,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: meta(name, namespace, uid, {
      managedFields: [
        {
          manager: "kubectl-create",
          operation: "Update",
          apiVersion: "v1",
          time: CREATED,
          fieldsType: "FieldsV1",
          fieldsV1: { "f:spec": { "f:selector": {}, "f:type": {} } },
        },
      ],
    }),
    spec: { clusterIP: "10.96.41.7", clusterIPs: ["10.96.41.7"], ipFamilies: ["IPv4"], ...spec },
    status: { loadBalancer: {} },
  };
}

export function job(
  namespace: string,
  name: string,
  uid: string,
  status: Record<string, unknown>,
): KubeObject {
  const uidLabels = { "batch.kubernetes.io/controller-uid": uid, "controller-uid": uid };
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: meta(name, namespace, uid, { labels: { ...uidLabels, "job-name": name } }),
    spec: {
      backoffLimit: 6,
      selector: { matchLabels: { "batch.kubernetes.io/controller-uid": uid } },
      template: {
        metadata: {
          labels: { ...uidLabels, "batch.kubernetes.io/job-name": name, "job-name": name },
        },
        spec: { restartPolicy: "Never", containers: [{ name: "migrate", image: "migrate:3" }] },
      },
    },
    status,
  };
}

export function persistentVolumeClaim(
  namespace: string,
  name: string,
  uid: string,
  volumeName: string,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: meta(name, namespace, uid, {
      annotations: {
        "pv.kubernetes.io/bind-completed": "yes",
        "pv.kubernetes.io/bound-by-controller": "yes",
        "volume.beta.kubernetes.io/storage-provisioner": "rancher.io/local-path",
        "volume.kubernetes.io/storage-provisioner": "rancher.io/local-path",
        "volume.kubernetes.io/selected-node": "worker-3",
        "backup.example.com/tier": "gold",
      },
      finalizers: ["kubernetes.io/pvc-protection"],
    }),
    spec: {
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: "1Gi" } },
      storageClassName: "local-path",
      volumeMode: "Filesystem",
      volumeName,
    },
    status: { phase: "Bound", accessModes: ["ReadWriteOnce"], capacity: { storage: "1Gi" } },
  };
}

export function persistentVolume(
  name: string,
  uid: string,
  claim: { namespace: string; name: string; uid: string },
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "PersistentVolume",
    metadata: meta(name, undefined, uid, {
      annotations: {
        "pv.kubernetes.io/provisioned-by": "rancher.io/local-path",
        "pv.kubernetes.io/bound-by-controller": "yes",
      },
      finalizers: ["kubernetes.io/pv-protection"],
    }),
    spec: {
      capacity: { storage: "1Gi" },
      accessModes: ["ReadWriteOnce"],
      persistentVolumeReclaimPolicy: "Delete",
      storageClassName: "local-path",
      hostPath: { path: `/var/local-path-provisioner/${name}`, type: "DirectoryOrCreate" },
      claimRef: {
        apiVersion: "v1",
        kind: "PersistentVolumeClaim",
        namespace: claim.namespace,
        name: claim.name,
        uid: claim.uid,
        resourceVersion: "48101",
      },
    },
    status: { phase: "Bound", lastPhaseTransitionTime: CREATED },
  };
}

export function serviceAccountTokenSecret(
  namespace: string,
  name: string,
  uid: string,
  account: string,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    type: "kubernetes.io/service-account-token",
    metadata: meta(name, namespace, uid, {
      annotations: {
        "kubernetes.io/service-account.name": account,
        "kubernetes.io/service-account.uid": "9f1c2b1e-0000-4000-8000-00000000sa01",
      },
    }),
    data: {
      token: "ZXlKaGJHY2lPaUpTVXpJMU5pSXNJbXRwWkNJNklp",
      "ca.crt": "LS0tLS1CRUdJTi",
      namespace: "c2hvcA==",
    },
  };
}

export function serviceAccount(
  namespace: string,
  name: string,
  uid: string,
  extra: Record<string, unknown> = {},
): KubeObject {
  return { apiVersion: "v1", kind: "ServiceAccount", metadata: meta(name, namespace, uid), ...extra };
}

export function namespaceObject(name: string, uid: string, labels: Record<string, string> = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Namespace",
    metadata: meta(name, undefined, uid, { labels: { "kubernetes.io/metadata.name": name, ...labels } }),
    spec: { finalizers: ["kubernetes"] },
    status: { phase: "Active" },
  };
}
