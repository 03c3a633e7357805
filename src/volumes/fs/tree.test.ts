import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Repository } from "../../repository/index.js";
import { type TempStorage, tempStorage } from "../../repository/testing.test-helper.js";
import { type FsOps, realFs } from "./fs-ops.js";
import { restoreTree } from "./restore.js";
import { describeTree, expectSameTree, makeMixedTree, randomBytes } from "./testing.test-helper.js";
import { backupVolume } from "./volume.js";

const MiB = 1024 * 1024;

describe("file-system backup round trip", () => {
  let dir: string;
  let store: TempStorage;
  let repo: Repository;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubesnap-fs-"));
    store = await tempStorage();
    repo = await Repository.open(store.storage);
    await makeMixedTree(join(dir, "source"), { largeBytes: 6 * MiB, smallFiles: 300, seed: 1 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
    await store.cleanup();
  });

  it("restores every byte, mode, owner, time, symlink, empty directory and hole", async () => {
    const progress: number[] = [];
    const { body } = await backupVolume(repo, join(dir, "source"), {
      snapshot: "b1_fs_uid_data",
      source: { volume: "data" },
      onProgress: (p) => progress.push(p.bytesDone / p.totalBytes),
    });
    expect(body.errorCount).toBe(0);
    expect(body.totals).toMatchObject({ files: 306, symlinks: 3, skipped: 0 });
    expect(progress.at(-1)).toBe(1);
    const restored = await restoreTree(repo, "b1_fs_uid_data", join(dir, "restored"));
    expect(restored.errorCount).toBe(0);
    const before = await describeTree(join(dir, "source"));
    const after = await describeTree(join(dir, "restored"));
    expectSameTree(after, before);
    const sparse = after.find((i) => i.path === "sparse.img");
    expect(sparse?.allocated).toBeLessThan(MiB);
  });

  it("stores only what changed: an unchanged tree adds nothing but lists and a manifest", async () => {
    const second = await backupVolume(repo, join(dir, "source"), { snapshot: "b2_fs_uid_data", source: {} });
    expect(second.stats.blobsNew).toBe(0);
    expect(second.stats.bytesWritten).toBeLessThan(2048);
  });

  it("skips a file it could not read to its end, and says so on both sides", async () => {
    await writeFile(join(dir, "source", "flaky.bin"), randomBytes(3 * MiB, 5));
    const failing: FsOps = {
      ...realFs,
      open: async (path, flags, mode) => {
        const handle = await realFs.open(path, flags, mode);
        if (!String(path).endsWith("flaky.bin")) return handle;
        let reads = 0;
        return new Proxy(handle, {
          get(target, key) {
            if (key !== "read") return Reflect.get(target, key, target);
            return async (...args: Parameters<typeof handle.read>) => {
              if (++reads > 1) throw Object.assign(new Error("EIO: i/o error, read"), { code: "EIO" });
              return target.read(...args);
            };
          },
        });
      },
    };
    const { body } = await backupVolume(repo, join(dir, "source"), {
      snapshot: "b3_fs_uid_data",
      source: {},
      fs: failing,
    });
    expect(body.errors).toEqual([{ path: "flaky.bin", message: "/flaky.bin: EIO: i/o error" }]);
    const restored = await restoreTree(repo, "b3_fs_uid_data", join(dir, "restored-3"));
    expect(restored.errors.map((e) => e.path)).toEqual(["flaky.bin"]);
    const after = await describeTree(join(dir, "restored-3"));
    expect(after.some((i) => i.path === "flaky.bin")).toBe(false);
    expect(after.some((i) => i.path === "data/large.bin")).toBe(true);
  });

  it("records a directory that vanished mid-walk by path and backs up the rest", async () => {
    const vanishing: FsOps = {
      ...realFs,
      readdir: (async (path: Buffer, options: never) => {
        if (String(path).endsWith("/data/small/d07")) {
          throw Object.assign(new Error(`ENOENT: no such file or directory, scandir '${String(path)}'`), {
            code: "ENOENT",
          });
        }
        return realFs.readdir(path, options);
      }) as FsOps["readdir"],
    };
    const { body } = await backupVolume(repo, join(dir, "source"), {
      snapshot: "b4_fs_uid_data",
      source: {},
      fs: vanishing,
    });
    expect(body.errors).toEqual([
      { path: "data/small/d07", message: "/data/small/d07: ENOENT: no such file or directory" },
    ]);
    expect(body.totals.files).toBeGreaterThan(290);
  });

  it("reports a full disk on restore by path and restores what fits", async () => {
    const full: FsOps = {
      ...realFs,
      open: async (path, flags, mode) => {
        const handle = await realFs.open(path, flags, mode);
        if (!String(path).endsWith("large.bin")) return handle;
        return new Proxy(handle, {
          get(target, key) {
            if (key !== "write") return Reflect.get(target, key, target);
            return async () => {
              throw Object.assign(new Error("ENOSPC: no space left on device, write"), { code: "ENOSPC" });
            };
          },
        });
      },
    };
    const restored = await restoreTree(repo, "b1_fs_uid_data", join(dir, "restored-full"), { fs: full });
    expect(restored.errors).toEqual([
      { path: "data/large.bin", message: "/data/large.bin: ENOSPC: no space left on device" },
    ]);
    expect(restored.files).toBe(305);
    // Not left half-written.
    const after = await describeTree(join(dir, "restored-full"));
    expect(after.some((i) => i.path === "data/large.bin")).toBe(false);
  });

  it("commits nothing when stopped part-way", async () => {
    const abort = new AbortController();
    const run = backupVolume(repo, join(dir, "source"), {
      snapshot: "b5_fs_uid_data",
      source: {},
      signal: abort.signal,
      onProgress: (p) => {
        if (p.bytesDone > MiB) abort.abort();
      },
    });
    await expect(run).rejects.toThrow();
    expect((await repo.listSnapshots()).map((s) => s.name)).not.toContain("b5_fs_uid_data");
  });
});
