/**
 * Fills pack files with compressed blobs and uploads them while the writer keeps
 * going. Memory stays bounded: one pack filling, at most `uploads` packs uploading,
 * and a full pack waiting for an upload slot holds back further blobs.
 */
import { crc32 } from "node:zlib";
import type { Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import { sha256Hex } from "./blob-id.js";
import type { PackEntry, PackRecord } from "./index-file.js";
import { packKey } from "./layout.js";

export interface PackWriterOptions {
  /** A pack is sealed once it reaches this many bytes. */
  readonly targetBytes: number;
  /** Packs uploading at once. */
  readonly uploads: number;
  /** Called after each pack is stored, with its size. */
  readonly onStored: (record: PackRecord, bytes: number) => void;
}

interface OpenPack {
  chunks: Uint8Array[];
  entries: PackEntry[];
  bytes: number;
}

export class PackWriter {
  private current: OpenPack = emptyPack();
  private readonly sealed: OpenPack[] = [];
  private readonly uploading = new Set<Promise<void>>();
  private failure: { error: unknown } | undefined;

  constructor(
    private readonly storage: Storage,
    private readonly options: PackWriterOptions,
  ) {}

  /** Appends one compressed blob; resolves once it is buffered (waits while a full pack queues). */
  async add(blob: BlobId, frame: Uint8Array, rawLength: number): Promise<void> {
    while (this.sealed.length > 0 && !this.failure) await Promise.race(this.uploading);
    this.throwIfFailed();
    // A frame larger than the pack target gets a pack of its own rather than an oversized neighbour.
    if (this.current.bytes > 0 && this.current.bytes + frame.length > this.options.targetBytes) this.seal();
    const pack = this.current;
    pack.entries.push({ blob, offset: pack.bytes, length: frame.length, rawLength, crc32: crc32(frame) });
    pack.chunks.push(frame);
    pack.bytes += frame.length;
    if (pack.bytes >= this.options.targetBytes) this.seal();
  }

  /** Seals the filling pack and waits for every upload. */
  async flush(): Promise<void> {
    this.seal();
    while (this.uploading.size > 0) await Promise.race(this.uploading);
    this.throwIfFailed();
  }

  /** Waits for running uploads to settle, ignoring their outcome (used on abort). */
  async settle(): Promise<void> {
    this.sealed.length = 0;
    await Promise.allSettled([...this.uploading]);
  }

  private seal(): void {
    if (this.current.bytes === 0) return;
    this.sealed.push(this.current);
    this.current = emptyPack();
    this.pump();
  }

  private pump(): void {
    while (this.uploading.size < this.options.uploads && !this.failure) {
      const pack = this.sealed.shift();
      if (!pack) return;
      const upload: Promise<void> = this.upload(pack)
        .catch((error: unknown) => {
          this.failure ??= { error };
        })
        .finally(() => {
          this.uploading.delete(upload);
          this.pump();
        });
      this.uploading.add(upload);
    }
  }

  private async upload(pack: OpenPack): Promise<void> {
    const bytes = Buffer.concat(pack.chunks, pack.bytes);
    const id = sha256Hex(bytes);
    // Same id means same bytes, so overwriting an existing pack is harmless.
    await this.storage.put(packKey(id), bytes);
    this.options.onStored({ pack: id, entries: pack.entries }, bytes.length);
  }

  private throwIfFailed(): void {
    if (this.failure) throw this.failure.error;
  }
}

function emptyPack(): OpenPack {
  return { chunks: [], entries: [], bytes: 0 };
}
