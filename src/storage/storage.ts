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

/** How an object is written. */
export interface PutOptions {
  /**
   * Object lock: the store refuses to delete or overwrite the object before this time. Drivers
   * without object lock (or with it turned off for the location) ignore it.
   */
  readonly retainUntil?: Date;
}

export interface Storage {
  /** Where the data lives, for messages: "s3://bucket/prefix", "file:///path". No credentials. */
  readonly description: string;
  /** Writes (or overwrites) an object. */
  put(key: string, body: Uint8Array, options?: PutOptions): Promise<void>;
  /** Writes an object only if no object has that key; false when one already exists. */
  putIfAbsent(key: string, body: Uint8Array, options?: PutOptions): Promise<boolean>;
  /** Reads an object, or a byte range of it. Throws NotFound when absent. */
  get(key: string, range?: ByteRange): Promise<Uint8Array>;
  /** Size and time of an object, or undefined when absent. */
  stat(key: string): Promise<ObjectInfo | undefined>;
  /** Every object whose key starts with prefix, in no promised order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
  /**
   * Deletes an object; deleting an absent object is not an error. With object lock, deleting
   * an object still retained fails with code Locked and the date it is retained until.
   */
  delete(key: string): Promise<void>;
  /** With object lock: until when an object is retained (undefined: not, or no longer). */
  retainedUntil?(key: string): Promise<Date | undefined>;
  /** With object lock: retains an object at least until this time (a lock is only ever extended). */
  retain?(key: string, until: Date): Promise<void>;
}

/** A view of storage whose every write is retained until `until` (for one backup's objects). */
export function retaining(storage: Storage, until: Date): Storage {
  return {
    description: storage.description,
    put: (key, body) => storage.put(key, body, { retainUntil: until }),
    putIfAbsent: (key, body) => storage.putIfAbsent(key, body, { retainUntil: until }),
    get: (key, range) => storage.get(key, range),
    stat: (key) => storage.stat(key),
    list: (prefix) => storage.list(prefix),
    delete: (key) => storage.delete(key),
    ...(storage.retainedUntil ? { retainedUntil: storage.retainedUntil.bind(storage) } : {}),
    ...(storage.retain ? { retain: storage.retain.bind(storage) } : {}),
  };
}
