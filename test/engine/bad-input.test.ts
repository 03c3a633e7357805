import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";

/** One clear line: "Error: <what failed, on which thing>; <what to do>". */
function expectOneLine(result: { code: number; stdout: string; stderr: string }, pattern: RegExp): void {
  expect(result.code).not.toBe(0);
  const lines = result.stderr.trim().split("\n");
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^Error: /);
  expect(lines[0]).toMatch(pattern);
}

describe("bad input gets one clear message and changes nothing", () => {
  let home = "";
  let location = "";
  let namespace = "";
  beforeAll(async () => {
    ({ home, defaultLocation: location } = isolateCli(testEnv().clusters[0]!));
    namespace = uniqueName("bad-input");
    await clients(testEnv().clusters[0]!).core.createNamespace({ body: { metadata: { name: namespace } } });
  });

  const nothingWritten = () => expect(existsSync(join(location, "snapshots"))).toBe(false);

  it("an unknown backup", async () => {
    expectOneLine(
      await kubesnap("restore", "create", "--from-backup", "no-such-backup"),
      /Backup "no-such-backup" not found; run `kubesnap backup get`/,
    );
    expectOneLine(await kubesnap("backup", "describe", "no-such-backup"), /not found/);
  });

  it("an unknown location", async () => {
    expectOneLine(
      await kubesnap("backup", "create", "b1", "--storage-location", "nowhere"),
      /Backup location "nowhere" not found; known locations: default/,
    );
    nothingWritten();
  });

  it("a malformed selector, TTL or namespace mapping", async () => {
    expectOneLine(await kubesnap("backup", "create", "b2", "--selector", "app in (web"), /selector/i);
    expectOneLine(
      await kubesnap("backup", "create", "b3", "--ttl", "3 days"),
      /Invalid duration "3 days" for --ttl/,
    );
    expectOneLine(
      await kubesnap("restore", "create", "--from-backup", "x", "--namespace-mappings", "nocolon"),
      /mapping/i,
    );
    nothingWritten();
  });

  it("an unreachable cluster", async () => {
    const kubeconfig = join(home, "unreachable.kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "gone", cluster: { server: "https://127.0.0.1:1", "insecure-skip-tls-verify": true } },
        ],
        users: [{ name: "u", user: { token: "t" } }],
        contexts: [{ name: "gone", context: { cluster: "gone", user: "u" } }],
        "current-context": "gone",
      }),
    );
    expectOneLine(
      await kubesnap("--kubeconfig", kubeconfig, "backup", "create", "b4"),
      /cannot reach the API server at context "gone" \(https:\/\/127.0.0.1:1\) \(connection refused\); check that the cluster is up/,
    );
    nothingWritten();
  }, 120_000);

  it("a user the cluster does not authorise", async () => {
    const cluster = testEnv().clusters[0]!;
    const kubeconfig = join(home, "restricted.kubeconfig");
    writeFileSync(
      kubeconfig,
      stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [
          { name: "c", cluster: { server: cluster.server, "certificate-authority": cluster.caFile } },
        ],
        users: [{ name: "restricted", user: { token: cluster.restrictedToken } }],
        contexts: [{ name: "c", context: { cluster: "c", user: "restricted" } }],
        "current-context": "c",
      }),
    );
    expectOneLine(
      await kubesnap("--kubeconfig", kubeconfig, "backup", "create", "b5"),
      /forbidden.*; grant this user the RBAC rights/,
    );
    nothingWritten();
  });

  it("a location that cannot be written, checked before the backup starts", async () => {
    const blocker = join(home, "a-file");
    writeFileSync(blocker, "not a directory");
    await kubesnapOk(
      "backup-location",
      "create",
      "blocked",
      "--provider",
      "file",
      "--bucket",
      join(blocker, "backups"),
    );
    expectOneLine(
      await kubesnap("backup", "create", "b6", "--storage-location", "blocked"),
      /blocked|a-file/,
    );
  });

  it("a ReadOnly location asked to take a backup", async () => {
    await kubesnapOk(
      "backup-location",
      "create",
      "archive",
      "--provider",
      "file",
      "--bucket",
      join(home, "archive"),
      "--access-mode",
      "ReadOnly",
    );
    expectOneLine(
      await kubesnap("backup", "create", "b7", "--storage-location", "archive"),
      /Backup location "archive" is ReadOnly \(restore-only mode\); .*--access-mode ReadWrite/,
    );
    expect(existsSync(join(home, "archive"))).toBe(false);
  });

  it("an unknown resource in --include-resources is a warning that names it", async () => {
    const backup = uniqueName("unknown-resource");
    await kubesnapOk(
      "backup",
      "create",
      backup,
      "--include-namespaces",
      namespace,
      "--include-resources",
      "configmaps,nosuchthings",
    );
    const described = await kubesnapOk("backup", "describe", backup, "--details");
    expect(described.stdout).toMatch(/Warnings:\s+1/);
    expect(described.stdout).toContain(
      '--include-resources names "nosuchthings", which this cluster does not serve',
    );
  });

  it("never prints a Secret's value, in output or logs", async () => {
    const cluster = testEnv().clusters[0]!;
    const value = `s3cr3t-${uniqueName("value")}`;
    await clients(cluster).core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "db" }, stringData: { password: value } },
    });
    const backup = uniqueName("secret");
    const outputs = [
      await kubesnapOk("backup", "create", backup, "--include-namespaces", namespace),
      await kubesnapOk("backup", "describe", backup, "--details"),
      await kubesnapOk("backup", "logs", backup),
      await kubesnapOk("backup", "get"),
    ];
    const target = uniqueName("secret-copy");
    const restored = await kubesnapOk(
      "restore",
      "create",
      "--from-backup",
      backup,
      "--namespace-mappings",
      `${namespace}:${target}`,
    );
    const name = restored.stdout.match(/Restore "([^"]+)"/)?.[1] ?? "";
    outputs.push(
      restored,
      await kubesnapOk("restore", "describe", name),
      await kubesnapOk("restore", "logs", name),
    );
    const encoded = Buffer.from(value).toString("base64");
    for (const out of outputs) {
      expect(out.stdout + out.stderr).not.toContain(value);
      expect(out.stdout + out.stderr).not.toContain(encoded);
    }
    // The Secret itself did come back.
    const secret = await clients(cluster).core.readNamespacedSecret({ namespace: target, name: "db" });
    expect(Buffer.from(secret.data?.password ?? "", "base64").toString()).toBe(value);
  });
});
