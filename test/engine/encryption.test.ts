import { randomBytes } from "node:crypto";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { readableViews } from "../storage/leaks.js";
import { deleteNamespace } from "../workloads.js";

/** Every file under dir, recursively. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Where the needles can be read in the files under dir. */
function leaks(dir: string, needles: readonly string[]): string[] {
  const found: string[] = [];
  for (const file of filesUnder(dir)) {
    const views = readableViews(readFileSync(file));
    for (const needle of needles)
      if (views.some((view) => view.includes(needle))) found.push(`${needle} in ${file}`);
  }
  return found;
}

describe("an encrypted location", () => {
  const secretValue = `s3cr3t-${randomBytes(6).toString("hex")}`;
  const configString = `known-config-${randomBytes(6).toString("hex")}`;
  // The Secret is stored as the API server serves it: base64 in data.
  const needles = [secretValue, Buffer.from(secretValue).toString("base64"), configString];
  let vault = "";
  let keys = "";
  let plainDefault = "";
  const namespace = uniqueName("sealed");
  const backup = uniqueName("sealed");

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    plainDefault = isolateCli(cluster).defaultLocation;
    keys = mkdtempSync(join(tmpdir(), "kubesnap-keys-"));
    vault = mkdtempSync(join(tmpdir(), "kubesnap-vault-"));
    writeFileSync(join(keys, "key"), randomBytes(32));
    writeFileSync(join(keys, "new-key"), randomBytes(32));
    writeFileSync(join(keys, "wrong-key"), randomBytes(32));
    writeFileSync(join(keys, "short-key"), randomBytes(8));
    const { core } = clients(cluster);
    await core.createNamespace({ body: { metadata: { name: namespace } } });
    await core.createNamespacedSecret({
      namespace,
      body: { metadata: { name: "db" }, stringData: { password: secretValue } },
    });
    await core.createNamespacedConfigMap({
      namespace,
      body: { metadata: { name: "settings" }, data: { motto: configString } },
    });
  });

  it("refuses a key file that is too short, with one line", async () => {
    const refused = await kubesnap(
      "backup-location",
      "create",
      "short",
      "--provider",
      "file",
      "--bucket",
      vault,
      "--encryption-key-file",
      join(keys, "short-key"),
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/holds 8 bytes; a key needs at least 32/);
  });

  it("stores no byte of a Secret or a ConfigMap in the clear, unlike a plain location", async () => {
    await kubesnapOk(
      "backup-location",
      "create",
      "vault",
      "--provider",
      "file",
      "--bucket",
      vault,
      "--encryption-key-file",
      join(keys, "key"),
    );
    await kubesnapOk(
      "backup",
      "create",
      backup,
      "--include-namespaces",
      namespace,
      "--storage-location",
      "vault",
    );
    // The control: the same backup in the plain default location does show the strings.
    await kubesnapOk("backup", "create", `${backup}-plain`, "--include-namespaces", namespace);
    expect(leaks(plainDefault, needles).length).toBeGreaterThan(0);
    expect(leaks(vault, needles)).toEqual([]);
  });

  it("restores with the right key, records the restore sealed, and fails at once with a wrong one", async () => {
    const cluster = testEnv().clusters[0]!;
    await deleteNamespace(cluster, namespace);
    const restored = await kubesnapOk("restore", "create", "--from-backup", backup);
    expect(restored.stdout).toMatch(/Completed/);
    const secret = await clients(cluster).core.readNamespacedSecret({ name: "db", namespace });
    expect(Buffer.from(secret.data?.password ?? "", "base64").toString()).toBe(secretValue);
    expect(leaks(vault, needles)).toEqual([]);

    await kubesnapOk("backup-location", "set", "vault", "--encryption-key-file", join(keys, "wrong-key"));
    const wrong = await kubesnap("backup", "describe", backup);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/key does not open/i);
    expect(wrong.stderr).not.toMatch(/corrupt/i);
    await kubesnapOk("backup-location", "set", "vault", "--encryption-key-file", join(keys, "key"));
  });

  it("rotates the key without rewriting data: the new key opens it, the old one no longer does", async () => {
    const before = new Map(filesUnder(join(vault, "data")).map((f) => [f, readFileSync(f)]));
    await kubesnapOk("backup-location", "rotate-key", "vault", "--new-key-file", join(keys, "new-key"));
    const after = filesUnder(join(vault, "data"));
    expect(after.sort()).toEqual([...before.keys()].sort());
    for (const file of after) expect(readFileSync(file).equals(before.get(file)!)).toBe(true);
    expect((await kubesnapOk("backup", "describe", backup)).stdout).toMatch(/Phase:\s+Completed/);

    await kubesnapOk("backup-location", "set", "vault", "--encryption-key-file", join(keys, "key"));
    expect((await kubesnap("backup", "describe", backup)).stderr).toMatch(/key does not open/i);
  });
});
