import type { KubeClient } from "../cluster/client.js";
import { resourcePath } from "../cluster/paths.js";
import { isKubesnapError } from "../core/errors.js";
import { TYPES } from "./kinds.js";

/**
 * Asks for a backup's deletion the one way deletion happens: a DeleteBackupRequest. Its name
 * is derived from the backup's, so asking twice (a retry, a second replica) is harmless.
 */
export async function requestDeletion(
  client: KubeClient,
  namespace: string,
  backupName: string,
  reason: string,
): Promise<void> {
  try {
    await client.request({
      method: "POST",
      path: resourcePath(TYPES.deleteRequests, { namespace }),
      body: JSON.stringify({
        apiVersion: "kubesnap.io/v1",
        kind: "DeleteBackupRequest",
        metadata: {
          name: `${backupName}-delete`.slice(0, 253),
          namespace,
          annotations: { "kubesnap.io/reason": reason },
        },
        spec: { backupName },
      }),
    });
  } catch (err) {
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
  }
}
