import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Repository } from "./repository.js";
import type { WriterStats } from "./snapshot-writer.js";
import { ManualClock, type TempStorage, tempStorage } from "./testing.test-helper.js";

/** A small Kubernetes-like object (~700 bytes of JSON) with the random parts real objects have. */
function item(i: number, resourceVersion: number): { key: string; bytes: Uint8Array } {
  const namespace = `ns-${String(i % 40).padStart(2, "0")}`;
  const name = `configmap-${String(i).padStart(6, "0")}`;
  const object = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name,
      namespace,
      uid: randomUUID(),
      resourceVersion: String(resourceVersion),
      labels: { app: `app-${i % 97}`, tier: i % 2 ? "web" : "db" },
      annotations: { "example.com/checksum": randomBytes(32).toString("hex") },
    },
    data: { "config.yaml": `replicas: ${i % 5}\ntoken: ${randomBytes(96).toString("base64")}\n` },
  };
  return { key: `${namespace}/${name}`, bytes: Buffer.from(JSON.stringify(object)) };
}

async function write(repo: Repository, name: string, items: readonly { key: string; bytes: Uint8Array }[]) {
  const writer = await repo.startSnapshot(name);
  const list = writer.idList();
  for (const { key, bytes } of [...items].sort((a, b) => (a.key < b.key ? -1 : 1))) {
    await list.add(key, await writer.addBlob(bytes));
  }
  return (await writer.commit({ body: null, lists: { items: await list.finish() } })).stats;
}

describe("deduplication across snapshots", () => {
  const N = 20_000;
  let temp: TempStorage;
  let first: WriterStats;
  let second: WriterStats;

  beforeAll(async () => {
    temp = await tempStorage();
    const repo = await Repository.open(temp.storage, { clock: new ManualClock() });
    const items = Array.from({ length: N }, (_, i) => item(i, 1));
    first = await write(repo, "first", items);
    // 1% of the items change (new uid, resourceVersion and data), spread at random.
    const picked = new Set<number>();
    while (picked.size < N / 100) picked.add(randomInt(N));
    const changed = items.map((it, i) => (picked.has(i) ? item(i, 2) : it));
    second = await write(await Repository.open(temp.storage), "second", changed);
  }, 60_000);

  afterAll(async () => {
    await temp.cleanup();
  });

  it("writes under 3% of the first snapshot's bytes when 1% of 20k items change", () => {
    console.info(
      `first: ${first.bytesWritten} B (${first.blobsNew} blobs, ${first.packsWritten} packs, index ${first.indexBytes} B); ` +
        `second: ${second.bytesWritten} B (${second.blobsNew} new, ${second.blobsDeduplicated} deduplicated, ` +
        `index ${second.indexBytes} B, manifest ${second.manifestBytes} B) = ` +
        `${((100 * second.bytesWritten) / first.bytesWritten).toFixed(2)}%`,
    );
    expect(second.blobsDeduplicated).toBeGreaterThan(N * 0.98);
    expect(second.bytesWritten).toBeLessThan(first.bytesWritten * 0.03);
  });
});
