/**
 * Runs the real CLI (`node bin/kubesnap.js …`) as its own process, as a user would, and
 * measures what a user would see: wall time from spawn to exit (so it includes Node's
 * start-up and module loading) and the process's peak resident memory, which GNU time
 * reads from the kernel's rusage (ru_maxrss) when the child exits.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "../testenv/paths.js";

const GNU_TIME = "/usr/bin/time";

export interface CliEnv {
  readonly kubeconfig: string;
  /** XDG_CONFIG_HOME and XDG_DATA_HOME: the CLI's local config and its embedded default location. */
  readonly configHome: string;
  readonly dataHome: string;
}

export interface CliRun {
  readonly args: readonly string[];
  readonly code: number;
  readonly wallMs: number;
  readonly peakRssMb: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function checkGnuTime(): void {
  if (!existsSync(GNU_TIME)) {
    throw new Error(`bench: ${GNU_TIME} (GNU time) is needed to read the CLI's peak memory; install "time"`);
  }
}

export async function runCli(args: readonly string[], env: CliEnv): Promise<CliRun> {
  const scratch = await mkdtemp(join(tmpdir(), "kubesnap-bench-time-"));
  const timeFile = join(scratch, "rss");
  const cli = join(repoRoot(), "bin", "kubesnap.js");
  try {
    const started = process.hrtime.bigint();
    const child = spawn(GNU_TIME, ["-f", "%M", "-o", timeFile, process.execPath, cli, ...args], {
      env: {
        ...process.env,
        KUBECONFIG: env.kubeconfig,
        XDG_CONFIG_HOME: env.configHome,
        XDG_DATA_HOME: env.dataHome,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => out.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => err.push(chunk));
    const code = await new Promise<number>((resolve, reject) => {
      child.on("error", reject);
      child.on("close", (status) => resolve(status ?? 1));
    });
    const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
    // GNU time writes "Command exited with non-zero status N" before the figure when it fails.
    const lines = (await readFile(timeFile, "utf8")).trim().split("\n");
    const maxRssKb = Number(lines[lines.length - 1]);
    return {
      args,
      code,
      wallMs,
      peakRssMb: maxRssKb / 1024,
      stdout: Buffer.concat(out).toString("utf8"),
      stderr: Buffer.concat(err).toString("utf8"),
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** Fails the bench with the CLI's own words when a command did not succeed. */
export function assertOk(run: CliRun): CliRun {
  if (run.code !== 0) {
    throw new Error(
      `bench: \`kubesnap ${run.args.join(" ")}\` exited with ${run.code}\n${run.stdout}\n${run.stderr}`,
    );
  }
  return run;
}
