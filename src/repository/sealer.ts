/**
 * How an object's bytes are protected on storage. A plain repository stores bytes as
 * they are and names blobs by SHA-256. An encrypted one seals every object with
 * AES-256-GCM (random 12-byte nonce per object or blob) and names blobs by
 * HMAC-SHA256, so neither the stored bytes nor the ids reveal content.
 *
 * Every associated-data string (what a sealed object is bound to) is built in
 * `sealContext`, so what each object is bound to can be audited in one place.
 */
import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  createSecretKey,
  hkdfSync,
  type KeyObject,
  randomBytes,
  webcrypto,
} from "node:crypto";
import type { Storage } from "../storage/index.js";
import { type BlobId, blobIdOf } from "./blob-id.js";

/** What a sealed object is bound to: its GCM associated data. */
export type SealContext = Uint8Array & { readonly __brand: "SealContext" };

export interface Sealer {
  readonly encrypted: boolean;
  /** The id of a blob with these raw bytes: SHA-256, or HMAC-SHA256 under the id key. */
  idOf(raw: Uint8Array): BlobId;
  /**
   * The same id, computed on the thread pool (WebCrypto): hashing a 1 MiB file chunk
   * takes the calling thread ~0.8 ms, which for a large file was a quarter of the main
   * thread's time while the second core idled.
   */
  idOfAsync(raw: Uint8Array): Promise<BlobId>;
  /** The bytes to store for plain bytes bound to context (the same bytes when unencrypted). */
  seal(plain: Uint8Array, context: SealContext): Uint8Array;
  /** The plain bytes of stored ones, or undefined when they fail authentication. */
  open(stored: Uint8Array, context: SealContext): Uint8Array | undefined;
}

/** Storage plus the sealer of the repository in it: what every reader and writer needs. */
export interface SealedStorage {
  readonly storage: Storage;
  readonly sealer: Sealer;
}

const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Bytes sealing adds to an object in an encrypted repository: nonce and tag. */
export const SEAL_OVERHEAD = NONCE_BYTES + TAG_BYTES;
export const KEY_BYTES = 32;

// Snapshot and side file names cannot contain NUL (layout.ts), so NUL separates fields unambiguously.
const context = (...parts: (string | Uint8Array)[]): SealContext =>
  Buffer.concat(
    parts.map((p) => (typeof p === "string" ? Buffer.from(p, "utf8") : p)),
  ) as Uint8Array as SealContext;

export const sealContext = {
  /** A blob's frame is bound to its id, so the index cannot point an id at another blob's frame. */
  blob: (id: BlobId) => context("kubesnap/blob\0", Buffer.from(id, "hex")),
  index: () => context("kubesnap/index"),
  /** A manifest is bound to its snapshot's name, so one moved to another name fails to open. */
  manifest: (snapshot: string) => context("kubesnap/manifest\0", snapshot),
  file: (snapshot: string, file: string) => context("kubesnap/file\0", snapshot, "\0", file),
  /** A record beside the repository (restores/…) is bound to its key. */
  record: (key: string) => context("kubesnap/record\0", key),
  /** The wrapped master key is bound to the repository id in config.json. */
  masterKey: (repositoryId: string) => context("kubesnap/master-key\0", repositoryId),
};

export const plainSealer: Sealer = {
  encrypted: false,
  idOf: blobIdOf,
  idOfAsync: async (raw) => hex(await webcrypto.subtle.digest("SHA-256", raw)),
  seal: (plain) => plain,
  open: (stored) => stored,
};

/**
 * The sealer of an encrypted repository. Data and id keys are derived from the master
 * key with HKDF, so the key that names blobs never encrypts anything.
 */
export function aesGcmSealer(masterKey: Uint8Array): Sealer {
  const derive = (info: string) =>
    createSecretKey(Buffer.from(hkdfSync("sha256", masterKey, new Uint8Array(0), info, KEY_BYTES)));
  const dataKey = derive("kubesnap data key");
  const idKey = derive("kubesnap blob id key");
  const idCryptoKey = idKey.toCryptoKey({ name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  return {
    encrypted: true,
    idOf: (raw) => createHmac("sha256", idKey).update(raw).digest("hex") as BlobId,
    idOfAsync: async (raw) => hex(await webcrypto.subtle.sign("HMAC", idCryptoKey, raw)),
    seal: (plain, ctx) => sealBytes(dataKey, plain, ctx),
    open: (stored, ctx) => openBytes(dataKey, stored, ctx),
  };
}

const hex = (digest: ArrayBuffer) => Buffer.from(digest).toString("hex") as BlobId;

/** nonce (12) | ciphertext | tag (16). Random nonces: 2^32 objects per key stay far below GCM's collision bound. */
export function sealBytes(key: KeyObject, plain: Uint8Array, ctx: SealContext): Buffer {
  const nonce = randomBytes(NONCE_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(ctx);
  return Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

export function openBytes(key: KeyObject, stored: Uint8Array, ctx: SealContext): Buffer | undefined {
  if (stored.length < SEAL_OVERHEAD) return undefined;
  const bytes = Buffer.from(stored.buffer, stored.byteOffset, stored.byteLength);
  const decipher = createDecipheriv("aes-256-gcm", key, bytes.subarray(0, NONCE_BYTES), {
    authTagLength: TAG_BYTES,
  });
  decipher.setAAD(ctx);
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  const body = decipher.update(bytes.subarray(NONCE_BYTES, bytes.length - TAG_BYTES));
  try {
    // final() is where GCM checks the tag; until then the output is unauthenticated and is dropped.
    return Buffer.concat([body, decipher.final()]);
  } catch {
    return undefined;
  }
}
