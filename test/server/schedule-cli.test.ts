import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";
import { deleteNamespace } from "../workloads.js";
import { getKubesnap, listKubesnap, type RunningServer, startServer } from "./harness.js";

describe("kubesnap schedule … against a running server", () => {
  let server: RunningServer;
  let cli: (...args: string[]) => ReturnType<typeof kubesnap>;
  let workload = "";

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    server = await startServer(cluster, testEnv().s3, { prefix: uniqueName("schedules") });
    workload = uniqueName("scheduled");
    await clients(cluster).core.createNamespace({ body: { metadata: { name: workload } } });
    cli = (...args) => kubesnap("--kubeconfig", cluster.kubeconfig, "-n", server.namespace, ...args);
  });
  afterAll(async () => {
    await server?.stop();
    for (const namespace of [workload, `${workload}-r`]) {
      await deleteNamespace(testEnv().clusters[0]!, namespace).catch(() => undefined);
    }
  });

  it("creates, lists, describes with keep rules, runs one now, pauses and deletes", async () => {
    const created = await cli(
      "schedule",
      "create",
      "nightly",
      "--schedule",
      "0 3 * * *",
      "--timezone",
      "Europe/Berlin",
      "--include-namespaces",
      workload,
      "--ttl",
      "48h",
      "--keep-daily",
      "7",
      "--skip-immediately",
    );
    expect(created.stdout).toContain('Schedule "nightly" created successfully.');
    await eventually("the schedule to be Enabled", async () => {
      const listed = await cli("schedule", "get");
      return /^nightly\s+Enabled\s.*0 3 \* \* \* \(Europe\/Berlin\)\s+48h0m0s\s+n\/a\s+<none>\s+false$/m.test(
        listed.stdout,
      )
        ? true
        : undefined;
    });

    await clients(testEnv().clusters[0]!).core.createNamespacedConfigMap({
      namespace: workload,
      body: { metadata: { name: "settings" }, data: { mode: "nightly" } },
    });
    const now = await cli("backup", "create", "--from-schedule", "nightly");
    expect(now.code).toBe(0);
    const name = now.stdout.match(/Backup request "([^"]+)"/)?.[1] ?? "";
    expect(name).toMatch(/^nightly-\d{14}$/);
    const backup = await eventually(
      "the backup from the schedule to complete",
      async () => {
        const b = await getKubesnap(server.client, server.namespace, "backups", name);
        return b?.status?.phase === "Completed" ? b : undefined;
      },
      60_000,
    );
    expect(backup.metadata.labels?.["kubesnap.io/schedule-name"]).toBe("nightly");

    // Disaster recovery as Velero users type it: the schedule's newest Completed backup.
    const restored = await cli(
      "restore",
      "create",
      "--from-schedule",
      "nightly",
      "--namespace-mappings",
      `${workload}:${workload}-r`,
      "--wait",
    );
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toContain(
      `Restoring backup "${name}", the newest Completed backup of schedule "nightly".`,
    );
    const settings = await clients(testEnv().clusters[0]!).core.readNamespacedConfigMap({
      namespace: `${workload}-r`,
      name: "settings",
    });
    expect(settings.data).toEqual({ mode: "nightly" });
    const none = await cli("restore", "create", "--from-schedule", "weekly");
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(
      'schedule "weekly" has no Completed backup (0 backup(s) labelled kubesnap.io/schedule-name=weekly)',
    );

    const described = await cli("schedule", "describe", "nightly");
    expect(described.stdout).toMatch(/Time zone:\s+Europe\/Berlin/);
    expect(described.stdout).toContain("Keep rules (keepDaily 7)");
    expect(described.stdout).toMatch(new RegExp(`${name}: kept \\(daily \\d{4}-\\d{2}-\\d{2}\\)`));

    expect((await cli("schedule", "pause", "nightly")).stdout).toContain('Schedule "nightly" paused.');
    const paused = await getKubesnap<{ spec: { paused: boolean } } & { metadata: { name: string } }>(
      server.client,
      server.namespace,
      "schedules",
      "nightly",
    );
    expect(paused?.spec.paused).toBe(true);
    await kubesnapOk(
      "--kubeconfig",
      testEnv().clusters[0]!.kubeconfig,
      "-n",
      server.namespace,
      "schedule",
      "delete",
      "nightly",
      "--confirm",
    );
    expect(await listKubesnap(server.client, server.namespace, "schedules")).toEqual([]);
  });

  it("rejects a bad cron or time zone with one clear line, creating nothing", async () => {
    const bad = await cli("schedule", "create", "broken", "--schedule", "61 * * * *");
    expect(bad.code).toBe(1);
    expect(bad.stderr.trim().split("\n")).toHaveLength(1);
    expect(bad.stderr).toMatch(/^Error: .*61/);
    const zone = await cli(
      "schedule",
      "create",
      "broken",
      "--schedule",
      "@daily",
      "--timezone",
      "Mars/Olympus",
    );
    expect(zone.stderr).toMatch(/Mars\/Olympus/);
    expect(await getKubesnap(server.client, server.namespace, "schedules", "broken")).toBeUndefined();
  });

  it("says how to install the server when it is not installed", async () => {
    const result = await kubesnap(
      "--kubeconfig",
      testEnv().clusters[1]!.kubeconfig,
      "-n",
      "no-kubesnap-here",
      "schedule",
      "get",
    );
    // Cluster 2 may have kubesnap's API from other tests; then the answer is simply an empty list.
    if (result.code !== 0) expect(result.stderr).toContain("kubesnap install");
    else expect(result.stdout).toContain("No schedules found.");
  });
});
