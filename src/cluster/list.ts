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
 * large the cluster. The next page is asked for as soon as a page arrives, so the API server
 * prepares it while the caller handles this one (at most two pages held). A continue token
 * that expired (410) restarts the list; the API server lists in key order (namespace, then
 * name), so the objects already yielded are skipped.
 */
export async function* listObjects(
  client: KubeClient,
  type: ResourceType,
  options: ListOptions = {},
): AsyncGenerator<KubeObject> {
  const base = resourcePath(type, { namespace: options.namespace });
  const apiVersion = type.group === "" ? type.version : `${type.group}/${type.version}`;
  const fetchPage = (token: string | undefined): Promise<ListPage> => {
    const page = client.get<ListPage>(
      withQuery(base, {
        limit: options.pageSize ?? 500,
        continue: token,
        labelSelector: options.labelSelector,
      }),
    );
    // Handled where it is awaited; this only keeps a page the caller never reaches (it stopped
    // early) from being an unhandled rejection.
    page.catch(() => undefined);
    return page;
  };
  let lastKey: string | undefined;
  let token: string | undefined;
  let next: Promise<ListPage> | undefined = fetchPage(undefined);
  while (next !== undefined) {
    let page: ListPage;
    try {
      page = await next;
    } catch (err) {
      if (token !== undefined && isKubesnapError(err, "Expired")) {
        token = undefined;
        next = fetchPage(undefined);
        continue;
      }
      throw err;
    }
    token = page.metadata?.continue || undefined;
    next = token === undefined ? undefined : fetchPage(token);
    for (const item of page.items) {
      const key = `${item.metadata.namespace ?? ""}/${item.metadata.name}`;
      if (lastKey !== undefined && key <= lastKey) continue;
      lastKey = key;
      // Items in a list carry no apiVersion/kind of their own; the list's type supplies them.
      yield { ...item, apiVersion, kind: type.kind };
    }
  }
}
