import { copyFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { BackupVerification } from "../../src/backup/verify.js";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";
import { flipByte, frameOfConfigMap } from "./damage.js";

/** `backup verify` in local mode, on the embedded default location (files a test can damage). */
describe("backup verify", () => {
  let location = "";
  const backups: Record<"flipped" | "lost" | "swapped" | "donor", { name: string; namespace: string }> = {
    flipped: { name: "", namespace: "" },
    lost: { name: "", namespace: "" },
    swapped: { name: "", namespace: "" },
    donor: { name: "", namespace: "" },
  };

  beforeAll(async () => {
    const cluster = testEnv().clusters[0]!;
    location = isolateCli(cluster).defaultLocation;
    // One namespace per backup, so each backup's data sits in packs of its own.
    for (const key of Object.keys(backups) as (keyof typeof backups)[]) {
      const namespace = uniqueName(`verify-${key}`);
      await clients(cluster).core.createNamespace({ body: { metadata: { name: namespace } } });
      await createConfigMaps(cluster, namespace, 30);
      const name = uniqueName(key);
      await kubesnapOk("backup", "create", name, "--include-namespaces", namespace);
      backups[key] = { name, namespace };
    }
  });

  it("finds nothing wrong with an intact backup, in full or as a sample", async () => {
    const full = await kubesnapOk("backup", "verify", backups.donor.name);
    expect(full.stdout).toMatch(/no problems/);
    const sampled = JSON.parse(
      (await kubesnapOk("backup", "verify", backups.donor.name, "--sample", "5%", "-o", "json")).stdout,
    ) as BackupVerification;
    const all = JSON.parse(
      (await kubesnapOk("backup", "verify", backups.donor.name, "-o", "json")).stdout,
    ) as BackupVerification;
    expect(sampled.samplePercent).toBe(5);
    expect(sampled.blobsChecked).toBeLessThan(all.blobsChecked);
    expect(sampled.bytesRead).toBeLessThan(all.bytesRead);
  });

  it("names the pack and the ConfigMap of a flipped byte", async () => {
    const { name, namespace } = backups.flipped;
    const frame = await frameOfConfigMap(location, name, namespace, "cm-0011");
    flipByte(frame.packFile, frame.offset + Math.floor(frame.length / 2));
    const result = await kubesnap("backup", "verify", name);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/1 problem/);
    const row = result.stdout.split("\n").find((line) => line.startsWith("corrupt-blob"));
    expect(row).toContain(`configmaps/${namespace}/cm-0011`);
    expect(row).toContain(frame.packFile.slice(location.length + 1));
  });

  it("names a deleted pack and every ConfigMap it held", async () => {
    const { name, namespace } = backups.lost;
    const frame = await frameOfConfigMap(location, name, namespace, "cm-0003");
    rmSync(frame.packFile);
    const result = JSON.parse(
      (await kubesnap("backup", "verify", name, "-o", "json")).stdout,
    ) as BackupVerification;
    const missing = result.problems.find((p) => p.kind === "missing-pack");
    expect(missing?.key).toBe(frame.packFile.slice(location.length + 1));
    // The pack also held the group's list and names, so the whole group is named.
    // (30 ConfigMaps and the cluster's kube-root-ca.crt)
    expect(missing?.objects).toContain(`configmaps/${namespace}/* (all 31)`);
  });

  it("detects a manifest swapped between two backups, and restore refuses it", async () => {
    const manifestOf = (backup: string) => {
      const dir = join(location, "snapshots", backup);
      const file = readdirSync(dir).find((f) => f.startsWith("manifest"));
      if (!file) throw new Error(`no manifest in ${dir}`);
      return join(dir, file);
    };
    copyFileSync(manifestOf(backups.donor.name), manifestOf(backups.swapped.name));

    const verified = await kubesnap("backup", "verify", backups.swapped.name);
    expect(verified.code).toBe(1);
    expect(verified.stdout).toMatch(/swapped/);
    const restore = await kubesnap("restore", "create", "--from-backup", backups.swapped.name);
    expect(restore.code).toBe(1);
    expect(restore.stderr).toMatch(/swapped/);
    expect(restore.stderr).toContain(backups.swapped.name);
  });
});
