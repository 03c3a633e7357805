import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { dirname } from "node:path";
import { parse, stringify } from "yaml";
import { KubesnapError } from "../core/errors.js";
import type { BackupLocation } from "./location.js";
import { configFile, defaultLocationDir } from "./paths.js";

/** The local-mode configuration: storage locations, one of them the default. */
export interface LocalConfig {
  readonly locations: readonly BackupLocation[];
}

/** The location every fresh install has: a directory on this machine. */
export function embeddedDefault(): BackupLocation {
  return {
    name: "default",
    provider: "file",
    bucket: defaultLocationDir(),
    config: {},
    accessMode: "ReadWrite",
    default: true,
  };
}

export async function loadConfig(path = configFile()): Promise<LocalConfig> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return { locations: [embeddedDefault()] };
    throw new KubesnapError("InvalidInput", `Cannot read ${path}`, {
      cause: err,
      hint: "check its permissions",
    });
  }
  const doc = parse(text) as { locations?: BackupLocation[] } | null;
  const locations = doc?.locations ?? [];
  return { locations: locations.length > 0 ? locations : [embeddedDefault()] };
}

/** Writes atomically, so a crash never leaves a half-written config. */
export async function saveConfig(config: LocalConfig, path = configFile()): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  await writeFile(tmp, stringify({ locations: config.locations }), { mode: 0o600 });
  await rename(tmp, path);
}

/** A location by name, or the default one; unknown names list the known ones. */
export function findLocation(config: LocalConfig, name?: string): BackupLocation {
  const found = name
    ? config.locations.find((l) => l.name === name)
    : (config.locations.find((l) => l.default) ?? config.locations[0]);
  if (!found) {
    throw new KubesnapError("NotFound", `Backup location "${name ?? "(default)"}" not found`, {
      hint: `known locations: ${config.locations.map((l) => l.name).join(", ")}; create one with \`kubesnap backup-location create\``,
    });
  }
  return found;
}
