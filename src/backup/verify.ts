import { groupResource } from "../core/kube-types.js";
import type { BlobId, Repository, VerifyProblem, VerifyReport } from "../repository/index.js";
import type { BackupRecord, ItemGroup } from "./record.js";

/** One problem, with the backed-up objects it makes unreadable ("configmaps/ns/name"). */
export interface BackupProblem {
  /** A VerifyProblem kind ("corrupt-blob", "missing-pack"…), or "unreadable-location" from the server. */
  readonly kind: string;
  /** The storage object at fault (a pack, a manifest, a file); absent for a blob no index lists. */
  readonly key?: string;
  readonly message: string;
  readonly objects: readonly string[];
}

/** `backup verify`'s answer, as data: the CLI prints it, the server keeps it in the Backup's status. */
export interface BackupVerification {
  readonly backup: string;
  readonly verifiedAt: string;
  /** The share of data blobs read, in percent: 100 reads everything. */
  readonly samplePercent: number;
  readonly blobsReferenced: number;
  readonly blobsChecked: number;
  readonly bytesRead: number;
  readonly problems: readonly BackupProblem[];
}

/**
 * Reads what a backup references (all of it, or a sample) and names each problem by the
 * Kubernetes objects it damages, not only by blob ids: "configmaps/shop/prices is
 * unreadable" is what a user can act on.
 */
export async function verifyBackup(
  repository: Repository,
  name: string,
  options: { samplePercent?: number; now?: Date } = {},
): Promise<BackupVerification> {
  const samplePercent = options.samplePercent ?? 100;
  const report: VerifyReport = await repository.verify(name, { sample: samplePercent / 100 });
  const damaged = new Set(report.problems.flatMap(blobsOf));
  const objects = damaged.size > 0 ? await objectsOf(repository, name, damaged) : new Map();
  return {
    backup: name,
    verifiedAt: (options.now ?? new Date()).toISOString(),
    samplePercent,
    blobsReferenced: report.blobsReferenced,
    blobsChecked: report.blobsChecked,
    bytesRead: report.bytesRead,
    problems: report.problems.map((problem) => ({
      kind: problem.kind,
      ...(problem.key === null ? {} : { key: problem.key }),
      message: problem.message,
      objects: [...new Set(blobsOf(problem).flatMap((blob) => objects.get(blob) ?? []))].sort(),
    })),
  };
}

function blobsOf(problem: VerifyProblem): BlobId[] {
  if ("blobs" in problem) return [...problem.blobs];
  if ("blob" in problem) return [problem.blob];
  return [];
}

/**
 * Which items hold the damaged blobs: each group's id list, read position by position
 * beside its names blob. A group whose list or names cannot be read names no objects
 * (verify has already reported that damage itself).
 */
async function objectsOf(
  repository: Repository,
  name: string,
  damaged: ReadonlySet<BlobId>,
): Promise<Map<BlobId, string[]>> {
  // A damaged or swapped manifest is itself a reported problem; then no objects can be named.
  const manifest = await repository.readManifest(name).catch(() => undefined);
  const found = new Map<BlobId, string[]>();
  if (!manifest) return found;
  const record = manifest.body as BackupRecord;
  for (const group of record.groups) {
    const ref = manifest.lists[group.list];
    if (!ref) continue;
    try {
      const names = JSON.parse(
        Buffer.from(await repository.readBlob(group.names as BlobId)).toString("utf8"),
      ) as string[];
      let position = 0;
      for await (const blob of repository.readIdList(ref)) {
        const item = names[position++];
        if (damaged.has(blob) && item !== undefined) {
          found.set(blob, [...(found.get(blob) ?? []), objectName(group, item)]);
        }
      }
    } catch {
      // The group's names or list are damaged too: no single item can be named, so the
      // damaged blobs that hold its names or list root stand for the whole group.
      const whole = `${objectName(group, "*")} (all ${group.count})`;
      for (const blob of [group.names as BlobId, ref.root]) {
        if (blob && damaged.has(blob)) found.set(blob, [...(found.get(blob) ?? []), whole]);
      }
    }
  }
  return found;
}

function objectName(group: ItemGroup, name: string): string {
  const resource = groupResource(group.type);
  return group.namespace ? `${resource}/${group.namespace}/${name}` : `${resource}/${name}`;
}
