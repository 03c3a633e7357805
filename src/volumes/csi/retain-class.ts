import type { KubeClient } from "../../cluster/client.js";
import { resourcePath } from "../../cluster/paths.js";
import { isKubesnapError } from "../../core/errors.js";
import { type SnapshotClass, TYPES } from "./kinds.js";

/** On the classes kubesnap makes, so they are told apart from the cluster's own. */
export const MANAGED_CLASS_LABEL = "kubesnap.io/managed";

/** "kubesnap-retain-<class>": within a name's 253 characters, since class names are too. */
export function retainClassName(className: string): string {
  return `kubesnap-retain-${className}`.slice(0, 253);
}

/**
 * The chosen class's twin with deletionPolicy Retain, made once per class. A snapshot taken
 * with it gets a VolumeSnapshotContent that is Retain from birth, so deleting the
 * VolumeSnapshot afterwards can never take the snapshot with it. (Switching the content to
 * Retain after the fact raced with the snapshot controller's cache: under load it still
 * deleted the content with the VolumeSnapshot.)
 */
export async function ensureRetainClass(client: KubeClient, className: string): Promise<string> {
  const name = retainClassName(className);
  const source = await client.get<SnapshotClass & { parameters?: Record<string, string> }>(
    resourcePath(TYPES.classes, { name: className }),
  );
  if (source.deletionPolicy === "Retain") return className;
  try {
    await client.request({
      method: "POST",
      path: resourcePath(TYPES.classes),
      body: JSON.stringify({
        apiVersion: "snapshot.storage.k8s.io/v1",
        kind: "VolumeSnapshotClass",
        metadata: { name, labels: { [MANAGED_CLASS_LABEL]: "true" } },
        driver: source.driver,
        deletionPolicy: "Retain",
        ...(source.parameters ? { parameters: source.parameters } : {}),
      }),
    });
  } catch (err) {
    if (!isKubesnapError(err, "AlreadyExists")) throw err;
  }
  return name;
}
