import { duration, LABEL_VALUE_MAX, NAME_PATTERN } from "./fields.js";
import { defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";

export const STORAGE_PROVIDERS = ["file", "s3", "gcs", "azure"] as const;
export const ACCESS_MODES = ["ReadWrite", "ReadOnly"] as const;
export const LOCATION_PHASES = ["Available", "Unavailable"] as const;

/** The config keys each provider takes (the storage module's parseLocationConfig checks values). */
export const PROVIDER_CONFIG_KEYS = {
  file: [],
  s3: ["region", "s3Url", "s3ForcePathStyle", "idleTimeout", "objectLock"],
  gcs: ["endpoint", "projectId"],
  azure: ["storageAccount", "blobEndpoint"],
} as const;

/** One CEL rule per object-store provider: only its own config keys. */
const configKeyRules = (["s3", "gcs", "azure"] as const).map((provider) => {
  const keys = PROVIDER_CONFIG_KEYS[provider];
  return {
    fieldPath: ".config",
    rule: `self.provider != '${provider}' || self.config.all(k, k in [${keys.map((k) => `'${k}'`).join(", ")}])`,
    message: `${provider} takes only these config keys: ${keys.join(", ")}`,
  };
});

/** A key of a Secret in the server's namespace. */
const secretKeyRef = (description: string) =>
  s.optional(
    s.object(
      {
        name: s.string({ pattern: NAME_PATTERN, maxLength: 253 }),
        key: s.string({ pattern: "^[-._a-zA-Z0-9]+$", maxLength: 253 }),
      },
      { description },
    ),
  );

export const backupStorageLocationSpecSchema = s.object(
  {
    provider: s.enum(STORAGE_PROVIDERS, {
      description: "file (a directory the server mounts), s3, gcs or azure.",
    }),
    objectStorage: s.object({
      bucket: s.string({
        description: "The bucket; for the file provider, the absolute directory.",
        minLength: 1,
        maxLength: 1024,
      }),
      prefix: s.optional(s.string({ description: "Key prefix inside the bucket.", maxLength: 1024 })),
    }),
    config: s.map(s.string({ maxLength: 1024 }), {
      description:
        "Provider settings; s3: region, s3Url, s3ForcePathStyle, idleTimeout, objectLock; gcs: endpoint, projectId; azure: storageAccount, blobEndpoint.",
      default: {},
      maxProperties: 16,
    }),
    credential: secretKeyRef(
      "A Secret in the server's namespace and its key holding the provider's credentials file (s3: " +
        "AWS-style; gcs: a service-account JSON key; azure: AZURE_STORAGE_* lines); the SDK's default " +
        "chain (IRSA, workload identity, instance role) when absent.",
    ),
    encryptionKey: secretKeyRef(
      "A Secret in the server's namespace and its key holding the key (32 bytes or more) that encrypts " +
        "this location's repository client-side; the first writer with a key creates it encrypted.",
    ),
    accessMode: s.enum(ACCESS_MODES, {
      default: "ReadWrite",
      description: "ReadOnly: restores only; no backup, deletion or garbage collection writes to it.",
    }),
    default: s.boolean({ default: false, description: "Backups that name no location go here." }),
    backupSyncPeriod: s.optional(
      duration("How often the server syncs Backups from the bucket; 0 turns it off."),
    ),
    validationFrequency: s.optional(duration("How often the server checks that the location answers.")),
  },
  {
    validations: [
      {
        fieldPath: ".config",
        // Anyone who may read BackupStorageLocations could read keys kept in the spec.
        rule: "!('accessKeyId' in self.config) && !('secretAccessKey' in self.config)",
        message: "credentials belong in a Secret named by spec.credential, never in spec.config",
      },
      ...configKeyRules,
      {
        fieldPath: ".config",
        rule: "self.provider != 'file' || size(self.config) == 0",
        message: "the file provider takes no config",
      },
      {
        fieldPath: ".objectStorage.bucket",
        rule: "self.provider != 'file' || self.objectStorage.bucket.startsWith('/')",
        message: "for the file provider, bucket is an absolute directory path",
      },
      {
        fieldPath: ".objectStorage.bucket",
        rule: "self.provider != 's3' || self.objectStorage.bucket.matches('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$')",
        message: "an s3 bucket name is 3-63 lowercase letters, digits, '.' or '-'; a prefix goes in prefix",
      },
    ],
  },
);
export type BackupStorageLocationSpec = Infer<typeof backupStorageLocationSpecSchema>;

export const backupStorageLocationStatusSchema = s.object({
  phase: s.enum(LOCATION_PHASES),
  lastValidationTime: s.optional(s.timestamp()),
  lastSyncedTime: s.optional(s.timestamp()),
  message: s.optional(s.string({ description: "Why the location is Unavailable (never its credentials)." })),
  accessMode: s.optional(s.enum(ACCESS_MODES)),
});
export type BackupStorageLocationStatus = Infer<typeof backupStorageLocationStatusSchema>;
export type LocationPhase = BackupStorageLocationStatus["phase"];
export type BackupStorageLocation = Resource<
  "BackupStorageLocation",
  BackupStorageLocationSpec,
  BackupStorageLocationStatus
>;

export const backupStorageLocationKind = defineKind({
  kind: "BackupStorageLocation",
  plural: "backupstoragelocations",
  shortNames: ["bsl"],
  description: "Where backups are stored: a bucket (or directory), its settings and a credential Secret.",
  spec: backupStorageLocationSpecSchema,
  status: backupStorageLocationStatusSchema,
  // The name is the value of the kubesnap.io/storage-location label on Backups.
  nameMaxLength: LABEL_VALUE_MAX,
  // `velero backup-location get`: NAME PROVIDER BUCKET/PREFIX PHASE LAST VALIDATED ACCESS MODE DEFAULT
  columns: [
    { name: "Provider", type: "string", jsonPath: ".spec.provider" },
    { name: "Bucket", type: "string", jsonPath: ".spec.objectStorage.bucket" },
    { name: "Prefix", type: "string", jsonPath: ".spec.objectStorage.prefix" },
    { name: "Phase", type: "string", jsonPath: ".status.phase" },
    { name: "Last Validated", type: "date", jsonPath: ".status.lastValidationTime" },
    { name: "Access Mode", type: "string", jsonPath: ".spec.accessMode" },
    { name: "Default", type: "boolean", jsonPath: ".spec.default" },
  ],
});
