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
import { DamagedObjectError, type DamageReason } from "./damage.js";
import { type Sealer, sealContext } from "./sealer.js";

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
 *
 * Encrypted, the frame is sealed bound to the snapshot's name and prefixed with that
 * name in the clear ("KSM" | name length u8 | name | sealed frame). The name is no
 * secret (it is in the object's key); it lets a reader tell a manifest moved from
 * another snapshot (it opens under its own name) from a damaged one (it opens under none).
 */
export function encodeManifest(manifest: Manifest, sealer: Sealer): Uint8Array {
  const frame = zstdCompressSync(Buffer.from(JSON.stringify(manifest)));
  if (!sealer.encrypted) return frame;
  const name = Buffer.from(manifest.name, "utf8");
  const header = Buffer.concat([Buffer.from(SEALED_MAGIC, "latin1"), Buffer.of(name.length), name]);
  return Buffer.concat([header, sealer.seal(frame, sealContext.manifest(manifest.name))]);
}

const SEALED_MAGIC = "KSM";
/** Manifests are small; a larger one is damaged or hostile. */
const MAX_MANIFEST_BYTES = 256 * 1024 * 1024;

export interface ManifestSource {
  /** The snapshot whose manifest this is meant to be. */
  readonly snapshot: string;
  readonly sealer: Sealer;
  /** The manifest's storage key and the location's description, for errors. */
  readonly key: string;
  readonly where: string;
}

/**
 * Opens, parses and validates a manifest, and checks it belongs to `snapshot`: a
 * manifest copied over another snapshot's fails with reason "swapped", in both modes.
 * Unencrypted, that rests on the name inside the manifest (nothing can be authenticated
 * without a key); encrypted, on the name the manifest is sealed to.
 */
export function parseManifest(bytes: Uint8Array, source: ManifestSource): Manifest {
  const { snapshot, key } = source;
  const where = `${key} at ${source.where}`;
  const damaged = (reason: DamageReason, why: string, cause?: unknown) =>
    new DamagedObjectError({ key, reason, message: `Manifest ${where} ${why}`, cause, hint: MANIFEST_HINT });
  const swapped = (owner: string) =>
    damaged("swapped", `belongs to snapshot "${owner}", not "${snapshot}": it was swapped or copied`);
  const frame = source.sealer.encrypted ? openSealed(bytes, source, { damaged, swapped }) : bytes;
  let value: unknown;
  try {
    const json = zstdDecompressSync(frame, { maxOutputLength: MAX_MANIFEST_BYTES });
    value = JSON.parse(json.toString("utf8"));
  } catch (cause) {
    throw damaged("corrupt", "is corrupt: not a zstd-compressed JSON document", cause);
  }
  const manifest = validate(value, (why) => damaged("corrupt", `is corrupt: ${why}`), where);
  if (manifest.name !== snapshot) throw swapped(manifest.name);
  return manifest;
}

const MANIFEST_HINT =
  "restore the object from a copy of the location, or delete the snapshot, and verify the other snapshots";

interface Failures {
  damaged(reason: DamageReason, why: string): DamagedObjectError;
  swapped(owner: string): DamagedObjectError;
}

function openSealed(bytes: Uint8Array, source: ManifestSource, fail: Failures): Uint8Array {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const nameLength = buf[3] ?? 0;
  if (buf.toString("latin1", 0, 3) !== SEALED_MAGIC || buf.length < 4 + nameLength) {
    throw fail.damaged("unauthenticated", "fails authentication: it is not a sealed manifest");
  }
  const owner = buf.toString("utf8", 4, 4 + nameLength);
  const frame = source.sealer.open(buf.subarray(4 + nameLength), sealContext.manifest(owner));
  if (!frame) {
    throw fail.damaged(
      "unauthenticated",
      "fails authentication: it was altered or damaged, or not written with this repository's key",
    );
  }
  // Authentic, so the name is the one it was written for: another snapshot's manifest.
  if (owner !== source.snapshot) throw fail.swapped(owner);
  return frame;
}

function validate(value: unknown, corrupt: (why: string) => Error, where: string): Manifest {
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
