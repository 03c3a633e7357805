import { describeError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import type { KubeClient } from "./client.js";
import { resourcePath, withQuery } from "./paths.js";

/**
 * What an informer reports: the whole current set after each (re-)list, then changes.
 * After a "sync", the consumer's view is exactly `objects`: anything it knew that is not in
 * it was deleted while the watch was down.
 */
export type InformerEvent =
  | { readonly type: "sync"; readonly objects: readonly KubeObject[] }
  | { readonly type: "upsert"; readonly object: KubeObject }
  | { readonly type: "delete"; readonly object: KubeObject };

export interface InformOptions {
  readonly namespace?: string;
  readonly labelSelector?: string;
  readonly signal: AbortSignal;
  /** Server-side timeout of one watch request; the informer then resumes where it was. */
  readonly watchSeconds?: number;
  /** Injected for tests of reconnection; defaults to setTimeout. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly onError?: (message: string) => void;
}

interface WatchLine {
  type: "ADDED" | "MODIFIED" | "DELETED" | "BOOKMARK" | "ERROR";
  object: KubeObject & { code?: number; message?: string };
}

/**
 * List, then watch from the list's resourceVersion, for as long as the signal allows.
 * A dropped connection resumes from the last resourceVersion seen (bookmarks keep it
 * fresh); 410 Gone (history compacted) re-lists. Events are never replayed twice, and a
 * restart of the consumer starts with a sync, not with old events.
 */
export async function* inform(
  client: KubeClient,
  type: ResourceType,
  options: InformOptions,
): AsyncGenerator<InformerEvent> {
  const sleep = options.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms)));
  const apiVersion = type.group === "" ? type.version : `${type.group}/${type.version}`;
  const path = resourcePath(type, { namespace: options.namespace });
  let resourceVersion: string | undefined;
  let failures = 0;
  while (!options.signal.aborted) {
    try {
      if (resourceVersion === undefined) {
        const list = await listAll(client, path, options.labelSelector);
        resourceVersion = list.resourceVersion;
        yield { type: "sync", objects: list.items.map((item) => ({ ...item, apiVersion, kind: type.kind })) };
      }
      const watchPath = withQuery(path, {
        watch: 1,
        allowWatchBookmarks: "true",
        resourceVersion,
        labelSelector: options.labelSelector,
        timeoutSeconds: options.watchSeconds ?? 300,
      });
      const response = await client.stream(watchPath, options.signal);
      if (response.status === 410) {
        resourceVersion = undefined;
        continue;
      }
      if (response.status !== 200) throw new Error(`watch of ${path} answered HTTP ${response.status}`);
      for await (const line of response.lines) {
        if (line.trim() === "") continue;
        const event = JSON.parse(line) as WatchLine;
        if (event.type === "ERROR") {
          // 410: the version we hold was compacted away; only a fresh list is complete again.
          if (event.object.code === 410) resourceVersion = undefined;
          else throw new Error(`watch of ${path}: ${event.object.message ?? "error"}`);
          break;
        }
        resourceVersion = event.object.metadata?.resourceVersion ?? resourceVersion;
        if (event.type === "BOOKMARK") continue;
        const object = { ...event.object, apiVersion, kind: type.kind };
        yield event.type === "DELETED" ? { type: "delete", object } : { type: "upsert", object };
      }
      failures = 0;
    } catch (err) {
      if (options.signal.aborted) return;
      failures++;
      options.onError?.(`watch of ${path} failed (${describeError(err)}); retrying`);
      await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
    }
  }
}

async function listAll(
  client: KubeClient,
  path: string,
  labelSelector: string | undefined,
): Promise<{ items: KubeObject[]; resourceVersion: string }> {
  const items: KubeObject[] = [];
  let token: string | undefined;
  let resourceVersion = "";
  do {
    const page = await client.get<{
      metadata: { continue?: string; resourceVersion: string };
      items: KubeObject[];
    }>(withQuery(path, { limit: 500, continue: token, labelSelector }));
    items.push(...page.items);
    resourceVersion = page.metadata.resourceVersion;
    token = page.metadata.continue || undefined;
  } while (token);
  return { items, resourceVersion };
}
