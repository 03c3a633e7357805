/**
 * config.json at the root of a location: the format version, a random repository id,
 * and for an encrypted repository the wrapped master key (keys.ts). The first open
 * creates it with putIfAbsent, so two first opens agree on one id and one master key.
 */
import { randomUUID } from "node:crypto";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import { type EncryptionConfig, isEncryptionConfig, newMasterKey, wrapMasterKey } from "./keys.js";
import { CONFIG_KEY } from "./layout.js";

/** Version of the whole on-storage format: layout, packs, index files, id lists, manifests. */
export const FORMAT_VERSION = 1;

export interface RepositoryConfig {
  readonly format: number;
  readonly id: string;
  readonly createdAt: string;
  /** Present when the repository is encrypted. */
  readonly encryption?: EncryptionConfig;
}

export interface CreateOptions {
  readonly now: number;
  /** Given: a new repository is created encrypted, its master key wrapped under this key. */
  readonly encryptionKey?: Uint8Array | undefined;
}

export async function loadOrCreateConfig(
  storage: Storage,
  options: CreateOptions,
): Promise<RepositoryConfig> {
  const existing = await readConfig(storage);
  if (existing) return existing;
  const id = randomUUID();
  const base = { format: FORMAT_VERSION, id, createdAt: new Date(options.now).toISOString() };
  const config: RepositoryConfig = options.encryptionKey
    ? { ...base, encryption: wrapMasterKey(newMasterKey(), options.encryptionKey, id) }
    : base;
  if (await storage.putIfAbsent(CONFIG_KEY, encodeConfig(config))) return config;
  // Someone else created it between our read and our write: theirs wins (and its key).
  const created = await readConfig(storage);
  if (!created) throw new KubesnapError("Internal", `${CONFIG_KEY} at ${storage.description} vanished`);
  return created;
}

/**
 * Overwrites config.json (key rotation). Storage puts are atomic, so a reader sees the
 * old or the new wrapping, never a mix; two rotations at once: the last write wins.
 */
export async function replaceConfig(storage: Storage, config: RepositoryConfig): Promise<void> {
  await storage.put(CONFIG_KEY, encodeConfig(config));
}

export async function readConfig(storage: Storage): Promise<RepositoryConfig | undefined> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(CONFIG_KEY);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(bytes).toString("utf8"));
  } catch (cause) {
    throw new KubesnapError("Corrupt", `${CONFIG_KEY} at ${storage.description} is not valid JSON`, {
      cause,
    });
  }
  const config = value as Partial<Record<keyof RepositoryConfig, unknown>> | null;
  if (typeof config?.format !== "number" || typeof config.id !== "string") {
    throw new KubesnapError("Corrupt", `${CONFIG_KEY} at ${storage.description} lacks format or id`);
  }
  if (config.format !== FORMAT_VERSION) {
    throw new KubesnapError(
      "Conflict",
      `The repository at ${storage.description} uses format ${config.format}; this kubesnap reads format ${FORMAT_VERSION}`,
      { hint: "use a kubesnap release that supports that format" },
    );
  }
  const base = { format: config.format, id: config.id, createdAt: String(config.createdAt) };
  const { encryption } = config;
  if (encryption === undefined) return base;
  if (isEncryptionConfig(encryption)) return { ...base, encryption };
  const cipher = (encryption as { cipher?: unknown } | null)?.cipher;
  if (typeof cipher === "string" && cipher !== "aes-256-gcm") {
    throw new KubesnapError(
      "Conflict",
      `The repository at ${storage.description} is encrypted with ${cipher}; this kubesnap knows aes-256-gcm`,
      { hint: "use a kubesnap release that supports that cipher" },
    );
  }
  throw new KubesnapError(
    "Corrupt",
    `${CONFIG_KEY} at ${storage.description} has an invalid encryption section`,
    {
      hint: "restore config.json from a copy; without its wrapped key the repository cannot be read",
    },
  );
}

function encodeConfig(config: RepositoryConfig): Uint8Array {
  return Buffer.from(`${JSON.stringify(config, null, 2)}\n`);
}
