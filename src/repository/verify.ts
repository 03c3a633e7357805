/**
 * Verifying a snapshot: every id-list node, every data blob and every side file is read
 * and checked against its hash. Problems are returned as data, one per damaged object,
 * so one bad blob never hides the others. Data blobs are checked pack by pack (one read
 * per pack, not one per blob), which matters on object stores.
 */

import { forEachLimit } from "../core/concurrency.js";
import { isKubesnapError } from "../core/errors.js";
import type { Storage } from "../storage/index.js";
import type { BlobId } from "./blob-id.js";
import type { BlobIndex } from "./blob-index.js";
import { type BlobLocation, decodeFrame, readBlobAt } from "./blob-reader.js";
import { walkIdList } from "./id-list.js";
import { packKey } from "./layout.js";
import type { Manifest } from "./manifest.js";
import { readSideFile } from "./side-file.js";

export type VerifyProblem =
  | { readonly kind: "missing-blob"; readonly blob: BlobId; readonly message: string }
  | {
      readonly kind: "missing-pack" | "corrupt-blob";
      readonly blob: BlobId;
      readonly pack: string;
      readonly message: string;
    }
  | { readonly kind: "missing-file" | "corrupt-file"; readonly file: string; readonly message: string };

export interface VerifyReport {
  readonly snapshot: string;
  /** Id-list nodes and data blobs checked. */
  readonly blobsChecked: number;
  readonly filesChecked: number;
  readonly problems: readonly VerifyProblem[];
}

export interface VerifyContext {
  readonly storage: Storage;
  readonly index: BlobIndex;
}

const PACK_READS = 4;

export async function verifySnapshot(ctx: VerifyContext, manifest: Manifest): Promise<VerifyReport> {
  const problems: VerifyProblem[] = [];
  const nodes = new Set<BlobId>();
  const data = new Set<BlobId>(manifest.blobs);
  const source = { readBlob: (id: BlobId) => readIndexed(ctx, id) };
  for (const ref of Object.values(manifest.lists)) {
    if (ref.root === null) continue;
    for await (const step of walkIdList(source, ref.root, { skip: (id) => nodes.has(id) })) {
      nodes.add(step.id);
      if (step.kind === "data") data.add(step.id);
      if (step.kind === "unreadable") problems.push(problemOf(ctx, step.id, step.error));
    }
  }

  const byPack = new Map<string, BlobLocation[]>();
  for (const blob of data) {
    const location = ctx.index.get(blob);
    if (!location) problems.push(missingBlob(blob));
    else {
      const inPack = byPack.get(location.pack) ?? [];
      byPack.set(location.pack, inPack);
      inPack.push(location);
    }
  }
  await forEachLimit(byPack, PACK_READS, async ([pack, locations]) => {
    problems.push(...(await verifyPack(ctx.storage, pack, locations)));
  });

  for (const [file, record] of Object.entries(manifest.files)) {
    try {
      await readSideFile(ctx.storage, manifest.name, file, record);
    } catch (err) {
      const kind = isKubesnapError(err, "NotFound") ? "missing-file" : "corrupt-file";
      problems.push({ kind, file, message: messageOf(err) });
    }
  }
  return {
    snapshot: manifest.name,
    blobsChecked: nodes.size + data.size,
    filesChecked: Object.keys(manifest.files).length,
    problems,
  };
}

async function verifyPack(
  storage: Storage,
  pack: string,
  locations: BlobLocation[],
): Promise<VerifyProblem[]> {
  let bytes: Uint8Array;
  try {
    bytes = await storage.get(packKey(pack));
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    const message = `pack ${pack} is missing from ${storage.description}`;
    return locations.map(({ blob }) => ({ kind: "missing-pack", blob, pack, message }));
  }
  const problems: VerifyProblem[] = [];
  for (const location of locations) {
    const frame = bytes.subarray(location.offset, location.offset + location.length);
    try {
      await decodeFrame(location, frame, storage.description);
    } catch (err) {
      problems.push({ kind: "corrupt-blob", blob: location.blob, pack, message: messageOf(err) });
    }
  }
  return problems;
}

function readIndexed(ctx: VerifyContext, id: BlobId): Promise<Uint8Array> {
  const location = ctx.index.get(id);
  // problemOf() reports an id missing from the index as missing-blob, whatever this error says.
  return location
    ? readBlobAt(ctx.storage, location)
    : Promise.reject(new Error(`blob ${id} is in no index file`));
}

function problemOf(ctx: VerifyContext, blob: BlobId, error: unknown): VerifyProblem {
  const pack = ctx.index.get(blob)?.pack;
  if (pack === undefined) return missingBlob(blob);
  const kind = isKubesnapError(error, "NotFound") ? "missing-pack" : "corrupt-blob";
  return { kind, blob, pack, message: messageOf(error) };
}

function missingBlob(blob: BlobId): VerifyProblem {
  return { kind: "missing-blob", blob, message: `blob ${blob} is in no index file` };
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
