import {
  backupLogs,
  backupResults,
  createBackup,
  deleteBackup,
  getBackup,
  listBackups,
  verifyLocalBackup,
} from "../../local/backups.js";
import {
  createRestore,
  deleteRestore,
  getRestore,
  listRestores,
  restoreLogs,
  restoreResults,
} from "../../local/restores.js";
import type { LocalSession } from "../../local/session.js";
import type { Backend, Backups, Restores } from "./backend.js";

/** Local mode: the engine runs here, against the locations of the local config. */
export function localBackend(session: LocalSession): Backend {
  const backups: Backups = {
    async create(name, spec, { onProgress }) {
      const { record, stats } = await createBackup(session, name, spec, {
        onProgress: (p) => onProgress({ itemsDone: p.itemsDone, bytes: p.bytesWritten }),
      });
      return {
        finished: true,
        view: record,
        object: record,
        detail: `${stats.bytesWritten} bytes written (${stats.blobsNew} new objects, ${stats.blobsDeduplicated} unchanged)`,
      };
    },
    async list(onWarning) {
      return (await listBackups(session, onWarning)).map(({ record }) => ({ view: record, object: record }));
    },
    async get(name) {
      const { record } = await getBackup(session, name);
      return { view: record, object: record };
    },
    logs: (name) => backupLogs(session, name),
    results: (name) => backupResults(session, name),
    async delete(name) {
      const report = await deleteBackup(session, name);
      const freed =
        report.status === "done" ? `${report.bytesFreed} bytes freed` : `data kept for now: ${report.reason}`;
      return `Backup "${name}" deleted; ${freed}.`;
    },
    verify: (name, samplePercent) => verifyLocalBackup(session, name, samplePercent),
  };
  const restores: Restores = {
    async create(name, spec, { onProgress }) {
      const record = await createRestore(session, name, spec, {
        onProgress: (p) => onProgress({ itemsDone: p.itemsDone, itemsTotal: p.itemsTotal }),
      });
      return { finished: true, view: record, object: record };
    },
    async list(onWarning) {
      return (await listRestores(session, onWarning)).map((record) => ({ view: record, object: record }));
    },
    async get(name) {
      const record = await getRestore(session, name);
      return { view: record, object: record };
    },
    logs: (name) => restoreLogs(session, name),
    results: (name) => restoreResults(session, name),
    async delete(name) {
      await deleteRestore(session, name);
      return `Restore "${name}" deleted.`;
    },
  };
  return { mode: "local", backups, restores, close: () => session.close() };
}
