/**
 * What `testenv up` writes to DIR/env.json and what the integration tests receive
 * through vitest's `inject("testenv")`: endpoints and test-only credentials of the
 * servers it started on loopback.
 */
export interface ClusterInfo {
  /** Path of an admin kubeconfig (client certificate in system:masters). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** Bearer token of the user "restricted", who has no rights until a test grants them. */
  readonly restrictedToken: string;
  /** PEM CA bundle path of the API server's serving certificate. */
  readonly caFile: string;
  /** Present when the environment was started with --csi (the first cluster only). */
  readonly csi?: CsiInfo;
}

/** The CSI stack of a cluster (testenv/csi.ts): its driver and classes, and where volumes live. */
export interface CsiInfo {
  readonly driver: string;
  /** Provisions volumes with the driver, at once (volumeBindingMode Immediate). */
  readonly storageClass: string;
  /** The driver's VolumeSnapshotClass, labelled kubesnap.io/default: "true". */
  readonly snapshotClass: string;
  /** A volume's files are in STATEDIR/volumes/<its PV's spec.csi.volumeHandle>/. */
  readonly stateDir: string;
}

export interface S3Info {
  /** http://127.0.0.1:PORT */
  readonly endpoint: string;
  readonly region: string;
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  /** A bucket made at start-up. */
  readonly bucket: string;
}

export interface GcsInfo {
  /** http://127.0.0.1:PORT, for @google-cloud/storage's apiEndpoint. */
  readonly endpoint: string;
  readonly projectId: string;
}

export interface AzureInfo {
  /** http://127.0.0.1:PORT/ACCOUNT */
  readonly endpoint: string;
  readonly accountName: string;
  readonly accountKey: string;
  readonly connectionString: string;
}

export interface EnvInfo {
  readonly dir: string;
  readonly clusters: readonly ClusterInfo[];
  readonly s3: S3Info;
  readonly gcs: GcsInfo;
  readonly azure: AzureInfo;
}
