import type { KubeClient } from "../cluster/client.js";
import { type ConnectOptions, connect } from "../cluster/connect.js";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import { findLocation, type LocalConfig, loadConfig } from "../locations/config-file.js";
import { type BackupLocation, openLocation, readEncryptionKey } from "../locations/location.js";
import { Repository } from "../repository/index.js";

/**
 * Local mode: the engine runs inside the CLI, against the storage locations of the local
 * config. Opens clusters and repositories lazily and closes them once.
 */
export class LocalSession {
  private client: KubeClient | undefined;
  private readonly repositories = new Map<string, Promise<Repository>>();

  private constructor(
    readonly config: LocalConfig,
    private readonly connectOptions: ConnectOptions,
    client: KubeClient | undefined,
  ) {
    this.client = client;
  }

  /** client: a connection already made (it is closed with the session). */
  static async open(connectOptions: ConnectOptions, client?: KubeClient): Promise<LocalSession> {
    return new LocalSession(await loadConfig(), connectOptions, client);
  }

  location(name?: string): BackupLocation {
    return findLocation(this.config, name);
  }

  async cluster(): Promise<KubeClient> {
    this.client ??= await connect(this.connectOptions);
    return this.client;
  }

  repository(location: BackupLocation): Promise<Repository> {
    let repo = this.repositories.get(location.name);
    if (!repo) {
      repo = Promise.all([openLocation(location), readEncryptionKey(location)])
        .then(([storage, encryptionKey]) => Repository.open(storage, encryptionKey ? { encryptionKey } : {}))
        .catch((err: unknown) => {
          throw new KubesnapError(
            isKubesnapError(err) ? err.code : "Unavailable",
            `Backup location "${location.name}" cannot be used: ${err instanceof Error ? err.message : String(err)}`,
            {
              // The inner hint (a wrong key, a missing bucket) says more than a general one.
              hint:
                (isKubesnapError(err) && err.hint) ||
                "check its bucket, path and credentials (`kubesnap backup-location get`)",
              cause: err,
            },
          );
        });
      this.repositories.set(location.name, repo);
    }
    return repo;
  }

  close(): void {
    this.client?.close();
  }
}
