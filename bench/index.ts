/**
 * npm run bench [-- --sizes 10000,50000] [--json] [--dir DIR] [--keep]
 *
 * Measures kubesnap beside the limits it chases, on the real test environment: a backup
 * against a bare paginated list of the same resources, a restore against a bare parallel
 * create of the same objects, the bytes an incremental backup writes after 1% of the
 * objects changed, and the CLI's peak memory. See scenario.ts for the steps and
 * baselines.ts for what the baselines do. Progress goes to stderr; stdout carries only
 * the table, or with --json one JSON object.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkGnuTime } from "./cli.js";
import { buildReport, renderTable } from "./report.js";
import { runSize, type SizeFigures } from "./scenario.js";

const USAGE = "usage: npm run bench -- [--sizes 10000,50000] [--json] [--dir DIR] [--keep]";

function parseSizes(text: string): number[] {
  const sizes = text.split(",").map((s) => Number(s.trim()));
  if (sizes.length === 0 || sizes.some((n) => !Number.isInteger(n) || n < 100)) {
    throw new Error(
      `bench: --sizes takes comma-separated whole numbers of at least 100, not "${text}"\n${USAGE}`,
    );
  }
  return sizes;
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "10000,50000" },
      json: { type: "boolean", default: false },
      dir: { type: "string" },
      keep: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const sizes = parseSizes(values.sizes);
  checkGnuTime();
  const dir = values.dir ? resolve(values.dir) : await mkdtemp(join(tmpdir(), "kubesnap-bench-"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = performance.now();
  const figures: SizeFigures[] = [];
  try {
    for (const size of sizes) figures.push(await runSize(size, { dir, log }));
  } finally {
    if (values.keep) log(`bench: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
  const report = buildReport(figures, {
    machine: { node: process.version, cpus: availableParallelism(), platform: process.platform },
    duration_s: Math.round(performance.now() - started) / 1000,
  });
  process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderTable(report)}\n`);
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
