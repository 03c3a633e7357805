import { isKubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import type { KubeClient } from "./client.js";
import { resourcePath, withQuery } from "./paths.js";

interface ListPage {
  metadata?: { continue?: string };
  items: KubeObject[];
}

export interface ListOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly pageSize?: number;
}

/**
 * Streams every object of a type, one page (500) at a time, so memory stays flat however
 * large the cluster. A continue token that expired (410) restarts the list; the API server
 * lists in key order (namespace, then name), so the objects already yielded are skipped.
 */
export async function* listObjects(
  client: KubeClient,
  type: ResourceType,
  options: ListOptions = {},
): AsyncGenerator<KubeObject> {
  const base = resourcePath(type, { namespace: options.namespace });
  const apiVersion = type.group === "" ? type.version : `${type.group}/${type.version}`;
  let lastKey: string | undefined;
  let token: string | undefined;
  for (;;) {
    let page: ListPage;
    try {
      page = await client.get<ListPage>(
        withQuery(base, {
          limit: options.pageSize ?? 500,
          continue: token,
          labelSelector: options.labelSelector,
        }),
      );
    } catch (err) {
      if (token !== undefined && isKubesnapError(err, "Expired")) {
        token = undefined;
        continue;
      }
      throw err;
    }
    for (const item of page.items) {
      const key = `${item.metadata.namespace ?? ""}/${item.metadata.name}`;
      if (lastKey !== undefined && key <= lastKey) continue;
      lastKey = key;
      // Items in a list carry no apiVersion/kind of their own; the list's type supplies them.
      yield { ...item, apiVersion, kind: type.kind };
    }
    token = page.metadata?.continue || undefined;
    if (token === undefined) return;
  }
}
