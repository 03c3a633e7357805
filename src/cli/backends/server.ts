import type {
  Backup,
  BackupStorageLocation,
  DownloadRequestSpec,
  PodVolumeBackup,
  Restore,
} from "../../api/index.js";
import type { KubeClient } from "../../cluster/client.js";
import { KubesnapError } from "../../core/errors.js";
import type { ResultsDoc } from "../../report/results.js";
import { resourceBackupSpec } from "../../server/backup-controller.js";
import { LABELS, VERIFY_ANNOTATION } from "../../server/kinds.js";
import { verifyRequest } from "../../server/verify-controller.js";
import type { ServerApi } from "../server-api.js";
import type { Backend, Backups, CreateOptions, Restores } from "./backend.js";
import { download } from "./download.js";
import { backupViewOf, FINISHED_PHASES, podVolumeProgressOf, restoreViewOf } from "./records.js";

const FOLLOW_POLL_MS = 1000;

/**
 * Server mode: the CLI writes kubesnap.io objects and reads them back; the server in the
 * cluster runs backups and restores and serves their logs and results.
 */
export function serverBackend(client: KubeClient, api: ServerApi): Backend {
  const fetchFile = async (target: DownloadRequestSpec["target"]) => download(client, api, target);
  const results = async (kind: "BackupResults" | "RestoreResults", name: string) =>
    JSON.parse(await fetchFile({ kind, name })) as ResultsDoc;

  const backups: Backups = {
    async create(name, spec, options) {
      await api.create("backups", {
        metadata: { name, labels: spec.labels },
        spec: resourceBackupSpec(spec),
      });
      if (!options.wait) return { finished: false };
      const backup = await follow<Backup>(api, "backups", name, options, (b) => ({
        itemsDone: b.status?.progress?.itemsBackedUp ?? 0,
      }));
      return { finished: true, view: backupViewOf(backup), object: backup };
    },
    async list() {
      return (await api.list<Backup>("backups")).map((b) => ({ view: backupViewOf(b), object: b }));
    },
    async get(name) {
      const backup = await api.get<Backup>("backups", name);
      // Each volume's progress lives in its PodVolumeBackup while the backup runs.
      const podVolumes = (await api.list<PodVolumeBackup>("podVolumeBackups"))
        .filter((pvb) => pvb.spec.backupName === name)
        .map(podVolumeProgressOf);
      return { view: { ...backupViewOf(backup), podVolumes }, object: backup };
    },
    logs: (name) => fetchFile({ kind: "BackupLog", name }),
    results: (name) => results("BackupResults", name),
    async delete(name) {
      const backup = await api.get<Backup>("backups", name);
      await refuseReadOnly(api, backup);
      await api.create("deleteRequests", {
        metadata: { generateName: `${name.slice(0, 40)}-`, labels: { [LABELS.backup]: name } },
        spec: { backupName: name },
      });
      return `Request to delete backup "${name}" submitted; the server deletes its data, then the Backup.`;
    },
    async verify(name, samplePercent) {
      const request = verifyRequest(samplePercent, new Date());
      await api.patch("backups", name, { metadata: { annotations: { [VERIFY_ANNOTATION]: request } } });
      for (;;) {
        const backup = await api.get<Backup>("backups", name);
        const verification = backup.status?.verification;
        if (verification?.requestedAt === request) return { backup: name, ...verification };
        await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
      }
    },
  };

  const restores: Restores = {
    async create(name, spec, options) {
      // Checked here for a clear message now; the server checks again when it runs.
      await api.get<Backup>("backups", spec.backupName);
      await api.create("restores", { metadata: { name }, spec });
      if (!options.wait) return { finished: false };
      const restore = await follow<Restore>(api, "restores", name, options, (r) => ({
        itemsDone: r.status?.progress?.itemsRestored ?? 0,
        itemsTotal: r.status?.progress?.totalItems ?? 0,
      }));
      return { finished: true, view: restoreViewOf(restore), object: restore };
    },
    async list() {
      return (await api.list<Restore>("restores")).map((r) => ({ view: restoreViewOf(r), object: r }));
    },
    async get(name) {
      const restore = await api.get<Restore>("restores", name);
      return { view: restoreViewOf(restore), object: restore };
    },
    logs: (name) => fetchFile({ kind: "RestoreLog", name }),
    results: (name) => results("RestoreResults", name),
    async delete(name) {
      await api.delete("restores", name);
      return `Restore "${name}" deleted (restored objects stay).`;
    },
  };
  return { mode: "server", backups, restores, close: () => client.close() };
}

/** Polls an object until its phase is final, reporting progress on the way. */
async function follow<T extends Backup | Restore>(
  api: ServerApi,
  kind: "backups" | "restores",
  name: string,
  options: CreateOptions,
  progress: (object: T) => Parameters<CreateOptions["onProgress"]>[0],
): Promise<T> {
  for (;;) {
    const object = await api.get<T>(kind, name);
    if (FINISHED_PHASES.has(object.status?.phase ?? "New")) return object;
    options.onProgress(progress(object));
    await new Promise((resolve) => setTimeout(resolve, FOLLOW_POLL_MS));
  }
}

/** Restore-only mode: nothing in a ReadOnly location is deleted, and the CLI says so first. */
async function refuseReadOnly(api: ServerApi, backup: Backup): Promise<void> {
  const locationName = backup.spec.storageLocation ?? backup.metadata.labels?.[LABELS.location];
  if (!locationName) return;
  const location = await api.get<BackupStorageLocation>("locations", locationName).catch(() => undefined);
  if (location?.spec.accessMode !== "ReadOnly") return;
  throw new KubesnapError(
    "ReadOnly",
    `Backup "${backup.metadata.name}" is in ReadOnly location "${locationName}": nothing there is deleted`,
    {
      hint: `switch the location to ReadWrite first: \`kubectl -n ${api.namespace} patch backupstoragelocation ${locationName} --type merge -p '{"spec":{"accessMode":"ReadWrite"}}'\``,
    },
  );
}
