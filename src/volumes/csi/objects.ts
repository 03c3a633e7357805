import type { KubeClient } from "../../cluster/client.js";
import { isKubesnapError } from "../../core/errors.js";
import type { KubeObject } from "../../core/kube-types.js";

export const MERGE_PATCH = "application/merge-patch+json";

/** The object at path, or undefined when it does not exist (any more). */
export async function findObject<T extends KubeObject>(
  client: KubeClient,
  path: string,
): Promise<T | undefined> {
  try {
    return await client.get<T>(path);
  } catch (err) {
    if (isKubesnapError(err, "NotFound")) return undefined;
    throw err;
  }
}

/** Deletes the object at path; one already gone is what was wanted. */
export async function deleteIfPresent(client: KubeClient, path: string): Promise<void> {
  try {
    await client.request({ method: "DELETE", path });
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
  }
}

/** Creates an object; one of the same name already there is taken to be it (a step run again). */
export async function createOnce(client: KubeClient, path: string, object: KubeObject): Promise<void> {
  try {
    await client.request({ method: "POST", path, body: JSON.stringify(object) });
  } catch (err) {
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
  }
}
