import { gunzipSync, gzipSync } from "node:zlib";
import { isKubesnapError, KubesnapError } from "../core/errors.js";
import type { ResultsDoc } from "../report/results.js";
import type { Storage } from "../storage/index.js";
import type { RestoreRecord } from "./record.js";

/**
 * Restore records in a location, beside the repository (Velero keeps them under restores/
 * too): restores/<name>/restore.json, log.gz, results.json.gz. The record is written last.
 */
const keys = {
  prefix: "restores/",
  record: (name: string) => `restores/${name}/restore.json`,
  log: (name: string) => `restores/${name}/log.gz`,
  results: (name: string) => `restores/${name}/results.json.gz`,
};

export async function saveRestore(
  storage: Storage,
  record: RestoreRecord,
  files: { log: string; results: ResultsDoc },
): Promise<void> {
  const name = record.metadata.name;
  await storage.put(keys.log(name), gzipSync(files.log));
  await storage.put(keys.results(name), gzipSync(JSON.stringify(files.results)));
  await storage.put(keys.record(name), Buffer.from(JSON.stringify(record, null, 2)));
}

export async function restoreExists(storage: Storage, name: string): Promise<boolean> {
  return (await storage.stat(keys.record(name))) !== undefined;
}

export async function listRestores(storage: Storage): Promise<RestoreRecord[]> {
  const records: RestoreRecord[] = [];
  for await (const info of storage.list(keys.prefix)) {
    if (info.key.endsWith("/restore.json")) {
      records.push(JSON.parse(Buffer.from(await storage.get(info.key)).toString("utf8")) as RestoreRecord);
    }
  }
  return records;
}

export async function readRestore(storage: Storage, name: string): Promise<RestoreRecord> {
  return JSON.parse(
    Buffer.from(await getOrNotFound(storage, keys.record(name), name)).toString("utf8"),
  ) as RestoreRecord;
}

export async function readRestoreLog(storage: Storage, name: string): Promise<string> {
  return gunzipSync(await getOrNotFound(storage, keys.log(name), name)).toString("utf8");
}

export async function readRestoreResults(storage: Storage, name: string): Promise<ResultsDoc> {
  return JSON.parse(
    gunzipSync(await getOrNotFound(storage, keys.results(name), name)).toString("utf8"),
  ) as ResultsDoc;
}

export async function deleteRestore(storage: Storage, name: string): Promise<void> {
  await storage.delete(keys.record(name));
  await storage.delete(keys.log(name));
  await storage.delete(keys.results(name));
}

async function getOrNotFound(storage: Storage, key: string, name: string): Promise<Uint8Array> {
  try {
    return await storage.get(key);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) {
      throw new KubesnapError("NotFound", `Restore "${name}" not found`, {
        hint: "run `kubesnap restore get` to list restores",
      });
    }
    throw err;
  }
}
