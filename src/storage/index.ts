/**
 * The storage folder's one public entry: validate a location, open its driver.
 */
import { AzureStorage } from "./azure.js";
import { FileStorage } from "./file.js";
import { GcsStorage } from "./gcs.js";
import type { StorageLocation, StorageProvider } from "./location.js";
import { S3Storage } from "./s3.js";
import type { Storage } from "./storage.js";

export {
  type AzureOptions,
  AzureStorage,
  azureCredentialsFrom,
  azureCredentialVariables,
} from "./azure.js";
export { FileStorage } from "./file.js";
export { type GcsOptions, GcsStorage } from "./gcs.js";
export {
  type AzureCredentials,
  type AzureLocation,
  type FileLocation,
  type GcsLocation,
  type GcsServiceAccountKey,
  type LocationInput,
  parseLocationConfig,
  type S3Location,
  type StorageLocation,
  type StorageProvider,
  storageProviders,
} from "./location.js";
export { type S3Options, S3Storage } from "./s3.js";
export { type ByteRange, type ObjectInfo, type PutOptions, retaining, type Storage } from "./storage.js";

type Opener<P extends StorageProvider> = (location: Extract<StorageLocation, { provider: P }>) => Storage;

const drivers: { readonly [P in StorageProvider]: Opener<P> } = {
  file: (location) => new FileStorage(location.path),
  s3: (location) => new S3Storage(location),
  gcs: (location) => new GcsStorage(location),
  azure: (location) => new AzureStorage(location),
};

/** Opens the driver for a location. Opening does no I/O; the first call reports a bad location. */
export function openStorage(location: StorageLocation): Storage {
  // TypeScript cannot correlate drivers[location.provider] with location; the mapped
  // type of `drivers` guarantees each opener receives its own provider's location.
  const open = drivers[location.provider] as (location: StorageLocation) => Storage;
  return open(location);
}
