import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Backup, BackupStorageLocation } from "../api/index.js";
import { BACKUP_LOG_FILE } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { describeError, isKubesnapError } from "../core/errors.js";
import { Repository } from "../repository/index.js";
import { sideFileKey } from "../repository/layout.js";
import type { RestoreRecord } from "../restore/record.js";
import { saveRestore } from "../restore/store.js";
import { FileStorage, type Storage } from "../storage/index.js";
import { checkDownloadTarget, type DownloadTarget, readDownloadTarget } from "./download-files.js";
import type { ServerLocations } from "./locations.js";

/** A location on a temp dir whose every read of an object is counted, and an API server whose every Backup is there. */
async function fixture(dir: string) {
  const files = new FileStorage(dir);
  const reads: string[] = [];
  const storage: Storage = {
    description: files.description,
    put: (key, body) => files.put(key, body),
    putIfAbsent: (key, body) => files.putIfAbsent(key, body),
    get: (key, range) => {
      reads.push(key);
      return files.get(key, range);
    },
    stat: (key) => files.stat(key),
    list: (prefix) => files.list(prefix),
    delete: (key) => files.delete(key),
  };
  const repository = await Repository.open(storage);
  const location = { metadata: { name: "default" }, spec: { default: true } } as BackupStorageLocation;
  const locations = {
    all: () => [location],
    find: () => location,
    repository: async () => repository,
  } as unknown as ServerLocations;
  const client = {
    get: async <T>(path: string): Promise<T> =>
      ({ metadata: { name: path.split("/").at(-1) }, spec: { storageLocation: "default" } }) as Backup as T,
  } as unknown as KubeClient;
  return { deps: { client, namespace: "kubesnap", locations }, repository, files, reads };
}

/** A committed snapshot with a log (and no results). */
async function backUpWithLog(repository: Repository, name: string): Promise<void> {
  const writer = await repository.startSnapshot(name);
  await writer.putFile(BACKUP_LOG_FILE, Buffer.from(`starting backup ${name}`));
  await writer.commit({ body: {} });
}

let dir = "";
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "kubesnap-download-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** The error a promise fails with: its code, and its text as the controller puts it in status. */
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => "no error",
    (err: unknown) => `${isKubesnapError(err) ? err.code : "?"}: ${describeError(err)}`,
  );

describe("checkDownloadTarget", () => {
  it("finds a backup's log without reading it", async () => {
    const { deps, repository, reads } = await fixture(dir);
    await backUpWithLog(repository, "b1");
    reads.length = 0;
    await checkDownloadTarget(deps, { kind: "BackupLog", name: "b1" });
    expect(reads).toEqual([]);
    expect((await readDownloadTarget(deps, { kind: "BackupLog", name: "b1" })).body).toBe(
      "starting backup b1",
    );
  });

  it("fails as reading does when the snapshot, or its file, is missing", async () => {
    const { deps, repository, files } = await fixture(dir);
    await backUpWithLog(repository, "b1");
    await files.delete(sideFileKey("b1", BACKUP_LOG_FILE));
    const targets: DownloadTarget[] = [
      { kind: "BackupLog", name: "b2" },
      { kind: "BackupLog", name: "b1" },
      { kind: "BackupResults", name: "b1" },
    ];
    for (const target of targets) {
      const checked = await failure(checkDownloadTarget(deps, target));
      expect(checked).toMatch(/^NotFound: /);
      expect(checked).toBe(await failure(readDownloadTarget(deps, target)));
    }
  });

  it("finds a restore's log and results without reading them, and fails as reading does for another", async () => {
    const { deps, repository, reads } = await fixture(dir);
    const record = { metadata: { name: "r1" } } as RestoreRecord;
    const results = { errors: { cluster: [], namespaces: {} }, warnings: { cluster: [], namespaces: {} } };
    await saveRestore(repository.records(), record, { log: "restoring r1", results });
    reads.length = 0;
    await checkDownloadTarget(deps, { kind: "RestoreLog", name: "r1" });
    await checkDownloadTarget(deps, { kind: "RestoreResults", name: "r1" });
    expect(reads).toEqual([]);
    expect((await readDownloadTarget(deps, { kind: "RestoreLog", name: "r1" })).body).toBe("restoring r1");
    const missing: DownloadTarget = { kind: "RestoreLog", name: "r2" };
    const checked = await failure(checkDownloadTarget(deps, missing));
    expect(checked).toContain('no location holds the log of restore "r2"');
    expect(checked).toBe(await failure(readDownloadTarget(deps, missing)));
  });
});
