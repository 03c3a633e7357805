import type { KubeClient } from "../cluster/client.js";
import { inform } from "../cluster/watch.js";
import { describeError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import { WorkQueue } from "./queue.js";

export interface Logger {
  info(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/** What a reconcile asks for next: nothing, or another look after a while. */
export type ReconcileResult = { readonly requeueAfterMs?: number } | undefined;

/** One controller: the kind it watches and how it brings one object to its desired state. */
export interface Reconciler {
  readonly name: string;
  readonly type: ResourceType;
  /** Called with the cached object, or undefined when it was deleted. */
  reconcile(key: string, object: KubeObject | undefined, signal: AbortSignal): Promise<ReconcileResult>;
  /** Called once, after the first full list, with everything that exists (e.g. to recover after a restart). */
  onSynced?(objects: readonly KubeObject[], signal: AbortSignal): Promise<void>;
}

/** A read-only view of a kind's objects, kept current by its informer. */
export class Cache {
  readonly objects = new Map<string, KubeObject>();
  synced = false;

  list(): KubeObject[] {
    return [...this.objects.values()];
  }
}

export const keyOf = (o: KubeObject) => `${o.metadata.namespace ?? ""}/${o.metadata.name}`;

/**
 * Runs a reconciler: an informer feeds a cache and a work queue; `workers` loops reconcile
 * one key at a time each. Errors are logged and the key retried with backoff, so one bad
 * object never stops the others.
 */
export async function runController(
  reconciler: Reconciler,
  options: {
    client: KubeClient;
    namespace: string;
    cache: Cache;
    log: Logger;
    signal: AbortSignal;
    workers?: number;
  },
): Promise<void> {
  const { cache, log, signal } = options;
  const queue = new WorkQueue();
  signal.addEventListener("abort", () => queue.close(), { once: true });

  const worker = async () => {
    for (;;) {
      const key = await queue.take();
      if (key === undefined) return;
      try {
        const result = await reconciler.reconcile(key, cache.objects.get(key), signal);
        queue.forget(key);
        if (result?.requeueAfterMs !== undefined) queue.addAfter(key, result.requeueAfterMs);
      } catch (err) {
        if (!signal.aborted) {
          log.error(`${reconciler.name}: reconciling ${key} failed; will retry`, {
            error: describeError(err),
          });
          queue.retry(key);
        }
      } finally {
        queue.done(key);
      }
    }
  };

  const feed = async () => {
    const events = inform(options.client, reconciler.type, {
      namespace: options.namespace,
      signal,
      onError: (message) => log.error(`${reconciler.name}: ${message}`),
    });
    for await (const event of events) {
      if (event.type === "sync") {
        const seen = new Set(event.objects.map(keyOf));
        for (const key of cache.objects.keys()) if (!seen.has(key)) queue.add(key);
        cache.objects.clear();
        for (const object of event.objects) cache.objects.set(keyOf(object), object);
        if (!cache.synced) {
          cache.synced = true;
          await reconciler.onSynced?.(event.objects, signal);
        }
        for (const key of seen) queue.add(key);
      } else if (event.type === "upsert") {
        cache.objects.set(keyOf(event.object), event.object);
        queue.add(keyOf(event.object));
      } else {
        cache.objects.delete(keyOf(event.object));
        queue.add(keyOf(event.object));
      }
    }
  };

  await Promise.all([feed(), ...Array.from({ length: options.workers ?? 2 }, worker)]);
}
