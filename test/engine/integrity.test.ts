import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import type { BackupRecord } from "../../src/backup/record.js";
import { BlobIndex } from "../../src/repository/blob-index.js";
import { type BlobId, Repository } from "../../src/repository/index.js";
import { packKey } from "../../src/repository/layout.js";
import { FileStorage } from "../../src/storage/index.js";
import { isolateCli, kubesnap, kubesnapOk } from "../cli.js";
import { testEnv } from "../context.js";
import { clients, uniqueName } from "../kube.js";
import { createConfigMaps } from "../workloads.js";

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

    // Find the stored blob of one ConfigMap, and flip one byte in the middle of its frame.
    const storage = new FileStorage(location);
    const repository = await Repository.open(storage);
    const record = (await repository.readManifest(backup)).body as BackupRecord;
    const group = record.groups.find((g) => g.type.resource === "configmaps" && g.namespace === namespace)!;
    const names = JSON.parse(
      Buffer.from(await repository.readBlob(group.names as BlobId)).toString(),
    ) as string[];
    const ids: BlobId[] = [];
    for await (const id of repository.readIdList((await repository.readManifest(backup)).lists[group.list]!))
      ids.push(id);
    const victim = names.indexOf("cm-0007");
    const index = new BlobIndex(storage);
    await index.refresh();
    const where = index.get(ids[victim]!)!;
    const packFile = join(location, packKey(where.pack));
    const fd = openSync(packFile, "r+");
    const byte = Buffer.alloc(1);
    const offset = where.offset + Math.floor(where.length / 2);
    readSync(fd, byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    writeSync(fd, byte, 0, 1, offset);
    closeSync(fd);

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
