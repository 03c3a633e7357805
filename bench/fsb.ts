/**
 * The file-system backup benchmark: kubesnap's volume backup against restic on the same
 * data, in the same run, on local directories (no cluster: the node agent's work is the
 * walker and the repository, which is what is measured).
 *
 *   fsb_backup_vs_restic             first backup: our wall time / restic's
 *   fsb_incremental_bytes_vs_restic  bytes the second backup (after ~1% changed) added to
 *                                    the repository directory: ours / restic's
 *   fsb_restore_vs_restic            restore of the second backup: our wall time / restic's
 *
 * Both sides run as child processes (start-up included), one after the other, against
 * the same page-cached data; restic with its defaults (repository v2, compression auto)
 * and its cache inside the bench directory. Our restore is checked against the source
 * with `diff -r` before its figure counts. Restic comes from Debian's package and is
 * installed when missing.
 */
import { spawn, spawnSync } from "node:child_process";
import { readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "../testenv/paths.js";
import { CpuMeter, foreignCores } from "./cpu.js";
import { changeOnePercent, makeDataSet } from "./fsb-data.js";

export const FSB_AIMS = {
  fsb_backup_vs_restic: 1,
  fsb_incremental_bytes_vs_restic: 1,
  fsb_restore_vs_restic: 1,
} as const;

type Step = "backup" | "incremental" | "restore";

export interface FsbFigures {
  readonly mib: number;
  readonly fsb_backup_vs_restic: number;
  readonly fsb_incremental_bytes_vs_restic: number;
  readonly fsb_restore_vs_restic: number;
  readonly seconds: Readonly<Record<`${"ours" | "restic"}_${Step}`, number>>;
  readonly bytes: {
    readonly data: number;
    readonly changed: number;
    readonly ours_full: number;
    readonly restic_full: number;
    readonly ours_incremental: number;
    readonly restic_incremental: number;
  };
  /** CPUs' worth of other processes' work during each step (cpu.ts): above ~0.3 the step was disturbed. */
  readonly foreign_cpu_cores: Readonly<Record<string, number | undefined>>;
  readonly restic: string;
}

const PASSWORD = "kubesnap-bench";

export async function runFsb(options: {
  mib: number;
  dir: string;
  log: (line: string) => void;
}): Promise<FsbFigures> {
  const { dir, log } = options;
  const restic = ensureRestic(log);
  const data = join(dir, "fsb-data");
  const ours = join(dir, "fsb-kubesnap");
  const theirs = join(dir, "fsb-restic");
  // The node agent's DaemonSet runs Node with 16 thread-pool threads (restore.ts says why);
  // restic uses every CPU by itself.
  const env = {
    ...process.env,
    RESTIC_PASSWORD: PASSWORD,
    RESTIC_REPOSITORY: theirs,
    UV_THREADPOOL_SIZE: "16",
  };
  const cache = ["--cache-dir", join(dir, "fsb-restic-cache")];
  log(`[fsb] writing ${options.mib} MiB of mixed data`);
  const set = await makeDataSet(data, options.mib * 1024 * 1024);
  await run("restic", ["init", ...cache], env);

  const meter = new CpuMeter([]);
  const foreign: Record<string, number | undefined> = {};
  const timed = async (
    name: string,
    command: string,
    args: string[],
  ): Promise<{ ms: number; out: string }> => {
    const from = meter.sample();
    const started = performance.now();
    const out = await run(command, args, env);
    const ms = performance.now() - started;
    foreign[name] = foreignCores(from, meter.sample());
    log(`[fsb] ${name}: ${(ms / 1000).toFixed(2)} s${busy(foreign[name])}`);
    return { ms, out };
  };
  const child = join(repoRoot(), "dist", "bench", "fsb-child.js");
  const node = (step: string, path: string, snapshot: string) => [child, step, ours, path, snapshot];

  const backupOurs = await timed("ours_backup", process.execPath, node("backup", data, "full_fs_bench_data"));
  const fullOurs = await treeBytes(ours);
  const backupRestic = await timed("restic_backup", "restic", ["backup", ...cache, "--quiet", data]);
  const fullRestic = await treeBytes(theirs);

  const changed = await changeOnePercent(data, set);
  log(`[fsb] changed ${mib(changed)} MiB (${((changed / set.bytes) * 100).toFixed(2)}%)`);
  const incrOurs = await timed(
    "ours_incremental",
    process.execPath,
    node("backup", data, "incr_fs_bench_data"),
  );
  const incrementalOurs = (await treeBytes(ours)) - fullOurs;
  const incrRestic = await timed("restic_incremental", "restic", ["backup", ...cache, "--quiet", data]);
  const incrementalRestic = (await treeBytes(theirs)) - fullRestic;

  const restoreOurs = await timed(
    "ours_restore",
    process.execPath,
    node("restore", join(dir, "fsb-restored-ours"), "incr_fs_bench_data"),
  );
  await run("diff", ["-r", "--no-dereference", data, join(dir, "fsb-restored-ours")], env);
  const restoreRestic = await timed("restic_restore", "restic", [
    "restore",
    ...cache,
    "--quiet",
    "latest",
    "--target",
    join(dir, "fsb-restored-restic"),
  ]);
  log(`[fsb] our backups: ${backupOurs.out.trim()} / ${incrOurs.out.trim()}`);

  return {
    mib: options.mib,
    fsb_backup_vs_restic: round(backupOurs.ms / backupRestic.ms),
    fsb_incremental_bytes_vs_restic: round(incrementalOurs / incrementalRestic),
    fsb_restore_vs_restic: round(restoreOurs.ms / restoreRestic.ms),
    seconds: {
      ours_backup: secs(backupOurs.ms),
      restic_backup: secs(backupRestic.ms),
      ours_incremental: secs(incrOurs.ms),
      restic_incremental: secs(incrRestic.ms),
      ours_restore: secs(restoreOurs.ms),
      restic_restore: secs(restoreRestic.ms),
    },
    bytes: {
      data: set.bytes,
      changed,
      ours_full: fullOurs,
      restic_full: fullRestic,
      ours_incremental: incrementalOurs,
      restic_incremental: incrementalRestic,
    },
    foreign_cpu_cores: foreign,
    restic,
  };
}

export function renderFsb(f: FsbFigures): string {
  const row = (metric: keyof typeof FSB_AIMS, detail: string) =>
    `${metric.padEnd(32)}${f[metric].toFixed(3).padEnd(8)}≤ ${FSB_AIMS[metric]}  ${f[metric] <= FSB_AIMS[metric] ? "yes" : "NO "}  ${detail}`;
  const s = f.seconds;
  const b = f.bytes;
  return [
    `file-system backup, ${f.mib} MiB of mixed data against ${f.restic}:`,
    row(
      "fsb_backup_vs_restic",
      `${s.ours_backup} s / ${s.restic_backup} s (full: ${mib(b.ours_full)} / ${mib(b.restic_full)} MiB stored)`,
    ),
    row(
      "fsb_incremental_bytes_vs_restic",
      `${mib(b.ours_incremental)} / ${mib(b.restic_incremental)} MiB after ${mib(b.changed)} MiB changed (${s.ours_incremental} s / ${s.restic_incremental} s)`,
    ),
    row("fsb_restore_vs_restic", `${s.ours_restore} s / ${s.restic_restore} s`),
  ].join("\n");
}

function ensureRestic(log: (line: string) => void): string {
  const probe = () => spawnSync("restic", ["version"], { encoding: "utf8" });
  let version = probe();
  if (version.status !== 0) {
    log("[fsb] restic is missing: apt-get install -y restic");
    const install = spawnSync("apt-get", ["install", "-y", "restic"], { encoding: "utf8" });
    version = probe();
    if (version.status !== 0) {
      throw new Error(
        `bench: restic is needed for the fsb figures and could not be installed (apt-get: ${install.stderr || install.error?.message}); install Debian's restic package`,
      );
    }
  }
  return version.stdout.trim().split(" ").slice(0, 2).join(" ");
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolve(Buffer.concat(out).toString("utf8"));
      else
        reject(
          new Error(
            `bench: \`${command} ${args.join(" ")}\` exited with ${code}\n${Buffer.concat(err).toString("utf8").slice(-2000)}`,
          ),
        );
    });
  });
}

/** Bytes of every file under dir. */
async function treeBytes(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) total += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return total;
}

function busy(cores: number | undefined): string {
  return cores !== undefined && cores >= 0.3 ? ` (other processes busy: ${cores} CPUs)` : "";
}

const round = (value: number) => Math.round(value * 1000) / 1000;
const secs = (ms: number) => Math.round(ms) / 1000;
const mib = (bytes: number) => (bytes / 1024 / 1024).toFixed(2);
