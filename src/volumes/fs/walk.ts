/**
 * The walk: every directory, file and symlink under a root, depth-first, siblings in key
 * order (see keys.ts), each with its lstat. Symlinks are never followed. A directory that
 * cannot be listed, or an entry that vanished between listing and lstat, is yielded as an
 * error for that path and the walk goes on; only a root that is not a readable directory
 * stops it.
 */
import type { BigIntStats } from "node:fs";
import { KubesnapError } from "../../core/errors.js";
import { childPath, displayPath, type FsOps } from "./fs-ops.js";
import { sortNames } from "./keys.js";

export type WalkItem =
  | { readonly path: string; readonly abs: Buffer; readonly stat: BigIntStats }
  | { readonly path: string; readonly abs: Buffer; readonly error: unknown };

export async function* walk(root: Buffer, fs: FsOps): AsyncGenerator<WalkItem> {
  let stat: BigIntStats;
  try {
    stat = await fs.lstat(root, { bigint: true });
  } catch (cause) {
    throw new KubesnapError(
      "NotFound",
      `Cannot read the volume's directory ${root.toString()}: ${errorText(cause)}`,
      {
        hint: "the pod may have been deleted or moved to another node; back it up again",
        cause,
      },
    );
  }
  if (!stat.isDirectory()) {
    throw new KubesnapError("InvalidInput", `The volume's path ${root.toString()} is not a directory`);
  }
  yield { path: "", abs: root, stat };
  yield* walkDirectory(root, "", fs);
}

async function* walkDirectory(abs: Buffer, path: string, fs: FsOps): AsyncGenerator<WalkItem> {
  let names: Buffer[];
  try {
    names = await fs.readdir(abs, { encoding: "buffer" });
  } catch (error) {
    yield { path, abs, error };
    return;
  }
  const byKey = new Map(names.map((name) => [name.toString("latin1"), name]));
  const children = sortNames([...byKey.keys()]).map((name) => ({
    path: path === "" ? name : `${path}/${name}`,
    abs: childPath(abs, byKey.get(name) as Buffer),
  }));
  for (const child of children) {
    // Synchronous: an inode's attributes are cached after the listing, and through the
    // thread pool each lstat cost ~40 µs of hand-offs (small-file.ts says more).
    let stat: BigIntStats;
    try {
      stat = fs.lstatSync(child.abs, { bigint: true });
    } catch (error) {
      yield { ...child, error };
      continue;
    }
    yield { ...child, stat };
    if (stat.isDirectory()) yield* walkDirectory(child.abs, child.path, fs);
  }
}

/**
 * "ENOENT: no such file or directory" from Node's "ENOENT: no such file or directory,
 * lstat '/var/lib/…'": the syscall and the absolute path go (the caller names the path
 * within the volume).
 */
export function errorText(err: unknown): string {
  const e = err as NodeJS.ErrnoException | undefined;
  if (e?.code && typeof e.message === "string")
    return e.message.replace(/, [a-z_]+( '.*?')?( -> '.*?')?$/, "");
  return err instanceof Error ? err.message : String(err);
}

/** "/data/x: ENOENT: no such file or directory": a path and what went wrong there. */
export function pathErrorText(path: string, err: unknown): string {
  return `${displayPath(path)}: ${errorText(err)}`;
}
