import { chmod, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isKubesnapError } from "../../src/core/errors.js";
import { FileStorage } from "../../src/storage/index.js";
import { describeStorageConformance } from "./conformance.js";

let root = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "kubesnap-file-storage-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describeStorageConformance("file", () => new FileStorage(root));

describe("file storage", () => {
  it("leaves no temp files behind and skips foreign ones in list", async () => {
    const storage = new FileStorage(root);
    await storage.put("tmp-check/a", new Uint8Array([1]));
    expect(await storage.putIfAbsent("tmp-check/a", new Uint8Array([2]))).toBe(false);
    expect(await readdir(join(root, "tmp-check"))).toEqual(["a"]);
    // What a crash between write and rename leaves behind.
    await writeFile(join(root, "tmp-check", ".kubesnap-tmp-0123456789abcdef"), "partial");
    const keys: string[] = [];
    for await (const o of storage.list("tmp-check/")) keys.push(o.key);
    expect(keys).toEqual(["tmp-check/a"]);
  });

  it("refuses keys that would leave the root or pose as temp files", async () => {
    const storage = new FileStorage(join(root, "inner"));
    for (const key of ["../escape", "a/../../b", "/abs", "a//b", "a/", ".kubesnap-tmp-x", "a\\b"]) {
      const err = await storage.put(key, new Uint8Array([1])).catch((e: unknown) => e);
      expect(isKubesnapError(err, "InvalidInput"), key).toBe(true);
    }
    const listed: string[] = [];
    for await (const o of storage.list("../")) listed.push(o.key);
    expect(listed).toEqual([]);
  });

  it("reports a key that is also a directory of longer keys as Conflict on write", async () => {
    const storage = new FileStorage(root);
    await storage.put("conflict/a/b", new Uint8Array([1]));
    const err = await storage.put("conflict/a", new Uint8Array([2])).catch((e: unknown) => e);
    expect(isKubesnapError(err, "Conflict")).toBe(true);
    await storage.put("conflict/file", new Uint8Array([1]));
    const under = await storage.put("conflict/file/x", new Uint8Array([2])).catch((e: unknown) => e);
    expect(isKubesnapError(under, "Conflict")).toBe(true);
  });

  // root ignores file modes, so this only runs as an ordinary user.
  it.skipIf(process.getuid?.() === 0)("maps an unreadable directory to AccessDenied", async () => {
    const storage = new FileStorage(root);
    await storage.put("locked/a", new Uint8Array([1]));
    await chmod(join(root, "locked"), 0o000);
    try {
      const err = await storage.get("locked/a").catch((e: unknown) => e);
      expect(isKubesnapError(err, "AccessDenied")).toBe(true);
    } finally {
      await chmod(join(root, "locked"), 0o755);
    }
  });

  it("describes itself as a file URL", () => {
    expect(new FileStorage("/var/backups/kubesnap").description).toBe("file:///var/backups/kubesnap");
  });
});
