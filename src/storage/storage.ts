/**
 * The one interface every object store sits behind (file, s3, later gcs and azure).
 * Keys are relative, '/'-separated paths; a driver maps them under its bucket and prefix.
 * Drivers report failures as KubesnapError with code NotFound, AccessDenied or Unavailable,
 * and never put credentials in a message.
 */
import { KubesnapError } from "../core/errors.js";

export interface ObjectInfo {
  readonly key: string;
  readonly size: number;
  readonly lastModified: Date;
}

/**
 * Bytes [offset, offset + length) of an object. Like an HTTP range, it is cut at the
 * object's end: a range running past the end yields fewer bytes (none when offset is at
 * or past the end), so callers that need exactly `length` bytes check the result.
 */
export interface ByteRange {
  readonly offset: number;
  readonly length: number;
}

/** Drivers call this first, so a bad range fails the same way everywhere. */
export function checkByteRange(range: ByteRange): void {
  const { offset, length } = range;
  if (Number.isSafeInteger(offset) && Number.isSafeInteger(length) && offset >= 0 && length >= 0) return;
  throw new KubesnapError("InvalidInput", `Invalid byte range: offset ${offset}, length ${length}`, {
    hint: "offset and length must be non-negative integers",
  });
}

export interface Storage {
  /** Where the data lives, for messages: "s3://bucket/prefix", "file:///path". No credentials. */
  readonly description: string;
  /** Writes (or overwrites) an object. */
  put(key: string, body: Uint8Array): Promise<void>;
  /** Writes an object only if no object has that key; false when one already exists. */
  putIfAbsent(key: string, body: Uint8Array): Promise<boolean>;
  /** Reads an object, or a byte range of it. Throws NotFound when absent. */
  get(key: string, range?: ByteRange): Promise<Uint8Array>;
  /** Size and time of an object, or undefined when absent. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with prefix, in no promised order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /** Deletes an object; deleting an absent object is not an error. */
  delete(key: string): Promise<void>;
}
