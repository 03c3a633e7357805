/**
 * One size, start to finish, on its own fresh test environment of three clusters:
 *
 *   cluster 1  populated with the workload; the bare list and both backups run against it
 *   cluster 2  the bare parallel create of the objects the restore creates (fresh)
 *   cluster 3  the restore (fresh)
 *
 * The baseline create and the restore each get an empty cluster, so neither pays for the
 * other's objects in etcd nor for controllers still digesting the other's work.
 */
import { mkdir, readdir, stat } from "node:fs/promises";
import { join } from "node:path";
import { restoreSpecFromFlags } from "../src/cli/commands/restore.js";
import type { KubeClient } from "../src/cluster/client.js";
import { connect } from "../src/cluster/connect.js";
import { startEnvironment } from "../testenv/environment.js";
import { bareCreate, bareListInChild, objectsToRestore } from "./baselines.js";
import { assertOk, type CliEnv, type CliRun, runCli } from "./cli.js";
import { CpuMeter, foreignCores } from "./cpu.js";
import {
  changeOnePercent,
  countWorkload,
  createAll,
  NAMESPACE_COUNT,
  namespaceObjects,
  workloadObjects,
} from "./objects.js";
import { checkRestored, settle } from "./settle.js";

export interface SizeFigures {
  readonly size: number;
  readonly backup_vs_list: number;
  readonly restore_vs_create: number;
  readonly incremental_bytes_ratio: number;
  readonly peak_rss_mb: number;
  readonly workload: {
    readonly namespaces: number;
    readonly configmaps: number;
    readonly secrets: number;
    readonly deployments: number;
    /** Made by the deployment controller in cluster 1 (one per Deployment); backed up, not restored. */
    readonly replicasets: number;
    readonly changed_for_incremental: number;
  };
  readonly seconds: {
    readonly populate: number;
    /** `kubesnap version`: Node start-up and module loading, included in every CLI figure. */
    readonly cli_startup: number;
    readonly bare_list: number;
    readonly bare_list_runs: readonly number[];
    readonly backup: number;
    readonly incremental_backup: number;
    readonly bare_create: number;
    readonly restore: number;
  };
  readonly bytes: {
    /** Growth of the location directory. */
    readonly full_backup: number;
    readonly incremental_backup: number;
    /** What the CLI printed as "N bytes written". */
    readonly full_backup_reported: number | undefined;
    readonly incremental_backup_reported: number | undefined;
    /** Where the incremental bytes went: pack files, index files, the snapshot's manifest and logs. */
    readonly incremental_by_part: {
      readonly packs: number;
      readonly index: number;
      readonly manifest_and_side_files: number;
    };
  };
  readonly rss_mb: { readonly backup: number; readonly incremental_backup: number; readonly restore: number };
  readonly items: {
    readonly listed_bare: number;
    readonly backed_up: number | undefined;
    readonly bare_created: number;
    readonly bare_already_existed: number;
    readonly restored: number | undefined;
    readonly restore_total: number | undefined;
  };
  /**
   * CPUs' worth of work that processes outside the bench did during each measured step
   * (cpu.ts). Near 0 on a quiet machine; on a shared one, a ratio whose two sides saw
   * very different figures here is disturbed, not measured.
   */
  readonly foreign_cpu_cores: Readonly<Record<MeasuredStep, number | undefined>>;
  readonly restore_phase: string;
  readonly restore_errors: number | undefined;
}

export type MeasuredStep = "bare_list" | "backup" | "incremental_backup" | "bare_create" | "restore";

const POPULATE_CONCURRENCY = 16;
const BACKUP = "bench-full";
const INCREMENTAL = "bench-incremental";
const RESTORE = "bench-restore";

export async function runSize(
  size: number,
  options: { dir: string; log: (line: string) => void },
): Promise<SizeFigures> {
  const { log } = options;
  const envDir = join(options.dir, `size-${size}`);
  await mkdir(envDir, { recursive: true });
  log(`[${size}] starting a test environment with 3 clusters in ${envDir}`);
  const env = await startEnvironment(join(envDir, "env"), { clusters: 3, log });
  const clients: KubeClient[] = [];
  const client = async (kubeconfig: string) => {
    const c = await connect({ kubeconfig });
    clients.push(c);
    return c;
  };
  try {
    const [source, baseline, target] = env.info.clusters.map((c) => c.kubeconfig);
    if (!source || !baseline || !target) throw new Error("bench: the environment has fewer than 3 clusters");
    const home = join(envDir, "home");
    const cliEnv = (kubeconfig: string): CliEnv => ({
      kubeconfig,
      configHome: join(home, "config"),
      dataHome: join(home, "data"),
    });
    const locationDir = join(home, "data", "kubesnap", "default");
    const counts = countWorkload(size);

    // --- populate cluster 1 (not measured against anything)
    const sourceClient = await client(source);
    const started = performance.now();
    await mustCreate(sourceClient, namespaceObjects());
    const objects = workloadObjects(size);
    await mustCreate(sourceClient, objects, (done) => {
      if (done % 5000 === 0) log(`[${size}] populated ${done}/${objects.length}`);
    });
    const populateMs = performance.now() - started;
    log(`[${size}] populated ${objects.length} objects in ${seconds(populateMs)} s; waiting for controllers`);
    const replicasets = await settle(sourceClient, counts.deployments, log);

    const startup = await cliStartup(cliEnv(source));
    const meter = new CpuMeter(env.pids);
    const foreign: Record<string, number | undefined> = {};
    const measure = async <T>(phase: string, fn: () => Promise<T>): Promise<T> => {
      const from = meter.sample();
      const value = await fn();
      foreign[phase] = foreignCores(from, meter.sample());
      return value;
    };

    // --- backup against a bare list, each in a fresh process (the list runs before and
    // after the backup; the faster run counts)
    const listRuns: { ms: number; foreign: number | undefined }[] = [];
    let listed = 0;
    const listOnce = async () => {
      const run = await measure("bare_list", () => bareListInChild(source));
      listRuns.push({ ms: run.ms, foreign: foreign.bare_list });
      listed = run.value.items;
      log(
        `[${size}] bare list: ${run.value.items} items of ${run.value.types} types in ${seconds(run.ms)} s${busy(foreign.bare_list)}`,
      );
    };
    await listOnce();
    const before = await locationBytes(locationDir);
    const full = assertOk(
      await measure("backup", () => runCli(["backup", "create", BACKUP], cliEnv(source))),
    );
    const afterFull = await locationBytes(locationDir);
    log(
      `[${size}] backup: ${seconds(full.wallMs)} s, ${mb(full.peakRssMb)} MB peak${busy(foreign.backup)}; ${firstLine(full.stdout)}`,
    );
    await listOnce();

    // --- incremental: 1% of the objects change, a second backup
    const changed = await changeOnePercent(sourceClient, size, { concurrency: POPULATE_CONCURRENCY });
    const incremental = assertOk(
      await measure("incremental_backup", () => runCli(["backup", "create", INCREMENTAL], cliEnv(source))),
    );
    const afterIncremental = await locationBytes(locationDir);
    log(
      `[${size}] incremental backup (${changed} ConfigMaps changed): ${seconds(incremental.wallMs)} s; ${firstLine(incremental.stdout)}`,
    );

    // --- restore against a bare create of the same objects
    const spec = restoreSpecFromFlags({ fromBackup: BACKUP });
    const toCreate = await objectsToRestore(locationDir, spec, RESTORE);
    const baselineClient = await client(baseline);
    const create = await measure("bare_create", () => bareCreate(baselineClient, toCreate));
    if (create.value.failed > 0) {
      throw new Error(
        `bench: the bare create failed for ${create.value.failed} objects: ${create.value.firstError}`,
      );
    }
    log(
      `[${size}] bare create: ${toCreate.namespaces.length} namespaces + ${toCreate.rest.length} objects (${create.value.existed} already existed) in ${seconds(create.ms)} s${busy(foreign.bare_create)}`,
    );
    // Cluster 2's controllers now make ReplicaSets for the new Deployments; that work would
    // take CPU from the restore, so it finishes first (cluster 3 does the same during the restore).
    await settle(baselineClient, counts.deployments, log);
    const restore = await measure("restore", () =>
      runCli(["restore", "create", RESTORE, "--from-backup", BACKUP], cliEnv(target)),
    );
    log(
      `[${size}] restore: ${seconds(restore.wallMs)} s, ${mb(restore.peakRssMb)} MB peak${busy(foreign.restore)}; ${firstLine(restore.stdout)}`,
    );
    const restoreLine = /finished: (\w+), (\d+) items restored, (\d+) errors/.exec(restore.stdout);
    if (!restoreLine) assertOk(restore);
    await checkRestored(await client(target), counts);

    const fastestList = listRuns.reduce((a, b) => (b.ms < a.ms ? b : a));
    const listMs = fastestList.ms;
    const fullBytes = afterFull.total - before.total;
    const incrementalBytes = afterIncremental.total - afterFull.total;
    const restoreTotal = /Restored (\d+) of (\d+) items/.exec(restore.stdout + restore.stderr);
    return {
      size,
      backup_vs_list: full.wallMs / listMs,
      restore_vs_create: restore.wallMs / create.ms,
      incremental_bytes_ratio: incrementalBytes / fullBytes,
      peak_rss_mb: Math.max(full.peakRssMb, incremental.peakRssMb, restore.peakRssMb),
      workload: {
        namespaces: NAMESPACE_COUNT,
        configmaps: counts.configMaps,
        secrets: counts.secrets,
        deployments: counts.deployments,
        replicasets,
        changed_for_incremental: changed,
      },
      seconds: {
        populate: seconds(populateMs),
        cli_startup: seconds(startup),
        bare_list: seconds(listMs),
        bare_list_runs: listRuns.map((r) => seconds(r.ms)),
        backup: seconds(full.wallMs),
        incremental_backup: seconds(incremental.wallMs),
        bare_create: seconds(create.ms),
        restore: seconds(restore.wallMs),
      },
      bytes: {
        full_backup: fullBytes,
        incremental_backup: incrementalBytes,
        full_backup_reported: bytesWritten(full),
        incremental_backup_reported: bytesWritten(incremental),
        incremental_by_part: {
          packs: afterIncremental.packs - afterFull.packs,
          index: afterIncremental.index - afterFull.index,
          manifest_and_side_files: afterIncremental.snapshots - afterFull.snapshots,
        },
      },
      rss_mb: {
        backup: mb(full.peakRssMb),
        incremental_backup: mb(incremental.peakRssMb),
        restore: mb(restore.peakRssMb),
      },
      items: {
        listed_bare: listed,
        backed_up: numberFrom(/(\d+) items, \d+ errors/.exec(full.stdout)?.[1]),
        bare_created: create.value.created,
        bare_already_existed: create.value.existed,
        restored: numberFrom(restoreLine?.[2]),
        restore_total: numberFrom(restoreTotal?.[2]),
      },
      foreign_cpu_cores: {
        bare_list: fastestList.foreign,
        backup: foreign.backup,
        incremental_backup: foreign.incremental_backup,
        bare_create: foreign.bare_create,
        restore: foreign.restore,
      },
      restore_phase: restoreLine?.[1] ?? "unknown",
      restore_errors: numberFrom(restoreLine?.[3]),
    };
  } finally {
    for (const c of clients) c.close();
    log(`[${size}] stopping the test environment`);
    await env.stop();
  }
}

async function mustCreate(
  client: KubeClient,
  objects: Parameters<typeof createAll>[1],
  onDone?: (done: number) => void,
): Promise<void> {
  const tally = await createAll(client, objects, {
    concurrency: POPULATE_CONCURRENCY,
    ...(onDone ? { onDone } : {}),
  });
  if (tally.failed > 0)
    throw new Error(`bench: populating failed for ${tally.failed} objects: ${tally.firstError}`);
}

/** Median wall time of `kubesnap version` (three runs): what every CLI figure pays to start. */
async function cliStartup(env: CliEnv): Promise<number> {
  const runs: number[] = [];
  for (let i = 0; i < 3; i++) runs.push(assertOk(await runCli(["version"], env)).wallMs);
  return runs.sort((a, b) => a - b)[1] ?? 0;
}

/** A location's size, in all and by part (docs/format.md: data/ packs, index/, snapshots/). */
async function locationBytes(dir: string) {
  const [total, packs, index, snapshots] = await Promise.all(
    ["", "data", "index", "snapshots"].map((part) => directoryBytes(join(dir, part))),
  );
  return { total: total ?? 0, packs: packs ?? 0, index: index ?? 0, snapshots: snapshots ?? 0 };
}

/** Total size of the files under a directory (0 when it does not exist yet). */
async function directoryBytes(dir: string): Promise<number> {
  let total = 0;
  let entries: import("node:fs").Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return 0;
    throw err;
  }
  for (const entry of entries) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += await directoryBytes(path);
    else if (entry.isFile()) total += (await stat(path)).size;
  }
  return total;
}

function bytesWritten(run: CliRun): number | undefined {
  return numberFrom(/(\d+) bytes written/.exec(run.stdout)?.[1]);
}

function numberFrom(text: string | undefined): number | undefined {
  return text === undefined ? undefined : Number(text);
}

function busy(cores: number | undefined): string {
  return cores !== undefined && cores >= 0.2 ? ` (other processes busy: ${cores} CPUs)` : "";
}

function firstLine(text: string): string {
  return text.trim().split("\n")[0] ?? "";
}

function seconds(ms: number): number {
  return Math.round(ms) / 1000;
}

function mb(value: number): number {
  return Math.round(value * 10) / 10;
}
