/** For tests that expect every storage operation to fail the same way (bad key, missing bucket). */
import { isKubesnapError, type KubesnapError } from "../../src/core/errors.js";
import type { Storage } from "../../src/storage/index.js";

export function operations(storage: Storage): { name: string; run: () => Promise<unknown> }[] {
  const body = new Uint8Array([1]);
  return [
    { name: "put", run: () => storage.put("k", body) },
    { name: "putIfAbsent", run: () => storage.putIfAbsent("k", body) },
    { name: "get", run: () => storage.get("k") },
    { name: "get range", run: () => storage.get("k", { offset: 1, length: 2 }) },
    { name: "get empty range", run: () => storage.get("k", { offset: 0, length: 0 }) },
    { name: "stat", run: () => storage.stat("k") },
    { name: "list", run: () => storage.list("")[Symbol.asyncIterator]().next() },
    { name: "delete", run: () => storage.delete("k") },
  ];
}

export async function failure(promise: Promise<unknown>): Promise<KubesnapError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isKubesnapError(err)) throw new Error(`expected a KubesnapError, got ${String(err)}`);
  return err;
}
