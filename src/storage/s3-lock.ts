/**
 * S3 Object Lock, for locations with config objectLock. The bucket must have been created
 * with Object Lock (which turns on versioning). Objects are written with a retention mode
 * and a retain-until date; a plain DELETE on a versioned bucket would only add a delete
 * marker and hide the object, so kubesnap deletes versions, which the store refuses while
 * they are retained: that refusal is the guarantee, for kubesnap and for anyone else.
 */
import type { ListObjectVersionsCommandOutput, S3Client } from "@aws-sdk/client-s3";
import { KubesnapError } from "../core/errors.js";

export type LockMode = "COMPLIANCE" | "GOVERNANCE";

/** What a PutObject needs for a retained object; the store demands a checksum with it. */
export function retentionFields(mode: LockMode, until: Date) {
  return {
    ObjectLockMode: mode,
    ObjectLockRetainUntilDate: until,
    ChecksumAlgorithm: "CRC32" as const,
  };
}

export interface LockTarget {
  /** The SDK module, loaded by the storage on first use. */
  readonly sdk: typeof import("@aws-sdk/client-s3");
  readonly client: S3Client;
  readonly bucket: string;
  /** The key in the bucket (with the location's prefix). */
  readonly key: string;
}

/** Until when the current version of an object is retained; undefined when absent or not retained. */
export async function retainedUntil(target: LockTarget): Promise<Date | undefined> {
  try {
    const head = await target.client.send(
      new target.sdk.HeadObjectCommand({ Bucket: target.bucket, Key: target.key }),
    );
    return head.ObjectLockRetainUntilDate;
  } catch (err) {
    if ((err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
      return undefined;
    throw err;
  }
}

/** Extends the current version's retention to `until`; a retention is never shortened. */
export async function extendRetention(target: LockTarget, mode: LockMode, until: Date): Promise<void> {
  const current = await retainedUntil(target);
  if (current && current.getTime() >= until.getTime()) return;
  await target.client.send(
    new target.sdk.PutObjectRetentionCommand({
      Bucket: target.bucket,
      Key: target.key,
      Retention: { Mode: mode, RetainUntilDate: until },
      ChecksumAlgorithm: "CRC32",
    }),
  );
}

/**
 * Deletes every version (and delete marker) of one key. A retained version makes the store
 * refuse: that becomes a Locked error with the date, and later versions stay as they were.
 */
export async function deleteVersions(target: LockTarget, where: string): Promise<void> {
  const { client, bucket, key, sdk } = target;
  let keyMarker: string | undefined;
  let versionMarker: string | undefined;
  do {
    const page: ListObjectVersionsCommandOutput = await client.send(
      new sdk.ListObjectVersionsCommand({
        Bucket: bucket,
        Prefix: key,
        ...(keyMarker ? { KeyMarker: keyMarker } : {}),
        ...(versionMarker ? { VersionIdMarker: versionMarker } : {}),
      }),
    );
    const versions = [...(page.Versions ?? []), ...(page.DeleteMarkers ?? [])].filter(
      (v) => v.Key === key && v.VersionId !== undefined,
    );
    for (const version of versions) {
      try {
        await client.send(
          new sdk.DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: version.VersionId }),
        );
      } catch (err) {
        if (!isRetentionRefusal(err)) throw err;
        const until = await retainedUntil(target).catch(() => undefined);
        throw new KubesnapError(
          "Locked",
          `${where}: the object is retained by object lock${until ? ` until ${until.toISOString()}` : ""}`,
          { hint: "it can be deleted once its retention ends (its backup's expiry)", cause: err },
        );
      }
    }
    keyMarker = page.IsTruncated ? page.NextKeyMarker : undefined;
    versionMarker = page.IsTruncated ? page.NextVersionIdMarker : undefined;
  } while (keyMarker !== undefined);
}

/** AWS answers AccessDenied for a retained version; MinIO InvalidRequest ("WORM protected"). */
function isRetentionRefusal(err: unknown): boolean {
  const { name, message } = err as { name?: string; message?: string };
  return name === "AccessDenied" || /WORM|retention|object lock|locked/i.test(message ?? "");
}
