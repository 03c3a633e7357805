import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/cluster/connect.js";
import {
  startTcpFaultProxy,
  type TcpFaultProxy,
  writeProxiedKubeconfig,
} from "../../testenv/faults/index.js";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";

const CONFIG_MAPS = 200;

/**
 * kubesnap → TCP fault proxy → API server, with TLS passing through. The proxy sees
 * connections, not requests, so its faults are a share of new connections cut, a delay
 * before each, and the whole server gone. Set-up and checks use the direct kubeconfig.
 */
describe("an API server that fails under kubesnap", () => {
  let proxy: TcpFaultProxy;
  let kubeconfig = "";
  let source = "";

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    const { home } = isolateCli(cluster);
    proxy = await startTcpFaultProxy({ target: cluster.server, seed: 7 });
    kubeconfig = join(home, "proxied-kubeconfig");
    await writeProxiedKubeconfig(cluster.kubeconfig, kubeconfig, proxy.url);
    process.env.KUBECONFIG = kubeconfig;
    source = uniqueName("api-faults-src");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: source } } });
    await createConfigMaps(cluster, source, CONFIG_MAPS);
  });
  afterEach(() => {
    proxy.setFaults({ dropRate: 0, delayMs: 0, down: false });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it("with a tenth of new connections cut and each one delayed, a backup and a restore complete", async () => {
    proxy.setFaults({ dropRate: 0.1, delayMs: 100 });
    const backup = uniqueName("api-faults");
    const created = await kubesnapOk("backup", "create", backup, "--include-namespaces", source);
    expect(created.stdout).toContain(`Backup "${backup}" finished: Completed`);

    const target = uniqueName("api-faults-dst");
    const restored = await kubesnapOk(
      "restore",
      "create",
      "--from-backup",
      backup,
      "--namespace-mappings",
      `${source}:${target}`,
    );
    expect(restored.stdout).toMatch(/finished: Completed, \d+ items restored, 0 errors/);
    const { core } = clients(testEnv().clusters[0]!);
    const copies = await core.listNamespacedConfigMap({ namespace: target, labelSelector: "kind=filler" });
    expect(copies.items).toHaveLength(CONFIG_MAPS);
    expect(proxy.counts.dropped).toBeGreaterThan(0);
  });

  it("with the API server gone, the CLI fails fast with one line naming it", async () => {
    proxy.setFaults({ down: true });
    const started = Date.now();
    const result = await kubesnap("backup", "create", uniqueName("gone"), "--include-namespaces", source);
    // Full rounds of backoff, as for a server that was reached and blinked, took ~16 s here.
    expect(Date.now() - started).toBeLessThan(5000);
    expect(result.code).not.toBe(0);
    const message = result.stderr.trim();
    expect(message.split("\n")).toHaveLength(1);
    expect(message).toContain("cannot reach the API server at context");
    expect(message).toContain(proxy.url);
    expect(proxy.counts.refused).toBeGreaterThan(0);
  });

  it("a client that has reached its server rides out an outage with every retry", async () => {
    const before = proxy.counts.refused;
    let sleeps = 0;
    // The outage ends during the fifth wait: past the few tries a never-reached server gets.
    const client = await connect({
      kubeconfig,
      sleep: async () => {
        if (++sleeps === 5) proxy.setFaults({ down: false });
      },
    });
    try {
      await client.get("/version");
      proxy.setFaults({ down: true });
      const answer = await client.get<{ gitVersion: string }>("/version");
      expect(answer.gitVersion).toMatch(/^v1\./);
      // Five failed tries: the first may die on the cut keep-alive socket, the rest are refused.
      expect(sleeps).toBe(5);
      expect(proxy.counts.refused - before).toBeGreaterThanOrEqual(4);
    } finally {
      client.close();
    }
  });
});
