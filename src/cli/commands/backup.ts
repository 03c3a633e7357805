import type { Command } from "commander";
import { type BackupSpec, DEFAULT_TTL_MS } from "../../backup/spec.js";
import { formatGoDuration, parseDuration } from "../../core/duration.js";
import { KubesnapError } from "../../core/errors.js";
import { parseKeyValues } from "../../core/kv.js";
import { validateName } from "../../core/timestamp.js";
import { withBackend } from "../backends/open.js";
import { FINISHED_PHASES } from "../backends/records.js";
import type { CommandContext } from "../context.js";
import { type FilterFlags, filterSpec, samplePercentFlag, type VolumeFlags, volumeSpec } from "../flags.js";
import { println } from "../io.js";
import { printList, printObject, progressFor } from "../print.js";
import { confirm } from "../prompt.js";
import { reportCreated } from "../report-created.js";
import { backupColumns, backupRow, describeBackup } from "../views/backup.js";
import { verificationSummary, verifyColumns, verifyRow } from "../views/verify.js";
import { backupFromSchedule } from "./schedule.js";

export interface BackupCreateFlags extends FilterFlags, VolumeFlags {
  ttl?: string;
  storageLocation?: string;
  labels?: string;
  wait?: boolean;
  output?: string;
  fromSchedule?: string;
}

/** Turns the flags into a spec; every bad value fails here, before the cluster or the bucket is touched. */
export function backupSpecFromFlags(flags: BackupCreateFlags): BackupSpec {
  return {
    ...filterSpec(flags),
    ttlMs: flags.ttl === undefined ? DEFAULT_TTL_MS : parseDuration(flags.ttl, { what: "--ttl" }),
    storageLocation: flags.storageLocation ?? "",
    labels: flags.labels ? parseKeyValues(flags.labels, { what: "--labels" }) : {},
    ...volumeSpec(flags),
  };
}

/** The volume options of `backup create` (schedule create copies them). */
function volumeOptions(command: Command): Command {
  return command
    .option("--snapshot-volumes [bool]", "take CSI snapshots of the backed-up PVCs' volumes (default true)")
    .option(
      "--snapshot-class <name>",
      "VolumeSnapshotClass for volumes of its driver (default: the driver's class labelled kubesnap.io/default=true)",
    )
    .option(
      "--item-operation-timeout <duration>",
      "how long each volume snapshot may take to be ready (default 10m)",
    )
    .option(
      "--volume-policy <file>",
      "YAML volume policies (Velero's format): snapshot, fs-backup or skip by storage class, CSI driver, PVC labels",
    )
    .option(
      "--default-volumes-to-fs-backup [bool]",
      "copy the files of every pod volume through the node agents (opt-out: annotation backup.kubesnap.io/backup-volumes-excludes); otherwise only those pods name in backup.kubesnap.io/backup-volumes",
    );
}

async function create(
  ctx: CommandContext,
  nameArg: string | undefined,
  flags: BackupCreateFlags,
): Promise<number> {
  if (flags.fromSchedule) {
    const submitted = await backupFromSchedule(ctx, flags.fromSchedule, nameArg);
    println(
      ctx.io.stdout,
      `Backup request "${submitted}" submitted to the kubesnap server in namespace ${ctx.serverNamespace}.`,
    );
    println(
      ctx.io.stdout,
      `Follow it with \`kubectl -n ${ctx.serverNamespace} get backup ${submitted} -w\`.`,
    );
    return 0;
  }
  if (!nameArg)
    throw new KubesnapError("InvalidInput", "backup create needs a NAME (or --from-schedule SCHEDULE)");
  const name = validateName(nameArg, "backup");
  const spec = backupSpecFromFlags(flags);
  return withBackend(ctx, async ({ backups }) => {
    const progress = progressFor(ctx.io, `Backing up ${name}`);
    const created = await backups.create(name, spec, {
      wait: flags.wait === true,
      onProgress: (update) => progress.update(update),
    });
    const detail = created.finished && created.detail ? `, ${created.detail}` : "";
    return reportCreated(ctx, created, {
      kind: "Backup",
      name,
      output: flags.output,
      progress,
      ended: ({ status }) => ({
        progress: `Backed up ${status.progress.itemsBackedUp} items`,
        summary:
          `Backup "${name}" ${status.phase === "Completed" ? "finished" : "failed"}: ${status.phase}, ` +
          `${status.progress.itemsBackedUp} items, ${status.errors} errors, ${status.warnings} warnings${detail}.`,
      }),
    });
  });
}

async function get(
  ctx: CommandContext,
  names: string[],
  flags: { selector?: string; output?: string },
): Promise<number> {
  const selector = flags.selector ? parseKeyValues(flags.selector, { what: "--selector" }) : {};
  return withBackend(ctx, async ({ backups }) => {
    const all = await backups.list((warning) => println(ctx.io.stderr, `Warning: ${warning}`));
    for (const wanted of names) {
      if (!all.some((b) => b.view.metadata.name === wanted)) {
        throw new KubesnapError("NotFound", `Backup "${wanted}" not found`, {
          hint: "run `kubesnap backup get` to list backups",
        });
      }
    }
    const shown = all
      .filter((b) => names.length === 0 || names.includes(b.view.metadata.name))
      .filter((b) => Object.entries(selector).every(([k, v]) => b.view.metadata.labels[k] === v))
      .sort((a, b) => b.view.metadata.creationTimestamp.localeCompare(a.view.metadata.creationTimestamp));
    printList(ctx.io, flags.output, shown, {
      columns: backupColumns,
      row: (b) => backupRow(b.view, ctx.now()),
      empty: "No backups found.",
      object: (b) => b.object,
    });
    return 0;
  });
}

async function describe(
  ctx: CommandContext,
  name: string,
  flags: { details?: boolean; output?: string },
): Promise<number> {
  return withBackend(ctx, async ({ backups }) => {
    const { view, object } = await backups.get(name);
    if (flags.output) {
      printObject(ctx.io, flags.output, object);
      return 0;
    }
    // Results exist once the backup ran; until then (or if unreadable) describe shows the rest.
    const results = FINISHED_PHASES.has(view.status.phase)
      ? await backups.results(name).catch(() => undefined)
      : undefined;
    println(
      ctx.io.stdout,
      describeBackup(view, { now: ctx.now(), details: flags.details === true, results }),
    );
    return 0;
  });
}

async function logs(ctx: CommandContext, name: string): Promise<number> {
  return withBackend(ctx, async ({ backups }) => {
    ctx.io.stdout.write(await backups.logs(name));
    return 0;
  });
}

async function remove(ctx: CommandContext, names: string[], flags: { confirm?: boolean }): Promise<number> {
  if (names.length === 0)
    throw new KubesnapError("InvalidInput", "backup delete needs at least one backup name");
  if (!flags.confirm && !(await confirm(ctx.io, `Delete backup(s) ${names.join(", ")} and their data?`))) {
    println(ctx.io.stdout, "Nothing deleted.");
    return 0;
  }
  return withBackend(ctx, async ({ backups }) => {
    for (const name of names) println(ctx.io.stdout, await backups.delete(name));
    return 0;
  });
}

async function verify(
  ctx: CommandContext,
  name: string,
  flags: { sample: string; output?: string },
): Promise<number> {
  const samplePercent = samplePercentFlag("--sample", flags.sample);
  return withBackend(ctx, async ({ backups }) => {
    const result = await backups.verify(name, samplePercent);
    if (flags.output) {
      printObject(ctx.io, flags.output, result);
    } else {
      println(ctx.io.stdout, `Verified backup "${name}": ${verificationSummary(result)}.`);
      if (result.problems.length > 0) {
        printList(ctx.io, undefined, result.problems, {
          columns: verifyColumns,
          row: verifyRow,
          empty: "",
        });
      }
    }
    return result.problems.length === 0 ? 0 : 1;
  });
}

export function registerBackup(
  program: Command,
  run: (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>,
): void {
  const backup = program.command("backup").description("Work with backups");
  volumeOptions(backup.command("create"))
    .argument("[name]", "name of the backup (optional with --from-schedule)")
    .description("Back up cluster resources into a storage location")
    .option("-l, --selector <selector>", "only items whose labels match this selector")
    .option("--or-selector <selectors>", 'items matching any of these selectors: "a=b or c=d"')
    .option("--include-namespaces <globs>", "namespaces to include (comma-separated globs)", undefined)
    .option("--exclude-namespaces <globs>", "namespaces to exclude")
    .option("--include-resources <resources>", "resources to include, e.g. deployments.apps,configmaps")
    .option("--exclude-resources <resources>", "resources to exclude")
    .option("--include-cluster-resources [mode]", "true, false or auto: cluster-scoped objects")
    .option("--ttl <duration>", `how long to keep the backup (default ${formatGoDuration(DEFAULT_TTL_MS)})`)
    .option("--storage-location <name>", "storage location (default: the default location)")
    .option("--labels <k=v,...>", "labels of the backup")
    .option("-w, --wait", "server mode: wait until the backup finishes (local mode always waits)")
    .option("-o, --output <format>", "print the finished backup as json or yaml")
    .option("--from-schedule <schedule>", "run one backup of a schedule now, on the kubesnap server")
    .action((name: string | undefined, flags: BackupCreateFlags) => run((ctx) => create(ctx, name, flags)));
  backup
    .command("get")
    .argument("[names...]")
    .description("List backups")
    .option("-l, --selector <k=v,...>", "only backups with these labels")
    .option("-o, --output <format>", "table, json or yaml")
    .action((names: string[], flags) => run((ctx) => get(ctx, names, flags)));
  backup
    .command("describe")
    .argument("<name>")
    .description("Show a backup's details")
    .option("--details", "list every resource and each error and warning")
    .option("-o, --output <format>", "json or yaml")
    .action((name: string, flags) => run((ctx) => describe(ctx, name, flags)));
  backup
    .command("logs")
    .argument("<name>")
    .description("Print a backup's log")
    .action((name: string) => run((ctx) => logs(ctx, name)));
  backup
    .command("verify")
    .argument("<name>")
    .description("Read every byte a backup references and report each problem by stored and backed-up object")
    .option("--sample <percent>", "read only this share of the data (the manifest and lists always)", "100%")
    .option("-o, --output <format>", "json or yaml")
    .action((name: string, flags: { sample: string; output?: string }) =>
      run((ctx) => verify(ctx, name, flags)),
    );
  backup
    .command("delete")
    .argument("<names...>")
    .description("Delete backups and the data no other backup uses")
    .option("--confirm", "do not ask for confirmation")
    .action((names: string[], flags) => run((ctx) => remove(ctx, names, flags)));
}
