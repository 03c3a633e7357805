import { describe, expect, it } from "vitest";
import { connect } from "../../src/cluster/connect.js";
import { type InformerEvent, inform } from "../../src/cluster/watch.js";
import type { ResourceType } from "../../src/core/kube-types.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";

const configMaps: ResourceType = {
  group: "",
  version: "v1",
  resource: "configmaps",
  kind: "ConfigMap",
  namespaced: true,
};

/**
 * Only the test's own ConfigMaps: the root-CA publisher adds kube-root-ca.crt to every new
 * namespace whenever it gets to it, which would interleave with the events under test.
 */
const MINE = { test: "watch" };

/** Reads events from an informer one at a time. */
function reader(events: AsyncGenerator<InformerEvent>) {
  return async (): Promise<InformerEvent> => {
    const next = await events.next();
    if (next.done) throw new Error("the informer ended");
    return next.value;
  };
}

describe("the informer (list, then watch)", () => {
  it("starts with the current set, then reports creates, updates and deletes in order", async () => {
    const cluster = testEnv().clusters[0]!;
    const { core } = clients(cluster);
    const namespace = uniqueName("watch");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "before", labels: MINE }, data: { a: "1" } },
    });

    const client = await connect({ kubeconfig: cluster.kubeconfig });
    const abort = new AbortController();
    const next = reader(
      inform(client, configMaps, { namespace, labelSelector: "test=watch", signal: abort.signal }),
    );
    try {
      const sync = await next();
      expect(sync.type).toBe("sync");
      const names = sync.type === "sync" ? sync.objects.map((o) => o.metadata.name).sort() : [];
      expect(names).toEqual(["before"]);

      await core.createNamespacedConfigMap({
        namespace,
        body: { metadata: { name: "made", labels: MINE }, data: { a: "1" } },
      });
      expect(await next()).toMatchObject({
        type: "upsert",
        object: { kind: "ConfigMap", metadata: { name: "made" } },
      });
      await core.replaceNamespacedConfigMap({
        namespace,
        name: "made",
        body: { metadata: { name: "made", labels: MINE }, data: { a: "2" } },
      });
      expect(await next()).toMatchObject({ type: "upsert", object: { data: { a: "2" } } });
      await core.deleteNamespacedConfigMap({ namespace, name: "made" });
      expect(await next()).toMatchObject({ type: "delete", object: { metadata: { name: "made" } } });
    } finally {
      abort.abort();
      client.close();
    }

    // A new informer (a restarted server) begins with the current state, not with old events.
    const again = await connect({ kubeconfig: cluster.kubeconfig });
    const abort2 = new AbortController();
    try {
      const first = await reader(
        inform(again, configMaps, { namespace, labelSelector: "test=watch", signal: abort2.signal }),
      )();
      expect(first.type).toBe("sync");
      expect(first.type === "sync" && first.objects.some((o) => o.metadata.name === "made")).toBe(false);
    } finally {
      abort2.abort();
      again.close();
    }
  });
});
