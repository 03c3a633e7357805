/** The repository layer: deduplicated, content-addressed snapshots of opaque blobs. See docs/format.md. */
export { type BlobId, blobIdOf, isBlobId } from "./blob-id.js";
export type { Clock } from "./clock.js";
export type { DamageReason } from "./damage.js";
export type { GcReport } from "./gc.js";
export type { IdListWriter } from "./id-list.js";
export { MIN_USER_KEY_BYTES } from "./keys.js";
export type { IdListRef, Manifest, SideFile } from "./manifest.js";
export { Repository, type RepositoryOptions, type SnapshotInfo } from "./repository.js";
export {
  type CommitOptions,
  MAX_BLOB_BYTES,
  type SnapshotWriter,
  type WriterStats,
} from "./snapshot-writer.js";
export type { VerifyOptions, VerifyProblem, VerifyReport } from "./verify-report.js";
