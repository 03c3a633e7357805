import type { BackupRecord, ItemGroup } from "../backup/record.js";
import { KubesnapError } from "../core/errors.js";
import type { KubeObject, ResourceType } from "../core/kube-types.js";
import type { BlobId, Repository } from "../repository/index.js";
import { type ItemMeta, toItemMeta } from "./plan/index.js";

/** An item of the backup: what the planner needs, and where to read the whole object again. */
export interface LoadedItem {
  readonly meta: ItemMeta;
  readonly blob: BlobId;
}

/** An item whose blob could not be read (missing pack, corrupt bytes): reported by name, not fatal. */
export interface UnreadableItem {
  readonly group: ItemGroup;
  /** From the group's names blob; undefined only when that blob is unreadable too. */
  readonly name: string | undefined;
  readonly error: unknown;
}

const READ_CONCURRENCY = 16;

/**
 * The load step's first pass: reads every item of the chosen groups and keeps only its
 * metadata (memory stays small however large the objects); the apply step reads each
 * restored object again when it creates it.
 */
export async function loadItems(
  repository: Repository,
  record: BackupRecord,
  options: { wantGroup: (group: ItemGroup) => boolean; onItem?: () => void },
): Promise<{ items: LoadedItem[]; unreadable: UnreadableItem[] }> {
  const manifest = await repository.readManifest(record.metadata.name);
  const items: LoadedItem[] = [];
  const unreadable: UnreadableItem[] = [];
  for (const group of record.groups.filter(options.wantGroup)) {
    const ref = manifest.lists[group.list];
    if (!ref) {
      throw new KubesnapError(
        "Corrupt",
        `Backup "${record.metadata.name}" names item list "${group.list}" but does not store it`,
      );
    }
    const names = await readNames(repository, group);
    const pending = new Set<Promise<void>>();
    let position = 0;
    try {
      for await (const blob of repository.readIdList(ref)) {
        const name = names?.[position++];
        const task = readItem(repository, blob)
          .then((object) => {
            items.push({ meta: toItemMeta(group.type, object), blob });
            options.onItem?.();
          })
          .catch((error: unknown) => {
            unreadable.push({ group, name, error });
          });
        pending.add(task);
        void task.finally(() => pending.delete(task));
        if (pending.size >= READ_CONCURRENCY) await Promise.race(pending);
      }
    } catch (error) {
      // The list itself is damaged: every item not reached yet is unreadable.
      const rest = names ? names.slice(position) : [undefined];
      for (const name of rest) unreadable.push({ group, name, error });
    }
    await Promise.all(pending);
  }
  return { items, unreadable };
}

/** The names of a group's items, in list order; undefined when the names blob itself is unreadable. */
async function readNames(repository: Repository, group: ItemGroup): Promise<string[] | undefined> {
  try {
    return JSON.parse(
      Buffer.from(await repository.readBlob(group.names as BlobId)).toString("utf8"),
    ) as string[];
  } catch {
    return undefined;
  }
}

/** One stored object, verified against its id by the repository. */
export async function readItem(repository: Repository, blob: BlobId): Promise<KubeObject> {
  return JSON.parse(Buffer.from(await repository.readBlob(blob)).toString("utf8")) as KubeObject;
}

export function apiVersionOf(type: ResourceType): string {
  return type.group === "" ? type.version : `${type.group}/${type.version}`;
}
