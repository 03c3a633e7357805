/**
 * One step of the fsb benchmark in a fresh Node process, as the node agent would run it,
 * so our side pays process start-up like restic's does:
 *   node dist/bench/fsb-child.js backup REPO_DIR SOURCE_DIR SNAPSHOT
 *   node dist/bench/fsb-child.js restore REPO_DIR TARGET_DIR SNAPSHOT
 * Prints one JSON line with what the step did.
 */
import { Repository } from "../src/repository/index.js";
import { FileStorage } from "../src/storage/index.js";
import { backupVolume, restoreTree } from "../src/volumes/fs/index.js";

async function main(): Promise<void> {
  const [step, repoDir, path, snapshot] = process.argv.slice(2);
  if (!repoDir || !path || !snapshot || (step !== "backup" && step !== "restore")) {
    throw new Error("usage: fsb-child.js backup|restore REPO_DIR PATH SNAPSHOT");
  }
  const repository = await Repository.open(new FileStorage(repoDir));
  if (step === "backup") {
    const { body, stats } = await backupVolume(repository, path, { snapshot, source: { bench: "fsb" } });
    process.stdout.write(`${JSON.stringify({ totals: body.totals, errors: body.errorCount, stats })}\n`);
  } else {
    const result = await restoreTree(repository, snapshot, path);
    process.stdout.write(
      `${JSON.stringify({ files: result.files, bytes: result.bytes, errors: result.errorCount })}\n`,
    );
  }
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
