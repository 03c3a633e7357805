/** The repository layer: deduplicated, content-addressed snapshots of opaque blobs. */
export { type BlobId, blobIdOf, isBlobId, parseBlobId } from "./blob-id.js";
export { type Clock, systemClock } from "./clock.js";
export { FORMAT_VERSION, type RepositoryConfig } from "./config.js";
export type { GcReport } from "./gc.js";
export { IdListWriter } from "./id-list.js";
export { HEARTBEAT_MS, STALE_AFTER_MS } from "./lock.js";
export type { IdListRef, Manifest, SideFile } from "./manifest.js";
export { Repository, type RepositoryOptions, type SnapshotInfo } from "./repository.js";
export { type CommitOptions, MAX_BLOB_BYTES, SnapshotWriter, type WriterStats } from "./snapshot-writer.js";
export type { VerifyProblem, VerifyReport } from "./verify.js";
