import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";
import { flipByte, frameOfConfigMap } from "./damage.js";

describe("a damaged backup", () => {
  let location = "";
  beforeAll(() => {
    location = isolateCli(testEnv().clusters[0]!).defaultLocation;
  });

  it("names the items whose bytes were damaged, restores the others, and ends PartiallyFailed", async () => {
    const cluster = testEnv().clusters[0]!;
    const { core } = clients(cluster);
    const namespace = uniqueName("damaged");
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await createConfigMaps(cluster, namespace, 40);
    const backup = uniqueName("damaged");
    await kubesnapOk("backup", "create", backup, "--include-namespaces", namespace);

    // Flip one byte in the middle of one ConfigMap's frame.
    const frame = await frameOfConfigMap(location, backup, namespace, "cm-0007");
    flipByte(frame.packFile, frame.offset + Math.floor(frame.length / 2));

    const target = uniqueName("recovered");
    const restore = await kubesnap(
      "restore",
      "create",
      "--from-backup",
      backup,
      "--namespace-mappings",
      `${namespace}:${target}`,
    );
    expect(restore.code).toBe(1);
    expect(restore.stdout).toContain("PartiallyFailed");
    const name = restore.stdout.match(/Restore "([^"]+)"/)?.[1] ?? "";
    const described = await kubesnapOk("restore", "describe", name);
    expect(described.stdout).toMatch(new RegExp(`configmaps ${namespace}/cm-0007: .*corrupt`, "i"));
    expect(described.stdout).toMatch(/Errors \(1\)/);

    const restored = (await core.listNamespacedConfigMap({ namespace: target })).items.map(
      (c) => c.metadata?.name,
    );
    expect(restored).not.toContain("cm-0007");
    expect(restored.filter((n) => n?.startsWith("cm-"))).toHaveLength(39);
  });
});
