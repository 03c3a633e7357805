import type { BackupRecord } from "../backup/record.js";
import type { KubeClient } from "../cluster/client.js";
import { clusterIdentity } from "../cluster/info.js";
import { KubesnapError } from "../core/errors.js";
import { itemOperationTimeout } from "./backup.js";
import { deleteSnapshots } from "./csi/delete.js";

/**
 * The volume part of deleting a backup, before its manifest goes: the CSI snapshots it
 * holds are deleted in the cluster they were taken in. Any that may remain stops the
 * deletion, so the record that names them (the only one) is kept for a retry.
 */
export async function deleteBackupVolumes(
  record: Pick<BackupRecord, "metadata" | "spec" | "status" | "volumes">,
  connect: () => Promise<KubeClient>,
): Promise<void> {
  const name = record.metadata.name;
  if (!record.volumes?.some((v) => v.kind === "csi-snapshot")) return;
  const client = await connect();
  const taken = record.status.cluster?.uid;
  const here = (await clusterIdentity(client)).uid;
  if (taken !== undefined && taken !== here) {
    throw new KubesnapError(
      "Conflict",
      `Backup "${name}" holds CSI snapshots of cluster ${taken}, but this is cluster ${here}: its snapshots cannot be deleted from here`,
      { hint: "run the delete against the cluster the backup was taken in (--kubeconfig/--context)" },
    );
  }
  const problems = await deleteSnapshots(record.volumes, {
    client,
    timeoutMs: itemOperationTimeout(record.spec),
  });
  if (problems.length > 0) {
    throw new KubesnapError(
      "Conflict",
      `Backup "${name}" was not deleted: ${problems.length} of its CSI snapshots could not be deleted (${problems.join("; ")})`,
      {
        hint: "fix the cause and delete the backup again: its record is kept so that the retry can find them",
      },
    );
  }
}
