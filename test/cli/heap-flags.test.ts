import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../testenv/paths.js";

const run = promisify(execFile);
const cli = join(repoRoot(), "bin", "kubesnap.js");

/** The CLI's entry point restarts Node with a smaller young generation (src/cli/heap-flags.ts). */
describe("the CLI's heap flags", () => {
  let dir = "";
  let probe = "";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "kubesnap-heap-"));
    // Loaded (through NODE_OPTIONS) into every Node the CLI runs as: says which flags and pid it had.
    probe = join(dir, "probe.cjs");
    await writeFile(probe, 'console.error("probe", process.pid, JSON.stringify(process.execArgv));\n');
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const probed = async (nodeOptions: string) => {
    const { stdout, stderr } = await run(process.execPath, [cli, "version"], {
      env: { ...process.env, NODE_OPTIONS: `--require ${probe} ${nodeOptions}` },
    });
    const runs = stderr
      .split("\n")
      .filter((line) => line.startsWith("probe "))
      .map((line) => {
        const [, pid, argv] = line.split(" ");
        return { pid: Number(pid), execArgv: JSON.parse(argv ?? "[]") as string[] };
      });
    return { stdout, runs };
  };

  it("runs the command in the same process, started again with 8 MiB semi-spaces", async () => {
    const { stdout, runs } = await probed("");
    expect(stdout).toContain("Version:");
    expect(runs).toHaveLength(2);
    expect(runs[1]?.pid).toBe(runs[0]?.pid);
    expect(runs[0]?.execArgv).toEqual([]);
    expect(runs[1]?.execArgv).toEqual(["--max-semi-space-size=8"]);
  });

  it("keeps a size the user chose", async () => {
    const { runs } = await probed("--max-semi-space-size=32");
    expect(runs).toHaveLength(1);
  });
});
