import type { KubeClient } from "../cluster/client.js";
import { inform } from "../cluster/watch.js";
import { groupResource } from "../core/kube-types.js";
import { type Change, WatchedObjects, type WatchPlan } from "../trigger/index.js";

/**
 * Follows what one trigger watches: a list+watch per target (inform resumes from the last
 * resourceVersion after a cut and re-lists on 410 Gone) and the changes the plan counts.
 * The first list of every target is a baseline, not changes, so a restarted server does not
 * fire for what happened before it started. Ends when the signal aborts.
 */
export async function watchTrigger(options: {
  readonly client: KubeClient;
  readonly plan: WatchPlan;
  readonly signal: AbortSignal;
  readonly onChange: (change: Change) => void;
  /** Once every target has its baseline: changes from then on are seen. */
  readonly onBaseline: () => void;
  readonly onError: (message: string) => void;
}): Promise<void> {
  const { plan, signal } = options;
  let waiting = plan.targets.length;
  await Promise.all(
    plan.targets.map(async (target) => {
      const objects = new WatchedObjects(groupResource(target.type), plan);
      let listed = false;
      const events = inform(options.client, target.type, {
        ...(target.namespace ? { namespace: target.namespace } : {}),
        signal,
        onError: options.onError,
      });
      for await (const event of events) {
        const changes =
          event.type === "sync"
            ? objects.sync(event.objects)
            : event.type === "upsert"
              ? objects.upsert(event.object)
              : objects.remove(event.object);
        for (const change of changes) options.onChange(change);
        if (event.type === "sync" && !listed) {
          listed = true;
          if (--waiting === 0) options.onBaseline();
        }
      }
    }),
  );
}
