/**
 * What `kubesnap install` puts in a cluster, as a pure function of its options: the same list
 * is applied with server-side apply, or printed with `--dry-run -o yaml` for GitOps.
 */

import { backupStorageLocationSpecSchema } from "../api/backup-storage-location.js";
import { type BackupStorageLocation, crds, validate } from "../api/index.js";
import { KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { parseLocationConfig } from "../storage/index.js";
import {
  CREDENTIALS_KEY,
  CREDENTIALS_SECRET,
  DEFAULT_LOCATION,
  ENCRYPTION_KEY,
  ENCRYPTION_SECRET,
  INSTANCE_LABEL,
  installNames,
  NAME_LABEL,
  SERVER_NAME,
} from "./names.js";
import { nodeAgentObjects } from "./node-agent.js";
import { rbacObjects } from "./rbac.js";
import { metricsService, serverDeployment } from "./server.js";

/** Where the default location's credentials come from. */
export type CredentialSource =
  /** A credentials file's content (in the provider's format): the install includes the Secret made from it. */
  | { readonly from: "file"; readonly content: string }
  /** The location names the Secret, which is created some other way (--no-secret: sealed-secrets, external-secrets…). */
  | { readonly from: "existing-secret" }
  /** No Secret: the SDK's default chain (IRSA, instance role, environment). */
  | { readonly from: "default-chain" };

export interface InstallOptions {
  readonly namespace: string;
  readonly provider: string;
  readonly bucket: string;
  readonly prefix?: string;
  readonly config: Readonly<Record<string, string>>;
  readonly credentials: CredentialSource;
  readonly image: string;
  /** kubesnap's version, recorded in the app.kubernetes.io/version label. */
  readonly version: string;
  /** For the file provider: the PersistentVolumeClaim that holds the directory. */
  readonly fileClaim?: string;
  /** The key that encrypts the location: the install includes the Secret holding it. */
  readonly encryptionKey?: Uint8Array;
  /** --use-node-agent: the node agent DaemonSet, for file-system volume backup. */
  readonly nodeAgent?: { readonly kubeletRoot: string };
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const SHARED_NAMESPACES = new Set(["default", "kube-system", "kube-public", "kube-node-lease"]);

/** Every object of an install, in the order they are applied: namespace and CRDs first. */
export function installManifests(options: InstallOptions): KubeObject[] {
  checkOptions(options);
  const { namespace } = options;
  const labels = {
    [NAME_LABEL]: "kubesnap",
    [INSTANCE_LABEL]: namespace,
    "app.kubernetes.io/version": options.version,
    "app.kubernetes.io/managed-by": "kubesnap",
  };
  const location = defaultLocation(options, labels);
  return [
    {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: {
        name: namespace,
        // Nothing privileged may run beside the server, which holds broad rights (see rbac.ts).
        // The node agent runs as root with a hostPath volume, which only the privileged level
        // admits: with it, the namespace enforces that level and still warns of anything that
        // would not pass the restricted one, so only the agent stands out.
        labels: {
          ...labels,
          ...(options.nodeAgent
            ? {
                "pod-security.kubernetes.io/enforce": "privileged",
                "pod-security.kubernetes.io/warn": "restricted",
              }
            : { "pod-security.kubernetes.io/enforce": "restricted" }),
        },
      },
    },
    ...crds().map((crd) => ({
      ...crd,
      metadata: {
        ...crd.metadata,
        labels: { ...crd.metadata.labels, "app.kubernetes.io/version": options.version },
      },
    })),
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: SERVER_NAME, namespace, labels },
    },
    ...rbacObjects(installNames(namespace), labels),
    ...(options.credentials.from === "file"
      ? [
          secret(
            namespace,
            labels,
            CREDENTIALS_SECRET,
            CREDENTIALS_KEY,
            Buffer.from(options.credentials.content),
          ),
        ]
      : []),
    ...(options.encryptionKey
      ? [secret(namespace, labels, ENCRYPTION_SECRET, ENCRYPTION_KEY, options.encryptionKey)]
      : []),
    { ...location },
    metricsService({ namespace, labels }),
    serverDeployment({
      namespace,
      image: options.image,
      labels,
      ...(options.fileClaim ? { fileVolume: { claim: options.fileClaim, path: options.bucket } } : {}),
    }),
    ...(options.nodeAgent
      ? nodeAgentObjects({
          namespace,
          image: options.image,
          labels,
          names: installNames(namespace),
          kubeletRoot: options.nodeAgent.kubeletRoot,
        })
      : []),
  ];
}

function secret(
  namespace: string,
  labels: Record<string, string>,
  name: string,
  key: string,
  value: Uint8Array,
): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name, namespace, labels },
    type: "Opaque",
    data: { [key]: Buffer.from(value).toString("base64") },
  };
}

function defaultLocation(options: InstallOptions, labels: Record<string, string>): BackupStorageLocation {
  const prefix = options.prefix?.replace(/^\/+|\/+$/g, "");
  const spec: BackupStorageLocation["spec"] = {
    provider: options.provider as BackupStorageLocation["spec"]["provider"],
    objectStorage: { bucket: options.bucket, ...(prefix ? { prefix } : {}) },
    config: { ...options.config },
    ...(options.credentials.from === "default-chain"
      ? {}
      : { credential: { name: CREDENTIALS_SECRET, key: CREDENTIALS_KEY } }),
    ...(options.encryptionKey ? { encryptionKey: { name: ENCRYPTION_SECRET, key: ENCRYPTION_KEY } } : {}),
    accessMode: "ReadWrite",
    default: true,
  };
  const problems = validate(backupStorageLocationSpecSchema, spec, "spec");
  if (problems.length > 0) {
    throw new KubesnapError("InvalidInput", `Invalid backup location: ${problems.join("; ")}`);
  }
  return {
    apiVersion: "kubesnap.io/v1",
    kind: "BackupStorageLocation",
    metadata: { name: DEFAULT_LOCATION, namespace: options.namespace, labels },
    spec,
  };
}

/** Every bad option fails here, before anything is printed or applied, naming the flag. */
function checkOptions(options: InstallOptions): void {
  const fail = (message: string, hint: string) => new KubesnapError("InvalidInput", message, { hint });
  if (!DNS1123_LABEL.test(options.namespace) || options.namespace.length > 63) {
    throw fail(`Invalid namespace "${options.namespace}"`, "use up to 63 lowercase letters, digits and '-'");
  }
  if (SHARED_NAMESPACES.has(options.namespace)) {
    throw fail(
      `kubesnap cannot be installed into the shared namespace "${options.namespace}"`,
      "give it a namespace of its own with --namespace (it restricts what may run there)",
    );
  }
  for (const key of ["accessKeyId", "secretAccessKey"]) {
    if (key in options.config) {
      throw fail(
        `--config must not hold ${key}: anyone who may read BackupStorageLocations would see it`,
        "put the keys in an AWS-style credentials file and pass it with --secret-file",
      );
    }
  }
  // The storage module's own validator: the same messages as `backup-location create`.
  parseLocationConfig(options.provider, {
    bucket: options.bucket,
    prefix: options.prefix,
    config: options.config,
  });
  if (options.provider === "file" && !options.fileClaim) {
    throw fail(
      "The file provider needs --file-claim: the server keeps its directory on a volume",
      "name a PersistentVolumeClaim in the install's namespace; it is mounted at --bucket",
    );
  }
  if (options.fileClaim && !DNS1123_LABEL.test(options.fileClaim)) {
    throw fail(`Invalid --file-claim "${options.fileClaim}"`, "give the name of a PersistentVolumeClaim");
  }
  if (options.nodeAgent && !options.nodeAgent.kubeletRoot.startsWith("/")) {
    throw fail(
      `Invalid --kubelet-root "${options.nodeAgent.kubeletRoot}"`,
      "give the kubelet's --root-dir on the nodes, an absolute path such as /var/lib/kubelet",
    );
  }
  if (options.image.trim() === "" || /\s/.test(options.image)) {
    throw fail(
      `Invalid --image "${options.image}"`,
      "give an image reference such as kubesnap/kubesnap:0.1.0",
    );
  }
}
