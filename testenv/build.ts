import { execFile, spawn } from "node:child_process";
import { createWriteStream, existsSync } from "node:fs";
import { mkdir, open, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { cacheRoot, repoRoot } from "./paths.js";
import { binaryName, GO_TOOLS, type GoTool, type GoToolId, MIN_GO } from "./versions.js";

const run = promisify(execFile);
type Log = (line: string) => void;

/** Paths of a built tool's binaries, by binary name. */
export type Binaries = Record<string, string>;

/**
 * Returns the tool's binaries, building them first if this machine has no cached build.
 * A lock file keeps two processes (two test runs, a test run and `npm run demo`) from
 * building the same tool at once; the second waits and then reuses the first's build.
 */
export async function ensureTool(id: GoToolId, log: Log = console.error): Promise<Binaries> {
  const tool: GoTool = GO_TOOLS[id];
  const dir = join(cacheRoot(), `${tool.name}-${tool.version}`);
  const binaries = Object.fromEntries(
    tool.packages.map((pkg) => [binaryName(tool, pkg), join(dir, binaryName(tool, pkg))]),
  );
  const marker = join(dir, ".complete");
  if (existsSync(marker)) return binaries;

  await mkdir(cacheRoot(), { recursive: true });
  const release = await acquireLock(`${dir}.lock`, tool, log);
  try {
    if (!existsSync(marker)) await build(tool, dir, log);
    await writeFile(marker, `${new Date().toISOString()}\n`);
  } finally {
    await release();
  }
  return binaries;
}

async function build(tool: GoTool, dir: string, log: Log): Promise<void> {
  await checkGo();
  const staging = `${dir}.tmp`;
  const logPath = `${dir}.build.log`;
  await rm(staging, { recursive: true, force: true });
  await mkdir(staging, { recursive: true });
  const names = tool.packages.map((pkg) => binaryName(tool, pkg)).join(", ");
  log(`testenv: building ${tool.name} ${tool.version} (${names}) from Go modules; log: ${logPath}`);
  const started = Date.now();
  const code = await new Promise<number>((resolve, reject) => {
    const out = createWriteStream(logPath);
    const child = spawn(
      "go",
      [
        "build",
        "-trimpath",
        `-ldflags=-s -w ${(tool.ldflags ?? []).join(" ")}`,
        "-o",
        `${staging}/`,
        ...tool.packages,
      ],
      {
        cwd: join(repoRoot(), "testenv", "go", tool.module),
        env: { ...process.env, GOFLAGS: "-buildvcs=false -mod=readonly", CGO_ENABLED: "0" },
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    child.stdout.pipe(out);
    child.stderr.pipe(out);
    child.on("error", reject);
    child.on("close", (status) => out.end(() => resolve(status ?? 1)));
  });
  if (code !== 0) {
    const tail = (await readFile(logPath, "utf8")).trimEnd().split("\n").slice(-20).join("\n");
    throw new Error(
      `testenv: building ${tool.name} ${tool.version} failed (exit ${code}):\n${tail}\nfull log: ${logPath}`,
    );
  }
  await rm(dir, { recursive: true, force: true });
  await rename(staging, dir);
  log(`testenv: built ${tool.name} ${tool.version} in ${Math.round((Date.now() - started) / 1000)} s`);
}

async function checkGo(): Promise<void> {
  let version: string;
  try {
    version = (await run("go", ["env", "GOVERSION"])).stdout.trim();
  } catch {
    throw new Error(
      `testenv: Go ${MIN_GO.major}.${MIN_GO.minor}+ is needed on PATH to build the test servers ` +
        "(kube-apiserver, kube-controller-manager, etcd, MinIO, fake-gcs-server, the CSI snapshot stack) from their Go modules; install it and retry",
    );
  }
  const match = /^go(\d+)\.(\d+)/.exec(version);
  const [major, minor] = [Number(match?.[1] ?? 0), Number(match?.[2] ?? 0)];
  if (major < MIN_GO.major || (major === MIN_GO.major && minor < MIN_GO.minor)) {
    throw new Error(
      `testenv: found ${version}, but Go ${MIN_GO.major}.${MIN_GO.minor}+ is needed to build the test servers; upgrade Go and retry`,
    );
  }
}

/** An exclusive lock file holding the owner's pid; a lock whose owner died is taken over. */
async function acquireLock(path: string, tool: GoTool, log: Log): Promise<() => Promise<void>> {
  let announced = false;
  for (;;) {
    try {
      const handle = await open(path, "wx");
      await handle.writeFile(String(process.pid));
      await handle.close();
      return () => rm(path, { force: true });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
    }
    const owner = Number(await readFile(path, "utf8").catch(() => "0"));
    if (!isAlive(owner)) {
      // A build that died leaves its lock behind; the age check covers a pid not yet written.
      const age = Date.now() - (await stat(path).catch(() => ({ mtimeMs: 0 }))).mtimeMs;
      if (owner > 0 || age > 5000) await rm(path, { force: true });
    } else if (!announced) {
      log(
        `testenv: waiting for another process (pid ${owner}) that is building ${tool.name} ${tool.version}`,
      );
      announced = true;
    }
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
}

export function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Builds every tool, for CI's warm-up step and `npm run testenv -- build`. */
export async function ensureAllTools(log: Log = console.error): Promise<Record<GoToolId, Binaries>> {
  const result: Partial<Record<GoToolId, Binaries>> = {};
  for (const id of Object.keys(GO_TOOLS) as GoToolId[]) result[id] = await ensureTool(id, log);
  return result as Record<GoToolId, Binaries>;
}

/** One binary of a build, by name. */
export function binary(binaries: Binaries, name: string): string {
  const path = binaries[name];
  if (!path) throw new Error(`testenv: the build has no binary ${name}`);
  return path;
}
