import type { ByteRange, ObjectInfo, Storage } from "../storage/index.js";
import { DamagedObjectError } from "./damage.js";
import { type Sealer, sealContext } from "./sealer.js";

/**
 * Storage for records kept beside a repository (restore records, their logs and results):
 * in an encrypted repository each object is sealed and bound to its key, so it is as
 * unreadable to the bucket's holder as the backups, and cannot be moved to another key.
 * Keys and sizes stay visible, as for the repository's own objects.
 */
export class RecordStorage implements Storage {
  constructor(
    private readonly storage: Storage,
    private readonly sealer: Sealer,
  ) {}

  get description(): string {
    return this.storage.description;
  }

  put(key: string, body: Uint8Array): Promise<void> {
    return this.storage.put(key, this.sealer.seal(body, sealContext.record(key)));
  }

  putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    return this.storage.putIfAbsent(key, this.sealer.seal(body, sealContext.record(key)));
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    // Sealed objects are read whole: a range of ciphertext cannot be authenticated.
    const plain = this.sealer.open(await this.storage.get(key), sealContext.record(key));
    if (plain === undefined) {
      throw new DamagedObjectError({
        key,
        reason: "unauthenticated",
        message: `Record ${key} in ${this.storage.description} fails authentication: it was altered or moved`,
      });
    }
    return range ? plain.subarray(range.offset, range.offset + range.length) : plain;
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.storage.stat(key);
  }

  list(prefix: string): AsyncIterable<ObjectInfo> {
    return this.storage.list(prefix);
  }

  delete(key: string): Promise<void> {
    return this.storage.delete(key);
  }
}
