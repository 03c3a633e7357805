import { resolve } from "node:path";
import type { Command } from "commander";
import { KubesnapError } from "../../core/errors.js";
import { parseKeyValues } from "../../core/kv.js";
import { validateName } from "../../core/timestamp.js";
import { findLocation, type LocalConfig, loadConfig, saveConfig } from "../../locations/config-file.js";
import {
  type BackupLocation,
  openLocation,
  parseAccessMode,
  readEncryptionKey,
  readKeyFile,
} from "../../locations/location.js";
import { Repository } from "../../repository/index.js";
import { parseLocationConfig, storageProviders } from "../../storage/index.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { printList } from "../print.js";
import { confirm } from "../prompt.js";

interface CreateFlags {
  provider: string;
  bucket?: string;
  prefix?: string;
  config?: string;
  credential?: string;
  encryptionKeyFile?: string;
  accessMode?: string;
  default?: boolean;
}

/** Validates a location completely (provider, bucket, config keys) without touching it. */
function checkLocation(location: BackupLocation): void {
  parseLocationConfig(location.provider, {
    bucket: location.bucket,
    prefix: location.prefix,
    config: location.config,
  });
}

function withDefault(config: LocalConfig, updated: BackupLocation): BackupLocation[] {
  const others = config.locations.filter((l) => l.name !== updated.name);
  return [...(updated.default ? others.map((l) => ({ ...l, default: false })) : others), updated];
}

async function create(name: string, flags: CreateFlags): Promise<BackupLocation> {
  validateName(name, "backup location");
  const config = await loadConfig();
  if (config.locations.some((l) => l.name === name)) {
    throw new KubesnapError("AlreadyExists", `Backup location "${name}" already exists`, {
      hint: `change it with \`kubesnap backup-location set ${name}\` or delete it first`,
    });
  }
  const location: BackupLocation = {
    name,
    provider: flags.provider,
    bucket: flags.bucket ?? "",
    ...(flags.prefix ? { prefix: flags.prefix } : {}),
    config: flags.config ? parseKeyValues(flags.config, { what: "--config" }) : {},
    ...(flags.credential ? { credentialFile: flags.credential } : {}),
    ...(flags.encryptionKeyFile
      ? { encryptionKeyFile: (await readKeyFile(flags.encryptionKeyFile)).path }
      : {}),
    accessMode: flags.accessMode ? parseAccessMode(flags.accessMode) : "ReadWrite",
    default: flags.default === true,
  };
  checkLocation(location);
  await saveConfig({ locations: withDefault(config, location) });
  return location;
}

/** Re-wraps the repository key under a new key file; no data is re-encrypted or re-uploaded. */
async function rotateKey(name: string, newKeyFile: string): Promise<void> {
  const config = await loadConfig();
  const current = findLocation(config, name);
  const oldKey = await readEncryptionKey(current);
  if (!oldKey) {
    throw new KubesnapError("InvalidInput", `Backup location "${name}" is not encrypted`, {
      hint: "only a location created with --encryption-key-file has a key to rotate",
    });
  }
  const { path, key: newKey } = await readKeyFile(newKeyFile);
  const updated = { ...current, encryptionKeyFile: path };
  const repository = await Repository.open(await openLocation(current), { encryptionKey: oldKey });
  await repository.rewrapKey(oldKey, newKey);
  await saveConfig({ locations: withDefault(config, updated) });
}

async function set(
  name: string,
  flags: { accessMode?: string; default?: boolean; credential?: string; encryptionKeyFile?: string },
): Promise<void> {
  const config = await loadConfig();
  const current = findLocation(config, name);
  const updated: BackupLocation = {
    ...current,
    ...(flags.accessMode ? { accessMode: parseAccessMode(flags.accessMode) } : {}),
    ...(flags.default ? { default: true } : {}),
    ...(flags.credential ? { credentialFile: flags.credential } : {}),
    ...(flags.encryptionKeyFile
      ? { encryptionKeyFile: (await readKeyFile(flags.encryptionKeyFile)).path }
      : {}),
  };
  await saveConfig({ locations: withDefault(config, updated) });
}

/** Available when the location answers a read within a few seconds. */
async function phaseOf(location: BackupLocation): Promise<string> {
  try {
    const storage = await openLocation(location);
    const probe = storage.stat("config.json");
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error("timeout")), 5000).unref(),
    );
    await Promise.race([probe, timeout]);
    return "Available";
  } catch {
    return "Unavailable";
  }
}

const encryptionHelp =
  "encrypt everything stored (AES-256-GCM) under a key read from this file (32+ bytes; keep a copy: without it nothing can be restored)";

const credentialHelp =
  "credentials file: AWS-style (s3), service-account JSON key (gcs), AZURE_STORAGE_*=... lines (azure)";

export function registerLocation(program: Command, run: Runner): void {
  const cmd = program.command("backup-location").description("Work with storage locations");
  cmd
    .command("create")
    .argument("<name>")
    .description("Add a storage location")
    .requiredOption("--provider <provider>", storageProviders.join(", "))
    .option("--bucket <bucket>", "bucket name (azure: the container; file: the absolute directory)")
    .option("--prefix <prefix>", "key prefix inside the bucket")
    .option(
      "--config <k=v,...>",
      "provider settings: s3 region, s3Url, s3ForcePathStyle; gcs endpoint, projectId; azure storageAccount, blobEndpoint",
    )
    .option("--credential <file>", credentialHelp)
    .option("--encryption-key-file <file>", encryptionHelp)
    .option("--access-mode <mode>", "ReadWrite or ReadOnly (restore-only)")
    .option("--default", "make it the default location")
    .action((name: string, flags: CreateFlags) =>
      run(async (ctx) => {
        const location = await create(name, flags);
        println(ctx.io.stdout, `Backup location "${location.name}" configured successfully.`);
        return 0;
      }),
    );
  cmd
    .command("get")
    .argument("[names...]")
    .description("List storage locations")
    .option("-o, --output <format>", "table, json or yaml")
    .action((names: string[], flags: { output?: string }) =>
      run(async (ctx) => {
        const config = await loadConfig();
        const shown = names.length ? names.map((n) => findLocation(config, n)) : config.locations;
        const phases = await Promise.all(shown.map(phaseOf));
        const validated = ctx.now().toISOString().slice(0, 19).replace("T", " ");
        printList(ctx.io, flags.output, shown, {
          columns: ["NAME", "PROVIDER", "BUCKET/PREFIX", "PHASE", "LAST VALIDATED", "ACCESS MODE", "DEFAULT"],
          row: (l) => [
            l.name,
            l.provider,
            l.prefix ? `${l.bucket}/${l.prefix}` : l.bucket,
            phases[shown.indexOf(l)] ?? "Unknown",
            `${validated} +0000 UTC`,
            l.accessMode,
            l.default ? "true" : "",
          ],
          empty: "No backup locations found.",
        });
        return 0;
      }),
    );
  cmd
    .command("set")
    .argument("<name>")
    .description("Change a storage location")
    .option("--access-mode <mode>", "ReadWrite or ReadOnly (restore-only)")
    .option("--default", "make it the default location")
    .option("--credential <file>", credentialHelp)
    .option("--encryption-key-file <file>", "where the location's encryption key now is (the same key)")
    .action((name: string, flags) =>
      run(async (ctx) => {
        await set(name, flags);
        println(ctx.io.stdout, `Backup location "${name}" updated.`);
        return 0;
      }),
    );
  cmd
    .command("rotate-key")
    .argument("<name>")
    .description("Encrypt the location's repository key under a new key file (data is not rewritten)")
    .requiredOption("--new-key-file <file>", "the new key: 32 or more bytes")
    .action((name: string, flags: { newKeyFile: string }) =>
      run(async (ctx) => {
        await rotateKey(name, flags.newKeyFile);
        println(
          ctx.io.stdout,
          `Backup location "${name}" now opens with ${resolve(flags.newKeyFile)}; the old key no longer does.`,
        );
        return 0;
      }),
    );
  cmd
    .command("delete")
    .argument("<names...>")
    .description("Forget storage locations (their data stays where it is)")
    .option("--confirm", "do not ask for confirmation")
    .action((names: string[], flags: { confirm?: boolean }) =>
      run(async (ctx) => {
        const config = await loadConfig();
        for (const name of names) findLocation(config, name);
        if (!flags.confirm && !(await confirm(ctx.io, `Forget backup location(s) ${names.join(", ")}?`)))
          return 0;
        await saveConfig({ locations: config.locations.filter((l) => !names.includes(l.name)) });
        println(
          ctx.io.stdout,
          `Backup location(s) ${names.join(", ")} deleted; the data in them was left alone.`,
        );
        return 0;
      }),
    );
}
