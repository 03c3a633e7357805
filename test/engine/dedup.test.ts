import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";

/** Bytes stored under a directory: what a backup really cost the location. */
function storedBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) total += statSync(join(entry.parentPath, entry.name)).size;
  }
  return total;
}

describe("deduplication across backups", () => {
  let location = "";
  beforeAll(() => {
    location = isolateCli(testEnv().clusters[0]!).defaultLocation;
  });

  it("a second backup of an unchanged namespace writes under 5% of the first one's bytes", async () => {
    const cluster = testEnv().clusters[0]!;
    const namespace = uniqueName("dedup");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: namespace } } });
    await createConfigMaps(cluster, namespace, 300);

    await kubesnapOk("backup", "create", uniqueName("first"), "--include-namespaces", namespace);
    const first = storedBytes(location);
    await kubesnapOk("backup", "create", uniqueName("second"), "--include-namespaces", namespace);
    const second = storedBytes(location) - first;

    expect(first).toBeGreaterThan(100_000);
    expect(second / first).toBeLessThan(0.05);
  });
});
