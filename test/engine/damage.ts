import { closeSync, openSync, readSync, writeSync } from "node:fs";
import { join } from "node:path";
import type { BackupRecord } from "../../src/backup/record.js";
import { BlobIndex } from "../../src/repository/blob-index.js";
import { type BlobId, Repository } from "../../src/repository/index.js";
import { packKey } from "../../src/repository/layout.js";
import { FileStorage } from "../../src/storage/index.js";

/** Where a backed-up ConfigMap's bytes are, in a file location: its pack file and frame. */
export async function frameOfConfigMap(
  location: string,
  backup: string,
  namespace: string,
  name: string,
): Promise<{ packFile: string; offset: number; length: number }> {
  const storage = new FileStorage(location);
  const repository = await Repository.open(storage);
  const manifest = await repository.readManifest(backup);
  const record = manifest.body as BackupRecord;
  const group = record.groups.find((g) => g.type.resource === "configmaps" && g.namespace === namespace);
  if (!group) throw new Error(`backup ${backup} has no ConfigMaps of ${namespace}`);
  const names = JSON.parse(
    Buffer.from(await repository.readBlob(group.names as BlobId)).toString(),
  ) as string[];
  const ids: BlobId[] = [];
  for await (const id of repository.readIdList(manifest.lists[group.list]!)) ids.push(id);
  const index = new BlobIndex(storage);
  await index.refresh();
  const where = index.get(ids[names.indexOf(name)]!);
  if (!where) throw new Error(`ConfigMap ${namespace}/${name} is in no index`);
  return { packFile: join(location, packKey(where.pack)), offset: where.offset, length: where.length };
}

/** Flips every bit of one byte of a file. */
export function flipByte(file: string, offset: number): void {
  const fd = openSync(file, "r+");
  try {
    const byte = Buffer.alloc(1);
    readSync(fd, byte, 0, 1, offset);
    byte[0] = (byte[0] ?? 0) ^ 0xff;
    writeSync(fd, byte, 0, 1, offset);
  } finally {
    closeSync(fd);
  }
}
