/**
 * The snapshot manifest, snapshots/<name>/manifest.json.zst: written last, so its presence
 * is what makes a snapshot exist. Besides the caller's opaque body it records every
 * reference gc must follow, so gc never has to understand the body:
 *   lists  named id lists (each the root of an id-list tree, see id-list.ts)
 *   blobs  blobs referenced directly
 *   files  side files with their size and SHA-256
 */
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";
import { KubesnapError } from "../core/errors.js";
import { type BlobId, isBlobId } from "./blob-id.js";
import { FORMAT_VERSION } from "./config.js";

/** A stored id list: how many ids it holds and the root node (null when empty). */
export interface IdListRef {
  readonly count: number;
  readonly root: BlobId | null;
}

export interface SideFile {
  /** Size before compression. */
  readonly size: number;
  /** SHA-256 (hex) of the uncompressed bytes. */
  readonly sha256: string;
}

export interface Manifest {
  readonly format: number;
  readonly name: string;
  /** Id of the repository (config.json) the snapshot was written to. */
  readonly repository: string;
  readonly createdAt: string;
  readonly lists: Readonly<Record<string, IdListRef>>;
  readonly blobs: readonly BlobId[];
  readonly files: Readonly<Record<string, SideFile>>;
  readonly body: unknown;
}

/**
 * A manifest is compact JSON in one zstd frame: a whole-cluster backup lists hundreds of
 * groups, and the manifest is rewritten by every backup, so its size is most of what a
 * small incremental backup writes (310 KB as JSON, 25 KB compressed, at 50k objects).
 */
export function encodeManifest(manifest: Manifest): Uint8Array {
  return zstdCompressSync(Buffer.from(JSON.stringify(manifest)));
}

/** Manifests are small; a larger one is damaged or hostile. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

/** Parses and validates a manifest; `where` names it in errors. */
export function parseManifest(bytes: Uint8Array, where: string): Manifest {
  const corrupt = (why: string, cause?: unknown) =>
    new KubesnapError(
      "Corrupt",
      `Manifest ${where} is corrupt: ${why}`,
      cause === undefined ? {} : { cause },
    );
  let value: unknown;
  try {
    const json = zstdDecompressSync(bytes, { maxOutputLength: MAX_MANIFEST_BYTES });
    value = JSON.parse(json.toString("utf8"));
  } catch (cause) {
    throw corrupt("not a zstd-compressed JSON document", cause);
  }
  if (!isRecord(value)) throw corrupt("not a JSON object");
  if (value.format !== FORMAT_VERSION) {
    throw new KubesnapError(
      "Conflict",
      `Manifest ${where} uses format ${String(value.format)}; this kubesnap reads format ${FORMAT_VERSION}`,
      { hint: "use a kubesnap release that supports that format" },
    );
  }
  const { name, repository, createdAt, lists, blobs, files } = value;
  if (typeof name !== "string" || typeof repository !== "string" || typeof createdAt !== "string") {
    throw corrupt("name, repository or createdAt missing");
  }
  if (!isRecord(lists) || !Object.values(lists).every(isIdListRef)) throw corrupt("invalid lists");
  if (!Array.isArray(blobs) || !blobs.every(isBlobId)) throw corrupt("invalid blobs");
  if (!isRecord(files) || !Object.values(files).every(isSideFile)) throw corrupt("invalid files");
  return {
    format: FORMAT_VERSION,
    name,
    repository,
    createdAt,
    lists: lists as Record<string, IdListRef>,
    blobs,
    files: files as Record<string, SideFile>,
    body: value.body,
  };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function isIdListRef(value: unknown): value is IdListRef {
  return (
    isRecord(value) &&
    Number.isSafeInteger(value.count) &&
    (value.root === null ? value.count === 0 : isBlobId(value.root))
  );
}

function isSideFile(value: unknown): value is SideFile {
  return isRecord(value) && Number.isSafeInteger(value.size) && /^[0-9a-f]{64}$/.test(String(value.sha256));
}
