/**
 * The worker thread behind zstd-thread.ts: (de)compresses batches of small blobs with
 * zlib's synchronous calls. It imports only Node's own modules, so under the tests Node
 * runs this file as it is (type stripping), with no build.
 */
import { parentPort } from "node:worker_threads";
import { zstdCompressSync, zstdDecompressSync } from "node:zlib";

/** What the main thread sends: one batch of one kind. */
export interface ZstdBatch {
  readonly id: number;
  readonly op: "compress" | "decompress";
  readonly inputs: readonly Uint8Array[];
  /** compress: zlib options per input (level, pledged size, chunk size); decompress: the same. */
  readonly options: readonly object[];
}

/** What comes back: each output, or the message of the error it gave, in input order. */
export interface ZstdResult {
  readonly id: number;
  readonly outputs: readonly (Uint8Array | string)[];
}

parentPort?.on("message", (batch: ZstdBatch) => {
  const run = batch.op === "compress" ? zstdCompressSync : zstdDecompressSync;
  const outputs = batch.inputs.map((input, i) => {
    try {
      // A copy of its own, exactly sized: zlib's buffer may be larger, or not transferable.
      return Uint8Array.prototype.slice.call(run(input, batch.options[i]));
    } catch (err) {
      return err instanceof Error ? err.message : String(err);
    }
  });
  const transfer = outputs.flatMap((o) => (typeof o === "string" ? [] : [o.buffer as ArrayBuffer]));
  parentPort?.postMessage({ id: batch.id, outputs } satisfies ZstdResult, transfer);
});
