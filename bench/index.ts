/**
 * npm run bench [-- --sizes 10000,50000] [--fsb-mib 256] [--only-fsb] [--json] [--dir DIR] [--keep]
 *
 * Measures kubesnap beside the limits it chases, on the real test environment: a backup
 * against a bare paginated list of the same resources, a restore against a bare parallel
 * create of the same objects, the bytes an incremental backup writes after 1% of the
 * objects changed, and the CLI's peak memory. See scenario.ts for the steps and
 * baselines.ts for what the baselines do. Then file-system volume backup against restic
 * (fsb.ts) on --fsb-mib MiB of files (0 leaves it out; --only-fsb runs only that). Progress goes to stderr; stdout carries only
 * the table, or with --json one JSON object.
 */
import { mkdtemp, rm } from "node:fs/promises";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { checkGnuTime } from "./cli.js";
import { type FsbFigures, renderFsb, runFsb } from "./fsb.js";
import { buildReport, renderTable } from "./report.js";
import { runSize, type SizeFigures } from "./scenario.js";

const USAGE =
  "usage: npm run bench -- [--sizes 10000,50000] [--fsb-mib 256] [--only-fsb] [--json] [--dir DIR] [--keep]";

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
      "fsb-mib": { type: "string", default: "256" },
      "only-fsb": { type: "boolean", default: false },
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
  const sizes = values["only-fsb"] ? [] : parseSizes(values.sizes);
  const fsbMib = Number(values["fsb-mib"]);
  if (!Number.isInteger(fsbMib) || fsbMib < 0 || (fsbMib === 0 && sizes.length === 0)) {
    throw new Error(
      `bench: --fsb-mib takes a whole number of MiB (0 leaves fsb out), not "${values["fsb-mib"]}"\n${USAGE}`,
    );
  }
  if (sizes.length > 0) checkGnuTime();
  const dir = values.dir ? resolve(values.dir) : await mkdtemp(join(tmpdir(), "kubesnap-bench-"));
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = performance.now();
  const figures: SizeFigures[] = [];
  let fsb: FsbFigures | undefined;
  try {
    for (const size of sizes) figures.push(await runSize(size, { dir, log }));
    if (fsbMib > 0) fsb = await runFsb({ mib: fsbMib, dir, log });
  } finally {
    if (values.keep) log(`bench: kept ${dir}`);
    else await rm(dir, { recursive: true, force: true });
  }
  const extra = {
    machine: { node: process.version, cpus: availableParallelism(), platform: process.platform },
    duration_s: Math.round(performance.now() - started) / 1000,
  };
  const report = figures.length > 0 ? buildReport(figures, extra) : undefined;
  if (values.json) {
    process.stdout.write(`${JSON.stringify({ ...(report ?? extra), ...(fsb ? { fsb } : {}) }, null, 2)}\n`);
  } else {
    const tables = [...(report ? [renderTable(report)] : []), ...(fsb ? [renderFsb(fsb)] : [])];
    process.stdout.write(`${tables.join("\n\n")}\n`);
  }
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
