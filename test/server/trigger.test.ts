import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Backup, Trigger } from "../../src/api/index.js";
import type { KubeClient } from "../../src/cluster/client.js";
import { connect } from "../../src/cluster/connect.js";
import type { KubeObject } from "../../src/core/kube-types.js";
import { backupCause, TRIGGER_NAME_LABEL } from "../../src/trigger/index.js";
import { kubesnap } from "../cli.js";
import { testEnv } from "../context.js";
import { eventually, uniqueName } from "../kube.js";
import {
  createKubesnap,
  getKubesnap,
  listKubesnap,
  type RunningServer,
  type ServerProcess,
  serverProcess,
  startServer,
} from "./harness.js";

const DEPLOYMENTS = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;

async function createNamespace(client: KubeClient, name: string): Promise<void> {
  await client.request({
    method: "POST",
    path: "/api/v1/namespaces",
    body: JSON.stringify({ metadata: { name } }),
  });
}

async function createDeployment(client: KubeClient, namespace: string, name: string): Promise<void> {
  await client.request({
    method: "POST",
    path: DEPLOYMENTS(namespace),
    body: JSON.stringify({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "web", image: "nginx:1.27" }] },
        },
      },
    }),
  });
}

/** A rolling update: a new image in the Pod template (a spec change, so the generation goes up). */
async function rollOut(
  client: KubeClient,
  namespace: string,
  name: string,
  image: string,
): Promise<KubeObject> {
  return client.request<KubeObject>({
    method: "PATCH",
    path: `${DEPLOYMENTS(namespace)}/${name}`,
    body: JSON.stringify({ spec: { template: { spec: { containers: [{ name: "web", image }] } } } }),
    contentType: "application/strategic-merge-patch+json",
  });
}

async function triggerOf(client: KubeClient, namespace: string, name: string): Promise<Trigger | undefined> {
  return getKubesnap<Trigger>(client, namespace, "triggers", name);
}

/** Waits until the server watches the trigger's current spec: changes from now on are seen. */
async function watching(client: KubeClient, namespace: string, name: string): Promise<void> {
  await eventually(`trigger ${name} to watch`, async () => {
    const t = await triggerOf(client, namespace, name);
    return t?.status?.phase === "Enabled" && t.status.observedGeneration === t.metadata.generation
      ? true
      : undefined;
  });
}

async function backupsOf(client: KubeClient, namespace: string, trigger: string): Promise<Backup[]> {
  return (await listKubesnap<Backup>(client, namespace, "backups")).filter(
    (b) => b.metadata.labels?.[TRIGGER_NAME_LABEL] === trigger,
  );
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("kubesnap trigger … against a running server", () => {
  let server: RunningServer;
  let cli: (...args: string[]) => ReturnType<typeof kubesnap>;
  let workload = "";

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    server = await startServer(cluster, testEnv().s3, { prefix: uniqueName("triggers") });
    workload = uniqueName("rollout");
    await createNamespace(server.client, workload);
    for (const name of ["web", "api", "cart"]) await createDeployment(server.client, workload, name);
    cli = (...args) => kubesnap("--kubeconfig", cluster.kubeconfig, "-n", server.namespace, ...args);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("a rolling update of 3 Deployments makes exactly one backup, annotated with the cause; a status-only update none", async () => {
    const { client, namespace } = server;
    const created = await cli(
      ...["trigger", "create", "rollout", "--on", "deployments.apps", "--on-namespaces", workload],
      ...["--events", "update", "--spec-changes-only", "--debounce", "2s", "--ttl", "1h"],
    );
    expect(created.stderr).toBe("");
    expect(created.stdout).toContain('Trigger "rollout" created successfully.');
    await watching(client, namespace, "rollout");

    // Status only: what the deployment controller writes all the time (it is running here, too).
    await client.request({
      method: "PATCH",
      path: `${DEPLOYMENTS(workload)}/web/status`,
      body: JSON.stringify({
        status: { conditions: [{ type: "Progressing", status: "Unknown", reason: "Test" }] },
      }),
      contentType: "application/merge-patch+json",
    });
    await sleep(3_500);
    expect(await backupsOf(client, namespace, "rollout")).toEqual([]);
    expect((await triggerOf(client, namespace, "rollout"))?.status?.pending).toBeUndefined();

    const rolled: KubeObject[] = [];
    for (const name of ["web", "api", "cart"])
      rolled.push(await rollOut(client, workload, name, "nginx:1.28"));
    const changedAt = Date.now();
    const backup = await eventually(
      "the triggered backup",
      async () => (await backupsOf(client, namespace, "rollout"))[0],
      30_000,
      50,
    );
    const createdAfterMs = Date.now() - changedAt;
    const completed = await eventually(
      "the triggered backup to complete",
      async () => {
        const b = await getKubesnap<Backup>(client, namespace, "backups", backup.metadata.name);
        return b?.status?.phase === "Completed" ? b : undefined;
      },
      30_000,
      50,
    );
    const completedAfterMs = Date.now() - changedAt;
    console.log(
      `trigger latency (2 s debounce): change → Backup created ${createdAfterMs} ms, → committed (Completed) ${completedAfterMs} ms`,
    );

    expect(completed.metadata.name).toMatch(/^rollout-\d{14}$/);
    expect(completed.spec.includedNamespaces).toEqual([workload]);
    expect(completed.spec.ttl).toBe("1h0m0s");
    const cause = backupCause(completed);
    expect(cause?.changes).toBe(3);
    expect(
      cause?.causes.map((c) => [c.event, c.resource, c.namespace, c.name, c.resourceVersion]).sort(),
    ).toEqual(
      rolled
        .map((d) => ["update", "deployments.apps", workload, d.metadata.name, d.metadata.resourceVersion])
        .sort(),
    );

    // The deployment controller keeps writing status as the rollout goes on: still one backup.
    await sleep(3_500);
    expect((await backupsOf(client, namespace, "rollout")).map((b) => b.metadata.name)).toEqual([
      completed.metadata.name,
    ]);
    const trigger = await triggerOf(client, namespace, "rollout");
    expect(trigger?.status).toMatchObject({ phase: "Enabled", lastBackupName: completed.metadata.name });
    expect(trigger?.status?.pending).toBeUndefined();

    const described = await cli("trigger", "describe", "rollout");
    expect(described.stdout).toContain(`${completed.metadata.name} (Completed): update of deployments.apps`);
    expect(described.stdout).toContain("and 2 more");
    const listed = await cli("trigger", "get");
    expect(listed.stdout).toMatch(/^rollout\s+Enabled\s.*deployments\.apps\s+update \(spec\)\s+2s\s/m);

    expect((await cli("trigger", "pause", "rollout")).stdout).toContain('Trigger "rollout" paused.');
    expect((await triggerOf(client, namespace, "rollout"))?.spec.paused).toBe(true);
    expect((await cli("trigger", "delete", "rollout", "--confirm")).stdout).toContain(
      'Trigger "rollout" deleted.',
    );
  });

  it("rejects an unknown resource, a malformed selector and a debounce longer than min-interval, with the reason", async () => {
    const create = (...args: string[]) => cli("trigger", "create", "bad", "--on", ...args);
    const unknown = await create("deploymentz.apps");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no served resource is called "deploymentz.apps"');
    const selector = await create("configmaps", "--on-selector", "app in web");
    expect(selector.code).toBe(1);
    expect(selector.stderr).toContain('Invalid label selector "app in web"');
    const debounce = await create("configmaps", "--debounce", "30s", "--min-interval", "10s");
    expect(debounce.code).toBe(1);
    expect(debounce.stderr).toContain("debounce 30s is longer than minInterval 10s");
    expect(await triggerOf(server.client, server.namespace, "bad")).toBeUndefined();

    // Made without the CLI: the API server refuses the selector, the server marks the rest FailedValidation.
    const body = (name: string, spec: object) => ({ kind: "Trigger", metadata: { name }, spec });
    await expect(
      createKubesnap(
        server.client,
        server.namespace,
        "triggers",
        body("bad-selector", { on: ["configmaps"], labelSelector: "app in web" }),
      ),
    ).rejects.toThrow(/must be a label selector/);
    await createKubesnap(
      server.client,
      server.namespace,
      "triggers",
      body("bad-resource", { on: ["deploymentz.apps"], debounce: "30s", minInterval: "10s" }),
    );
    const refused = await eventually("the trigger to fail validation", async () => {
      const t = await triggerOf(server.client, server.namespace, "bad-resource");
      return t?.status?.phase === "FailedValidation" ? t : undefined;
    });
    expect(refused.status?.validationErrors).toEqual([
      'no served resource is called "deploymentz.apps"; name one that `kubectl api-resources` lists, e.g. "deployments.apps"',
      "debounce 30s is longer than minInterval 10s, so the interval would never apply; make minInterval at least the debounce, or 0 for no limit",
    ]);
  });
});

describe("a trigger whose server is killed with SIGKILL during the debounce window", () => {
  let setup: RunningServer;
  let client: KubeClient;
  let workload = "";
  let leader: ServerProcess | undefined;
  const children: ChildProcess[] = [];
  const start = () => {
    const started = serverProcess(testEnv().clusters[0]!.kubeconfig, setup.namespace);
    children.push(started.child);
    return started;
  };

  beforeAll(async () => {
    // The harness makes the namespace and location; its in-process server stops at once, so the
    // processes below are the only ones acting.
    setup = await startServer(testEnv().clusters[0]!, testEnv().s3, {
      prefix: uniqueName("trigger-restart"),
    });
    await setup.stop();
    client = await connect({ kubeconfig: testEnv().clusters[0]!.kubeconfig });
    workload = uniqueName("restart-rollout");
    await createNamespace(client, workload);
    for (const name of ["web", "api"]) await createDeployment(client, workload, name);
    leader = start();
  });
  afterAll(() => {
    for (const child of children) child.kill("SIGKILL");
    client?.close();
  });

  /**
   * Makes a trigger with a 6 s debounce, changes one Deployment, and kills the leader as soon as
   * the window is in status; `meanwhile` runs before the next server starts. Returns the
   * backup name the window must make and the new leader.
   */
  async function killDuringWindow(
    name: string,
    deployment: string,
    meanwhile: (expected: string) => Promise<void>,
  ): Promise<{ expected: string; next: ServerProcess }> {
    const { namespace } = setup;
    await createKubesnap(client, namespace, "triggers", {
      kind: "Trigger",
      metadata: { name },
      spec: {
        on: ["deployments.apps"],
        namespaces: [workload],
        events: ["update"],
        specChangesOnly: true,
        debounce: "6s",
      },
    });
    await watching(client, namespace, name);
    await rollOut(client, workload, deployment, "nginx:1.28");
    const pending = await eventually(
      "the window to be kept in status",
      async () => (await triggerOf(client, namespace, name))?.status?.pending,
      10_000,
      50,
    );
    leader?.child.kill("SIGKILL");
    // Killed inside the window: its backup was not made yet.
    expect(await backupsOf(client, namespace, name)).toEqual([]);
    const expected = `${name}-${pending.since.slice(0, 19).replace(/[-T:]/g, "")}`;
    await meanwhile(expected);
    leader = start();
    return { expected, next: leader };
  }

  async function expectOnly(name: string, expected: string): Promise<void> {
    // Long enough for a second backup to have been made, had the window been kept twice.
    await sleep(4_000);
    expect((await backupsOf(client, setup.namespace, name)).map((b) => b.metadata.name)).toEqual([expected]);
    const trigger = await triggerOf(client, setup.namespace, name);
    expect(trigger?.status?.pending).toBeUndefined();
    expect(trigger?.status?.lastBackupName).toBe(expected);
  }

  it("the restarted server makes the pending backup, once", async () => {
    const { expected, next } = await killDuringWindow("restart", "web", async () => {});
    const backup = await eventually(
      "the restarted server to finish the window",
      async () => {
        const b = await getKubesnap<Backup>(client, setup.namespace, "backups", expected);
        return b?.status?.phase === "Completed" ? b : undefined;
      },
      45_000,
    );
    expect(backupCause(backup)?.causes.map((c) => c.name)).toEqual(["web"]);
    await eventually("the server to log the created backup", async () =>
      next.logs().includes('"triggered backup created"') ? true : undefined,
    );
    await expectOnly("restart", expected);
  });

  it("a backup made just before the kill is found, not made again", async () => {
    const { expected, next } = await killDuringWindow("made-before", "api", async (name) => {
      // What a leader killed between creating the Backup and clearing the window leaves behind.
      await createKubesnap(client, setup.namespace, "backups", {
        kind: "Backup",
        metadata: { name, labels: { [TRIGGER_NAME_LABEL]: "made-before" } },
        spec: { includedNamespaces: [workload] },
      });
    });
    await eventually("the restarted server to close the window", async () => {
      const t = await triggerOf(client, setup.namespace, "made-before");
      return t?.status?.lastBackupName === expected ? true : undefined;
    });
    // The child's output reaches this process on its own schedule: wait for the line.
    await eventually("the server to log the existing backup", async () =>
      next.logs().includes('"triggered backup already existed"') ? true : undefined,
    );
    await expectOnly("made-before", expected);
  });
});
