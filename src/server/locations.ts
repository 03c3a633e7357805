import type { BackupStorageLocation } from "../api/index.js";
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import { type BackupLocation, openLocation } from "../locations/location.js";
import { Repository } from "../repository/index.js";
import type { Storage } from "../storage/index.js";
import { Cache, keyOf } from "./controller.js";
import { SECRETS, TYPES } from "./kinds.js";

/**
 * The server's view of its BackupStorageLocations: finds them in the informer cache, reads
 * their credentials from Secrets (never logged, never in status), and keeps one open
 * repository per location version, so a changed location (new bucket, new mode) takes
 * effect without a restart.
 */
export class ServerLocations {
  private readonly repositories = new Map<string, Promise<Repository>>();

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
    private readonly cache: Cache,
  ) {}

  /** Locations as listed now, for a process that runs no informer (a standby replica). */
  static async listed(client: KubeClient, namespace: string): Promise<ServerLocations> {
    const cache = new Cache();
    const { items } = await client.get<{ items: KubeObject[] }>(resourcePath(TYPES.locations, { namespace }));
    for (const item of items) cache.objects.set(keyOf(item), item);
    cache.synced = true;
    return new ServerLocations(client, namespace, cache);
  }

  all(): BackupStorageLocation[] {
    return this.cache.list() as unknown as BackupStorageLocation[];
  }

  /** A location by name, or the default one. */
  find(name: string | undefined): BackupStorageLocation {
    const all = this.all();
    const found = name ? all.find((l) => l.metadata.name === name) : all.find((l) => l.spec.default);
    if (!found) {
      throw new KubesnapError(
        "NotFound",
        `BackupStorageLocation "${name ?? "(default)"}" not found in namespace ${this.namespace}`,
        {
          hint: name
            ? "create it, or name an existing one"
            : "mark one location as default (spec.default: true)",
        },
      );
    }
    return found;
  }

  /** The engine's view of a location. */
  static toLocation(bsl: BackupStorageLocation): BackupLocation {
    return {
      name: bsl.metadata.name,
      provider: bsl.spec.provider,
      bucket: bsl.spec.objectStorage.bucket,
      ...(bsl.spec.objectStorage.prefix ? { prefix: bsl.spec.objectStorage.prefix } : {}),
      config: bsl.spec.config,
      accessMode: bsl.spec.accessMode,
      default: bsl.spec.default,
    };
  }

  async storage(bsl: BackupStorageLocation): Promise<Storage> {
    return openLocation(ServerLocations.toLocation(bsl), await this.credentials(bsl));
  }

  repository(bsl: BackupStorageLocation): Promise<Repository> {
    const key = `${bsl.metadata.name}@${bsl.metadata.resourceVersion ?? ""}`;
    let repo = this.repositories.get(key);
    if (!repo) {
      repo = (async () => {
        const storage = await this.storage(bsl);
        const key = bsl.spec.encryptionKey;
        return Repository.open(
          storage,
          key ? { encryptionKey: await this.secretValue(bsl, key, "spec.encryptionKey") } : {},
        );
      })();
      // A failed open is not cached: the next attempt tries again.
      repo.catch(() => this.repositories.delete(key));
      this.repositories.set(key, repo);
    }
    return repo;
  }

  private async credentials(bsl: BackupStorageLocation): Promise<string | undefined> {
    const ref = bsl.spec.credential;
    if (!ref) return undefined;
    return Buffer.from(await this.secretValue(bsl, ref, "spec.credential")).toString("utf8");
  }

  /** The bytes of a Secret's key that a location names (never logged, never in status). */
  private async secretValue(
    bsl: BackupStorageLocation,
    ref: { name: string; key: string },
    field: string,
  ): Promise<Uint8Array> {
    const secret = await this.client.get<KubeObject & { data?: Record<string, string> }>(
      resourcePath(SECRETS, { namespace: this.namespace, name: ref.name }),
    );
    const value = secret.data?.[ref.key];
    if (value === undefined) {
      throw new KubesnapError(
        "NotFound",
        `Secret ${this.namespace}/${ref.name} has no key "${ref.key}" for location "${bsl.metadata.name}"`,
        { hint: `fix ${field} of the BackupStorageLocation` },
      );
    }
    return Buffer.from(value, "base64");
  }
}
