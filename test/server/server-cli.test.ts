import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DeleteBackupRequest, DownloadRequest } from "../../src/api/index.js";
import { isolateCli, jsonObjects, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, eventually, uniqueName } from "../kube.js";
import { deleteNamespace, deployNginx } from "../workloads.js";
import { createKubesnap, getKubesnap, listKubesnap, type RunningServer, startServer } from "./harness.js";

/**
 * The CLI in server mode: with a kubesnap server installed in -n NAMESPACE, backup and
 * restore commands create and read kubesnap.io objects, and logs and results come through
 * DownloadRequests, without bucket credentials on the CLI's side.
 */
describe("backup and restore commands against a running server", () => {
  let server: RunningServer;
  let cli: (...args: string[]) => ReturnType<typeof kubesnap>;
  let workload = "";

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    isolateCli(cluster);
    server = await startServer(cluster, testEnv().s3, { prefix: uniqueName("server-cli") });
    workload = uniqueName("served");
    await deployNginx(cluster, workload);
    cli = (...args) => kubesnap("-n", server.namespace, ...args);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it("backs up with --wait, reads logs and results, deletes the namespace and restores it", async () => {
    const cluster = testEnv().clusters[0]!;
    const created = await cli("backup", "create", "served-1", "--include-namespaces", workload, "--wait");
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Backup "served-1" finished: Completed, \d+ items, 0 errors/);

    const listed = jsonObjects<{ kind: string; metadata: { name: string } }>(
      (await cli("backup", "get", "-o", "json")).stdout,
    );
    expect(listed.map((b) => `${b.kind}/${b.metadata.name}`)).toContain("Backup/served-1");
    const table = (await cli("backup", "get")).stdout;
    expect(table).toMatch(/^served-1\s+Completed\s+0\s+0\s/m);

    const described = await cli("backup", "describe", "served-1", "--details");
    expect(described.code, described.stderr).toBe(0);
    expect(described.stdout).toMatch(/Phase:\s+Completed/);
    expect(described.stdout).toMatch(/Storage Location:\s+default/);
    // The results came from the server: their sections are there.
    expect(described.stdout).toMatch(/^Errors:/m);

    const logs = await cli("backup", "logs", "served-1");
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout).toContain("starting backup served-1");
    // The CLI cleans up after itself: no DownloadRequest is left behind.
    expect(await listKubesnap(server.client, server.namespace, "downloadrequests")).toEqual([]);

    await deleteNamespace(cluster, workload);
    const restored = await cli("restore", "create", "--from-backup", "served-1", "served-1-r", "--wait");
    expect(restored.code, restored.stdout + restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/Restore "served-1-r" finished: Completed/);
    const deployment = await clients(cluster).apps.readNamespacedDeployment({
      name: "nginx-deployment",
      namespace: workload,
    });
    expect(deployment.metadata?.labels?.["kubesnap.io/restore-name"]).toBe("served-1-r");

    expect((await cli("restore", "get")).stdout).toMatch(/^served-1-r\s+served-1\s+Completed\s/m);
    const restoreLog = await cli("restore", "logs", "served-1-r");
    expect(restoreLog.code, restoreLog.stderr).toBe(0);
    expect(restoreLog.stdout.length).toBeGreaterThan(0);
    expect((await cli("restore", "describe", "served-1-r")).stdout).toMatch(/Phase:\s+Completed/);
  });

  it("submits without --wait, and deletes through a DeleteBackupRequest", async () => {
    const submitted = await cli("backup", "create", "served-2", "--include-namespaces", "kube-public");
    expect(submitted.code, submitted.stderr).toBe(0);
    expect(submitted.stdout).toContain('Backup request "served-2" submitted successfully.');
    await eventually("served-2 to complete", async () =>
      /^served-2\s+Completed\s/m.test((await cli("backup", "get", "served-2")).stdout) ? true : undefined,
    );
    const deleted = await cli("backup", "delete", "served-2", "--confirm");
    expect(deleted.code, deleted.stderr).toBe(0);
    expect(deleted.stdout).toContain('Request to delete backup "served-2" submitted');
    await eventually("the Backup object to be gone", async () =>
      (await getKubesnap(server.client, server.namespace, "backups", "served-2")) ? undefined : true,
    );
  });

  it("refuses to delete a backup in a ReadOnly location, and a wrong download token", async () => {
    await kubesnapOk(
      "-n",
      server.namespace,
      "backup",
      "create",
      "served-3",
      "--include-namespaces",
      "kube-public",
      "--wait",
    );
    const patch = (accessMode: string) =>
      server.client.request({
        method: "PATCH",
        path: `/apis/kubesnap.io/v1/namespaces/${server.namespace}/backupstoragelocations/default`,
        body: JSON.stringify({ spec: { accessMode } }),
        contentType: "application/merge-patch+json",
      });
    await patch("ReadOnly");
    try {
      const refused = await cli("backup", "delete", "served-3", "--confirm");
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain('is in ReadOnly location "default": nothing there is deleted');
      const requests = await listKubesnap<DeleteBackupRequest>(
        server.client,
        server.namespace,
        "deletebackuprequests",
      );
      expect(requests.map((r) => r.spec.backupName)).not.toContain("served-3");
    } finally {
      await patch("ReadWrite");
    }

    await createKubesnap(server.client, server.namespace, "downloadrequests", {
      kind: "DownloadRequest",
      metadata: { name: "probe" },
      spec: { target: { kind: "BackupLog", name: "served-3" } },
    });
    const answered = await eventually("the download request to be answered", async () => {
      const r = await getKubesnap<DownloadRequest>(
        server.client,
        server.namespace,
        "downloadrequests",
        "probe",
      );
      return r?.status?.downloadURL ? r : undefined;
    });
    const url = new URL(answered.status?.downloadURL ?? "");
    const good = await fetch(url);
    expect(good.status).toBe(200);
    expect(await good.text()).toContain("starting backup served-3");
    url.searchParams.set("token", "not-the-token");
    const bad = await fetch(url);
    expect(bad.status).toBe(403);
    expect(await bad.text()).not.toContain("starting backup");
  });

  it("verifies a backup on the server and shows the result in describe", async () => {
    const verified = await cli("backup", "verify", "served-3", "--sample", "50%");
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(
      /Verified backup "served-3": read \d+ of \d+ blobs \(50% sample\).*no problems/,
    );
    const described = await cli("backup", "describe", "served-3");
    expect(described.stdout).toMatch(/Last verification:\s+read \d+ of \d+ blobs \(50% sample\)/);
  });

  it("runs in this process with --local even though a server is installed", async () => {
    const local = await kubesnapOk("-n", server.namespace, "--local", "backup", "get");
    expect(local.stdout).toContain("No backups found.");
  });
});
