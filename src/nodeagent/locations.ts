/**
 * The agent's view of the server's BackupStorageLocations. Each copy re-reads them (one
 * list), so a changed location is used at once, but the open repository of a location
 * version is kept: opening one loads the location's whole index, which a busy node would
 * otherwise do for every volume.
 */
import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import type { KubeObject } from "../core/kube-types.js";
import type { Repository } from "../repository/index.js";
import { Cache, keyOf } from "../server/controller.js";
import { TYPES } from "../server/kinds.js";
import { ServerLocations } from "../server/locations.js";

export class AgentLocations {
  private readonly cache = new Cache();
  private readonly locations: ServerLocations;

  constructor(
    private readonly client: KubeClient,
    private readonly namespace: string,
  ) {
    this.locations = new ServerLocations(client, namespace, this.cache);
  }

  /** The repository of the named location, as the location is now. */
  async repository(name: string): Promise<Repository> {
    const { items } = await this.client.get<{ items: KubeObject[] }>(
      resourcePath(TYPES.locations, { namespace: this.namespace }),
    );
    this.cache.objects.clear();
    for (const item of items) this.cache.objects.set(keyOf(item), item);
    return this.locations.repository(this.locations.find(name));
  }
}
