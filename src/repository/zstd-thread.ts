/**
 * Small blobs (de)compressed on a worker thread, in batches. Each of Node's zlib calls
 * costs ~40 µs of fixed work on the calling thread (a stream object, a zstd context),
 * whatever the blob's size: for 10,000 small files that was ~0.4 s of the main thread
 * on each of backup and restore, the thread every other step waits on. On the worker
 * that cost runs beside the main thread, and batching makes the hand-off cheap: what is
 * asked for within one turn of the event loop (or BATCH blobs) goes as one message.
 *
 * The worker is started on first use and does not keep the process alive while idle.
 */
import { Worker } from "node:worker_threads";
import type { ZstdBatch, ZstdResult } from "./zstd-worker.js";

/** Blobs per message: enough to make the hand-off cheap, few enough that the worker starts early. */
const BATCH = 32;

type Op = ZstdBatch["op"];

interface Request {
  readonly input: Uint8Array;
  readonly options: object;
  readonly resolve: (output: Buffer) => void;
  readonly reject: (error: Error) => void;
}

class ZstdThread {
  private worker: Worker | undefined;
  private readonly queued: Record<Op, Request[]> = { compress: [], decompress: [] };
  private readonly sent = new Map<number, Request[]>();
  private nextId = 0;
  private flushScheduled = false;

  run(op: Op, input: Uint8Array, options: object): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      // A copy of its own: a view would take its whole underlying buffer (a pack, a file) along.
      const queue = this.queued[op];
      queue.push({ input: Uint8Array.prototype.slice.call(input), options, resolve, reject });
      if (queue.length >= BATCH) this.send(op);
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => {
          this.flushScheduled = false;
          this.send("compress");
          this.send("decompress");
        });
      }
    });
  }

  private send(op: Op): void {
    const requests = this.queued[op];
    if (requests.length === 0) return;
    this.queued[op] = [];
    const id = this.nextId++;
    this.sent.set(id, requests);
    const worker = this.started();
    if (this.sent.size === 1) worker.ref();
    const batch: ZstdBatch = {
      id,
      op,
      inputs: requests.map((r) => r.input),
      options: requests.map((r) => r.options),
    };
    worker.postMessage(
      batch,
      requests.map((r) => r.input.buffer as ArrayBuffer),
    );
  }

  private started(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(new URL(`./zstd-worker${extension()}`, import.meta.url));
    worker.on("message", (result: ZstdResult) => this.settle(result));
    // A worker that dies fails what it held; the next request starts another.
    const fail = (error: Error) => {
      if (this.worker === worker) this.worker = undefined;
      for (const requests of this.sent.values()) for (const r of requests) r.reject(error);
      this.sent.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`the zstd worker thread exited with code ${code}`)));
    worker.unref();
    this.worker = worker;
    return worker;
  }

  private settle(result: ZstdResult): void {
    const requests = this.sent.get(result.id) ?? [];
    this.sent.delete(result.id);
    if (this.sent.size === 0) this.worker?.unref();
    for (const [i, request] of requests.entries()) {
      const output = result.outputs[i];
      if (output === undefined || typeof output === "string")
        request.reject(new Error(output ?? "no output"));
      else request.resolve(Buffer.from(output.buffer, output.byteOffset, output.byteLength));
    }
  }
}

/** ".ts" when this module runs from source (the tests), ".js" once built. */
function extension(): string {
  return import.meta.url.endsWith(".ts") ? ".ts" : ".js";
}

const thread = new ZstdThread();

/** Compresses or decompresses one small blob on the worker thread, with zlib's options for it. */
export function onZstdThread(op: Op, input: Uint8Array, options: object): Promise<Buffer> {
  return thread.run(op, input, options);
}
