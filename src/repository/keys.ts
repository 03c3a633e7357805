/**
 * The keys of an encrypted repository. Data is encrypted under a random 32-byte master
 * key; config.json holds that key wrapped (AES-256-GCM) under a key-encryption key
 * derived from the user's key with HKDF-SHA256 and a random salt. Rotating the user's
 * key re-wraps the master key and touches no data.
 *
 * The user's key is the bytes of a key file, treated as key material, not a passphrase:
 * HKDF does nothing to slow guessing, so the file must be random (at least 32 bytes,
 * e.g. `head -c 32 /dev/urandom`). A password-based KDF (scrypt) would only matter for
 * keys a human chose, which a key file should never be.
 */
import { createSecretKey, hkdfSync, randomBytes } from "node:crypto";
import { KubesnapError } from "../core/errors.js";
import {
  aesGcmSealer,
  KEY_BYTES,
  openBytes,
  plainSealer,
  type Sealer,
  sealBytes,
  sealContext,
} from "./sealer.js";

/** The `encryption` section of config.json. Binary fields are base64. */
export interface EncryptionConfig {
  readonly cipher: "aes-256-gcm";
  readonly kdf: "hkdf-sha256";
  /** 32 random bytes, new at every (re-)wrap. */
  readonly salt: string;
  /** The master key sealed under the key-encryption key: nonce | ciphertext | tag. */
  readonly wrappedKey: string;
}

export const MIN_USER_KEY_BYTES = 32;
const KEY_FILE_HINT = "check --encryption-key-file";

/** The where of every key message: the repository's location. */
export interface KeyTarget {
  readonly description: string;
  readonly repositoryId: string;
}

/** Refuses a key too short to be random key material, before anything is created with it. */
export function checkUserKey(userKey: Uint8Array): void {
  if (userKey.length >= MIN_USER_KEY_BYTES) return;
  throw new KubesnapError(
    "InvalidInput",
    `The encryption key is ${userKey.length} bytes; at least ${MIN_USER_KEY_BYTES} random bytes are required`,
    { hint: "create a key file with `head -c 32 /dev/urandom > key` and keep a copy somewhere safe" },
  );
}

export function newMasterKey(): Uint8Array {
  return randomBytes(KEY_BYTES);
}

export function wrapMasterKey(
  masterKey: Uint8Array,
  userKey: Uint8Array,
  repositoryId: string,
): EncryptionConfig {
  const salt = randomBytes(32);
  const wrapped = sealBytes(keyEncryptionKey(userKey, salt), masterKey, sealContext.masterKey(repositoryId));
  return {
    cipher: "aes-256-gcm",
    kdf: "hkdf-sha256",
    salt: salt.toString("base64"),
    wrappedKey: wrapped.toString("base64"),
  };
}

/** The master key, or undefined when userKey does not open the wrapping (GCM rejects it). */
export function unwrapMasterKey(
  encryption: EncryptionConfig,
  userKey: Uint8Array,
  repositoryId: string,
): Uint8Array | undefined {
  const kek = keyEncryptionKey(userKey, Buffer.from(encryption.salt, "base64"));
  const key = openBytes(
    kek,
    Buffer.from(encryption.wrappedKey, "base64"),
    sealContext.masterKey(repositoryId),
  );
  return key?.length === KEY_BYTES ? key : undefined;
}

/**
 * The sealer for a repository given its config's encryption section and the caller's
 * key. Each mismatch fails here, at open, with one line about the key, so a wrong key
 * is never mistaken for corrupt data further on.
 */
export function unlock(
  encryption: EncryptionConfig | undefined,
  userKey: Uint8Array | undefined,
  target: KeyTarget,
): Sealer {
  if (encryption === undefined) {
    if (userKey === undefined) return plainSealer;
    throw new KubesnapError(
      "InvalidInput",
      `The repository at ${target.description} is not encrypted, but an encryption key was given`,
      { hint: "drop --encryption-key-file; an existing repository cannot be encrypted in place" },
    );
  }
  if (userKey === undefined) {
    throw new KubesnapError(
      "AccessDenied",
      `The repository at ${target.description} is encrypted and no encryption key was given`,
      { hint: "pass its key with --encryption-key-file" },
    );
  }
  return aesGcmSealer(openMasterKey(encryption, userKey, target));
}

/** The master key, or AccessDenied naming the key (never "corrupt") when userKey is wrong. */
export function openMasterKey(
  encryption: EncryptionConfig,
  userKey: Uint8Array,
  target: KeyTarget,
): Uint8Array {
  const masterKey = unwrapMasterKey(encryption, userKey, target.repositoryId);
  if (masterKey) return masterKey;
  throw new KubesnapError("AccessDenied", `The key does not open the repository at ${target.description}`, {
    hint: KEY_FILE_HINT,
  });
}

export function isEncryptionConfig(value: unknown): value is EncryptionConfig {
  if (typeof value !== "object" || value === null) return false;
  const e = value as Record<string, unknown>;
  return (
    e.cipher === "aes-256-gcm" &&
    e.kdf === "hkdf-sha256" &&
    typeof e.salt === "string" &&
    typeof e.wrappedKey === "string"
  );
}

function keyEncryptionKey(userKey: Uint8Array, salt: Uint8Array) {
  return createSecretKey(Buffer.from(hkdfSync("sha256", userKey, salt, "kubesnap key wrapping", KEY_BYTES)));
}
