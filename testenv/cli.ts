/**
 * npm run testenv -- up DIR [--clusters N] [--csi] | down DIR | build
 * Starts (or stops) the real servers the tests, the demo and the benchmark use.
 */
import { spawn } from "node:child_process";
import { mkdirSync, openSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureAllTools, isAlive } from "./build.js";
import { signalGroup, sleep } from "./process.js";
import { clearState, readState } from "./state.js";

const USAGE = "usage: npm run testenv -- up DIR [--clusters N] [--csi] | down DIR | build";

async function up(dir: string, clusters: number, csi: boolean): Promise<number> {
  const existing = await readState(dir);
  if (existing && isAlive(existing.supervisorPid)) {
    console.error(
      `testenv: already up in ${dir} (pid ${existing.supervisorPid}); run \`npm run testenv -- down ${dir}\` first`,
    );
    return 1;
  }
  await clearState(dir);
  mkdirSync(join(dir, "logs"), { recursive: true });
  const logFile = join(dir, "logs", "supervisor.log");
  const out = openSync(logFile, "w");
  const supervisor = fileURLToPath(new URL("./supervisor.js", import.meta.url));
  const child = spawn(process.execPath, [supervisor, dir, String(clusters), ...(csi ? ["--csi"] : [])], {
    detached: true,
    stdio: ["ignore", out, out],
  });
  child.unref();
  // Relay the supervisor's progress (builds, start-up) until it is ready or has failed.
  let shown = 0;
  const relay = () => {
    const text = readFileSync(logFile, "utf8");
    process.stderr.write(text.slice(shown));
    shown = text.length;
  };
  for (;;) {
    await sleep(300);
    const state = await readState(dir);
    relay();
    if (state?.status === "ready") {
      console.log(
        `testenv: ready; kubectl --kubeconfig ${join(dir, "kubeconfig")} get ns; endpoints in ${join(dir, "env.json")}`,
      );
      return 0;
    }
    if (state?.status === "failed" || !isAlive(child.pid ?? 0)) {
      console.error(`testenv: up failed: ${state?.status === "failed" ? state.error : `see ${logFile}`}`);
      return 1;
    }
  }
}

async function down(dir: string): Promise<number> {
  const state = await readState(dir);
  const pids = state?.status === "ready" ? state.pids : [];
  const alive = [state?.supervisorPid ?? 0, ...pids].filter(isAlive);
  if (alive.length === 0) {
    console.log(`testenv: nothing is running in ${dir}`);
    await clearState(dir);
    return 0;
  }
  if (state && isAlive(state.supervisorPid)) process.kill(state.supervisorPid, "SIGTERM");
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline && alive.some(isAlive)) await sleep(200);
  for (const pid of alive.filter(isAlive)) signalGroup(pid, "SIGKILL");
  await clearState(dir);
  console.log(`testenv: stopped ${alive.length} process(es) in ${dir}`);
  return 0;
}

async function main(args: string[]): Promise<number> {
  const [command, dirArg] = args;
  if (command === "build") {
    await ensureAllTools();
    return 0;
  }
  if ((command !== "up" && command !== "down") || !dirArg) {
    console.error(USAGE);
    return 2;
  }
  const dir = resolve(dirArg);
  if (command === "down") return down(dir);
  const flag = args.indexOf("--clusters");
  const clusters = flag >= 0 ? Number(args[flag + 1]) : 1;
  if (!Number.isInteger(clusters) || clusters < 1 || clusters > 4) {
    console.error(`testenv: --clusters takes a whole number from 1 to 4; ${USAGE}`);
    return 2;
  }
  return up(dir, clusters, args.includes("--csi"));
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  },
);
