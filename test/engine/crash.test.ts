import { spawn } from "node:child_process";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../testenv/paths.js";
import { isolateCli, jsonObjects, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";

const cli = join(repoRoot(), "bin", "kubesnap.js");

/** Starts the built CLI and kills it with SIGKILL after `ms`; resolves with its exit signal. */
function killedBackup(name: string, namespace: string, ms: number): Promise<NodeJS.Signals | null> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [cli, "backup", "create", name, "--include-namespaces", namespace],
      {
        stdio: "ignore",
      },
    );
    const timer = setTimeout(() => child.kill("SIGKILL"), ms);
    child.on("exit", (_code, signal) => {
      clearTimeout(timer);
      resolve(signal);
    });
  });
}

describe("a backup killed mid-way", () => {
  beforeAll(() => {
    isolateCli(testEnv().clusters[0]!);
  });

  it("never shows as Completed, and the next backup and gc succeed", async () => {
    const cluster = testEnv().clusters[0]!;
    const namespace = uniqueName("crash");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: namespace } } });
    await createConfigMaps(cluster, namespace, 400);

    // Kill points spread over a backup's life: start-up, listing, packing, committing.
    const killed: string[] = [];
    for (const ms of [150, 400 + Math.random() * 400, 800 + Math.random() * 1200]) {
      const name = uniqueName("killed");
      const signal = await killedBackup(name, namespace, ms);
      if (signal === "SIGKILL") killed.push(name);
    }
    expect(killed.length).toBeGreaterThan(0);

    const listed = await kubesnapOk("backup", "get", "-o", "json");
    const records = jsonObjects<{ metadata: { name: string }; status: { phase: string } }>(listed.stdout);
    for (const record of records) {
      if (killed.includes(record.metadata.name)) expect(record.status.phase).not.toBe("Completed");
    }

    const next = uniqueName("after-crash");
    await kubesnapOk("backup", "create", next, "--include-namespaces", namespace);
    const described = await kubesnapOk("backup", "describe", next);
    expect(described.stdout).toMatch(/Phase:\s+Completed/);
    expect(described.stdout).toMatch(/Total items backed up:\s+40[0-9]/);

    // Deleting runs gc: the dead writers' locks are recognised as dead, so it is not skipped.
    const deleted = await kubesnapOk("backup", "delete", next, "--confirm");
    expect(deleted.stdout).toMatch(/deleted; \d+ bytes freed/);
  });
});
