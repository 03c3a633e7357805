/**
 * Storage on a local directory: one file per object, key segments as directories.
 * Every write goes to a temp file in the target directory first, so a reader never sees
 * half an object and a crash leaves at most a temp file, which list() skips.
 */
import { randomBytes } from "node:crypto";
import type { Dirent } from "node:fs";
import { link, mkdir, open, opendir, rename, stat, unlink } from "node:fs/promises";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { KubesnapError } from "../core/errors.js";
import { type ByteRange, checkByteRange, type ObjectInfo, type Storage } from "./storage.js";

/** Names of in-flight writes; keys may not use it so list() can skip them safely. */
const tempMarker = ".kubesnap-tmp-";

export type FileOperation = "read" | "write" | "stat" | "list" | "delete";

export class FileStorage implements Storage {
  readonly description: string;
  readonly #root: string;

  constructor(root: string) {
    this.#root = root;
    this.description = pathToFileURL(root).href;
  }

  async put(key: string, body: Uint8Array): Promise<void> {
    const path = this.#path(key);
    const tmp = await this.#writeTemp(key, path, body);
    try {
      await rename(tmp, path);
    } catch (err) {
      await removeQuietly(tmp);
      throw this.#error(err, "write", key);
    }
    await this.#syncDir(key, dirname(path));
  }

  async putIfAbsent(key: string, body: Uint8Array): Promise<boolean> {
    const path = this.#path(key);
    const tmp = await this.#writeTemp(key, path, body);
    // link() fails with EEXIST when the name exists, atomically, across processes —
    // unlike rename(), which would silently replace the winner's object.
    try {
      await link(tmp, path);
    } catch (err) {
      if (errnoCode(err) === "EEXIST") return false;
      throw this.#error(err, "write", key);
    } finally {
      await removeQuietly(tmp);
    }
    await this.#syncDir(key, dirname(path));
    return true;
  }

  async get(key: string, range?: ByteRange): Promise<Uint8Array> {
    const path = this.#path(key);
    if (range !== undefined) checkByteRange(range);
    try {
      await using file = await open(path, "r");
      const info = await file.stat();
      // A directory is where longer keys live, not an object.
      if (!info.isFile()) {
        throw new KubesnapError("NotFound", `Cannot read "${key}" in ${this.description}: object not found`);
      }
      const size = info.size;
      const start = Math.min(range?.offset ?? 0, size);
      const end = range === undefined ? size : Math.min(start + range.length, size);
      const buffer = new Uint8Array(end - start);
      let done = 0;
      while (done < buffer.length) {
        const { bytesRead } = await file.read(buffer, done, buffer.length - done, start + done);
        if (bytesRead === 0) break; // Truncated under us by someone else; return what is there.
        done += bytesRead;
      }
      return done === buffer.length ? buffer : buffer.subarray(0, done);
    } catch (err) {
      throw this.#error(err, "read", key);
    }
  }

  stat(key: string): Promise<ObjectInfo | undefined> {
    return this.#statPath(key, this.#path(key));
  }

  async #statPath(key: string, path: string): Promise<ObjectInfo | undefined> {
    try {
      const s = await stat(path);
      return s.isFile() ? { key, size: s.size, lastModified: s.mtime } : undefined;
    } catch (err) {
      if (isAbsent(err)) return undefined;
      throw this.#error(err, "stat", key);
    }
  }

  async *list(prefix: string): AsyncIterable<ObjectInfo> {
    // Start in the deepest directory the prefix names, so listing one backup does not
    // walk every other backup; only that first level needs the partial-name filter.
    const cut = prefix.lastIndexOf("/") + 1;
    const dirKey = prefix.slice(0, cut);
    // No valid key starts with "a//" or "../", so such a prefix matches nothing.
    if (dirKey !== "" && !isValidKey(dirKey.slice(0, -1))) return;
    yield* this.#walk(dirKey, prefix.slice(cut));
  }

  async delete(key: string): Promise<void> {
    const path = this.#path(key);
    try {
      await unlink(path);
    } catch (err) {
      // Nothing there, or a directory (which is not an object): either way no object to delete.
      if (isAbsent(err) || errnoCode(err) === "EISDIR") return;
      throw this.#error(err, "delete", key);
    }
  }

  async *#walk(dirKey: string, namePrefix: string): AsyncGenerator<ObjectInfo> {
    let dir: AsyncIterable<Dirent>;
    try {
      dir = await opendir(join(this.#root, dirKey));
    } catch (err) {
      if (isAbsent(err)) return;
      throw this.#error(err, "list", dirKey);
    }
    for await (const entry of dir) {
      if (!entry.name.startsWith(namePrefix) || entry.name.startsWith(tempMarker)) continue;
      const key = dirKey + entry.name;
      if (entry.isDirectory()) {
        yield* this.#walk(`${key}/`, "");
      } else if (entry.isFile()) {
        const info = await this.#statPath(key, join(this.#root, key));
        if (info !== undefined) yield info; // Deleted between readdir and stat: skip it.
      }
    }
  }

  async #writeTemp(key: string, path: string, body: Uint8Array): Promise<string> {
    const dir = dirname(path);
    const tmp = join(dir, `${tempMarker}${randomBytes(8).toString("hex")}`);
    try {
      await mkdir(dir, { recursive: true });
      await using file = await open(tmp, "wx");
      await file.writeFile(body);
      // Data on disk before the rename/link publishes the name, or a crash could leave
      // a complete-looking object full of zeros.
      await file.sync();
      return tmp;
    } catch (err) {
      await removeQuietly(tmp);
      throw this.#error(err, "write", key);
    }
  }

  /** Makes the new name itself durable: it lives in the directory's entries. */
  async #syncDir(key: string, dir: string): Promise<void> {
    try {
      await using handle = await open(dir, "r");
      await handle.sync();
    } catch (err) {
      throw this.#error(err, "write", key);
    }
  }

  #path(key: string): string {
    checkKey(key);
    return join(this.#root, key);
  }

  #error(err: unknown, operation: FileOperation, key: string): KubesnapError {
    return fileError(err, { operation, key, description: this.description, root: this.#root });
  }
}

/** Keys are relative '/'-paths; anything that could leave the root or hide as a temp file is refused. */
function checkKey(key: string): void {
  if (isValidKey(key)) return;
  throw new KubesnapError("InvalidInput", `Invalid object key "${key}"`, {
    hint: `keys are '/'-separated relative paths without empty, '.', '..' or '${tempMarker}' segments`,
  });
}

function isValidKey(key: string): boolean {
  if (key.includes("\\") || key.includes("\0")) return false;
  return key.split("/").every((s) => s !== "" && s !== "." && s !== ".." && !s.startsWith(tempMarker));
}

/** Turns a Node file-system error into a KubesnapError that names the key and the directory. */
export function fileError(
  err: unknown,
  context: { operation: FileOperation; key: string; description: string; root?: string },
): KubesnapError {
  if (err instanceof KubesnapError) return err;
  const where = `Cannot ${context.operation} "${context.key}" in ${context.description}`;
  const reason = err instanceof Error ? err.message : String(err);
  const code = errnoCode(err);
  const failedPath = (err as NodeJS.ErrnoException).path;
  if (code === "ENOTDIR" && context.root && failedPath && !failedPath.startsWith(`${context.root}/`)) {
    // Something that is not a directory stands where the location's own directory must be.
    return new KubesnapError(
      "AccessDenied",
      `Cannot create the directory ${context.root}: a path above it is a file`,
      {
        hint: "point the location at a directory, or at a path where one can be made",
        cause: err,
      },
    );
  }
  if (context.operation === "write" && (code === "ENOTDIR" || code === "EISDIR" || code === "EEXIST")) {
    // S3 allows both "a" and "a/b"; a directory tree cannot hold both a file and a directory "a".
    return new KubesnapError("Conflict", `${where}: a key and a key under it cannot both exist`, {
      hint: "file storage maps key segments to directories; choose keys that are not prefixes of others",
      cause: err,
    });
  }
  switch (code) {
    case "ENOENT":
    case "ENOTDIR":
    case "EISDIR":
      return new KubesnapError("NotFound", `${where}: object not found`, { cause: err });
    case "EACCES":
    case "EPERM":
      return new KubesnapError("AccessDenied", `${where}: permission denied`, {
        hint: "check the owner and mode of the directory and its files",
        cause: err,
      });
    case "EROFS":
      return new KubesnapError("AccessDenied", `${where}: the file system is read-only`, { cause: err });
    case "ENOSPC":
    case "EDQUOT":
    case "EIO":
    case "EMFILE":
    case "ENFILE":
      return new KubesnapError("Unavailable", `${where}: ${reason}`, { cause: err });
    default:
      return new KubesnapError("Internal", `${where}: ${reason}`, { cause: err });
  }
}

function isAbsent(err: unknown): boolean {
  const code = errnoCode(err);
  return code === "ENOENT" || code === "ENOTDIR";
}

function errnoCode(err: unknown): string | undefined {
  return err instanceof Error && "code" in err && typeof err.code === "string" ? err.code : undefined;
}

async function removeQuietly(path: string): Promise<void> {
  // Best effort: the temp name is skipped by list() if it survives.
  await unlink(path).catch(() => undefined);
}
