/**
 * config.json at the root of a location: the format version and a random repository
 * id. The first open creates it with putIfAbsent, so two first opens agree on one id.
 */
import { randomUUID } from "node:crypto";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import { CONFIG_KEY } from "./layout.js";

/** Version of the whole on-storage format: layout, packs, index files, id lists, manifests. */
export const FORMAT_VERSION = 1;

export interface RepositoryConfig {
  readonly format: number;
  readonly id: string;
  readonly createdAt: string;
}

export async function loadOrCreateConfig(storage: Storage, now: number): Promise<RepositoryConfig> {
  const existing = await readConfig(storage);
  if (existing) return existing;
  const config: RepositoryConfig = {
    format: FORMAT_VERSION,
    id: randomUUID(),
    createdAt: new Date(now).toISOString(),
  };
  if (await storage.putIfAbsent(CONFIG_KEY, Buffer.from(`${JSON.stringify(config, null, 2)}\n`)))
    return config;
  // Someone else created it between our read and our write: theirs wins.
  const created = await readConfig(storage);
  if (!created) throw new KubesnapError("Internal", `${CONFIG_KEY} at ${storage.description} vanished`);
  return created;
}

async function readConfig(storage: Storage): Promise<RepositoryConfig | undefined> {
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
  const config = value as Partial<RepositoryConfig> | null;
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
  return { format: config.format, id: config.id, createdAt: String(config.createdAt) };
}
