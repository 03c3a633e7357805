import { type ChildProcess, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { freePorts } from "./ports.js";

/** A server the environment started: its own process group, its log file, and how to stop it. */
export interface Service {
  readonly name: string;
  readonly pid: number;
  readonly logFile: string;
  stop(): Promise<void>;
}

interface Running extends Service {
  readonly exited: Promise<number | null>;
}

const READY_TIMEOUT_MS = 60_000;

/**
 * Starts a command with its output in LOGDIR/NAME.log. `setpriv --pdeathsig KILL` makes the
 * kernel kill it when its parent dies (a crash or SIGKILL of the test runner leaves nothing
 * behind), and its own process group lets stop() reach any children it forks.
 */
function startProcess(name: string, command: string, args: readonly string[], opts: StartOptions): Running {
  const logFile = join(opts.logDir, `${name}.log`);
  const fd = openSync(logFile, "a");
  let child: ChildProcess;
  try {
    child = spawn("setpriv", ["--pdeathsig", "KILL", "--", command, ...args], {
      cwd: opts.cwd,
      env: { ...process.env, ...opts.env },
      stdio: ["ignore", fd, fd],
      detached: true,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`testenv: could not start ${name} (${command})`);
  const exited = new Promise<number | null>((resolve) => {
    child.on("exit", (code, signal) => resolve(code ?? (signal ? 128 : null)));
    child.on("error", () => resolve(127));
  });
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    signalGroup(pid, "SIGTERM");
    const done = await Promise.race([exited.then(() => true), sleep(10_000).then(() => false)]);
    if (!done) signalGroup(pid, "SIGKILL");
    await exited;
  };
  return { name, pid, logFile, exited, stop };
}

export function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

export interface StartOptions {
  readonly logDir: string;
  readonly cwd?: string;
  readonly env?: Record<string, string>;
}

export interface ServiceSpec<T> {
  readonly name: string;
  /** How many loopback ports the service needs. */
  readonly ports: number;
  readonly command: string;
  args(ports: number[]): string[];
  /** Resolves true once the service answers; false while it does not yet. */
  ready(ports: number[]): Promise<boolean>;
  /** What the caller learns about the running service (endpoints…). */
  describe(ports: number[]): T;
}

/**
 * Starts a service on free loopback ports and waits until it is ready. A port can be taken
 * between our probe and the server's bind: then the server exits with "address already in
 * use", and we try again on other ports. A server not ready in 60 s fails with its log's tail.
 */
export async function startService<T>(
  spec: ServiceSpec<T>,
  opts: StartOptions,
): Promise<{ service: Service; info: T }> {
  for (let attempt = 1; ; attempt++) {
    const ports = await freePorts(spec.ports);
    const proc = startProcess(spec.name, spec.command, spec.args(ports), opts);
    const outcome = await waitReady(spec, ports, proc);
    if (outcome === "ready") return { service: proc, info: spec.describe(ports) };
    await proc.stop();
    const tail = await logTail(proc.logFile);
    if (outcome === "exited" && /address already in use|EADDRINUSE/i.test(tail) && attempt < 4) continue;
    const why =
      outcome === "exited"
        ? "exited before it was ready"
        : `was not ready within ${READY_TIMEOUT_MS / 1000} s`;
    throw new Error(`testenv: ${spec.name} ${why}; last lines of ${proc.logFile}:\n${tail}`);
  }
}

async function waitReady<T>(
  spec: ServiceSpec<T>,
  ports: number[],
  proc: Running,
): Promise<"ready" | "exited" | "timeout"> {
  let exited = false;
  void proc.exited.then(() => {
    exited = true;
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) return "exited";
    if (await spec.ready(ports).catch(() => false)) return "ready";
    await sleep(150);
  }
  return "timeout";
}

export async function logTail(file: string, lines = 25): Promise<string> {
  const text = await readFile(file, "utf8").catch(() => "");
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
