import type { Command } from "commander";
import { KubesnapError } from "../../core/errors.js";
import { timestampSuffix, validateName } from "../../core/timestamp.js";
import { parseNamespaceMapping } from "../../restore/plan/index.js";
import type { RestoreSpec } from "../../restore/record.js";
import { latestScheduledBackup, SCHEDULE_NAME_LABEL } from "../../schedule/index.js";
import type { Backups } from "../backends/backend.js";
import { withBackend } from "../backends/open.js";
import { FINISHED_PHASES } from "../backends/records.js";
import type { CommandContext } from "../context.js";
import { boolFlag, type FilterFlags, filterSpec } from "../flags.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { printList, printObject, progressFor } from "../print.js";
import { confirm } from "../prompt.js";
import { reportCreated } from "../report-created.js";
import { describeRestore, restoreColumns, restoreRow } from "../views/restore.js";

export interface RestoreCreateFlags extends FilterFlags {
  fromBackup?: string;
  fromSchedule?: string;
  allowPartiallyFailed?: string | boolean;
  namespaceMappings?: string;
  existingResourcePolicy?: string;
  preserveNodeports?: string | boolean;
  restoreVolumes?: string | boolean;
  wait?: boolean;
  output?: string;
}

/** Flags to spec; every bad value fails here, before anything is read or written. */
export function restoreSpecFromFlags(flags: RestoreCreateFlags): RestoreSpec {
  const source = restoreSource(flags);
  if ("schedule" in source) {
    throw new KubesnapError("InvalidInput", "--from-schedule is resolved by restore create, not here");
  }
  return { backupName: source.backup, ...restoreOptionsFromFlags(flags) };
}

/** What to restore: a backup by name, or the newest restorable backup of a schedule. */
type RestoreSource =
  | { readonly backup: string }
  | { readonly schedule: string; readonly allowPartiallyFailed: boolean };

function restoreSource(flags: RestoreCreateFlags): RestoreSource {
  const allowPartiallyFailed = boolFlag("--allow-partially-failed", flags.allowPartiallyFailed, false);
  if (flags.fromBackup && flags.fromSchedule) {
    throw new KubesnapError("InvalidInput", "give --from-backup or --from-schedule, not both");
  }
  if (flags.fromSchedule) return { schedule: flags.fromSchedule, allowPartiallyFailed };
  if (allowPartiallyFailed) {
    throw new KubesnapError("InvalidInput", "--allow-partially-failed goes with --from-schedule", {
      hint: "a backup named with --from-backup is restored whatever its phase",
    });
  }
  if (!flags.fromBackup) {
    throw new KubesnapError(
      "InvalidInput",
      "restore create needs --from-backup NAME or --from-schedule NAME",
      {
        hint: "run `kubesnap backup get` to list backups",
      },
    );
  }
  return { backup: flags.fromBackup };
}

function restoreOptionsFromFlags(flags: RestoreCreateFlags): Omit<RestoreSpec, "backupName"> {
  const policy = flags.existingResourcePolicy ?? "none";
  if (policy !== "none" && policy !== "update") {
    throw new KubesnapError(
      "InvalidInput",
      `--existing-resource-policy takes none or update, not "${policy}"`,
    );
  }
  return {
    ...filterSpec(flags),
    namespaceMapping: flags.namespaceMappings ? parseNamespaceMapping(flags.namespaceMappings) : {},
    existingResourcePolicy: policy,
    preserveNodePorts: boolFlag("--preserve-nodeports", flags.preserveNodeports, false),
    restorePVs: boolFlag("--restore-volumes", flags.restoreVolumes, true),
  };
}

async function create(
  ctx: CommandContext,
  nameArg: string | undefined,
  flags: RestoreCreateFlags,
): Promise<number> {
  const source = restoreSource(flags);
  const options = restoreOptionsFromFlags(flags);
  const name =
    nameArg ?? `${"backup" in source ? source.backup : source.schedule}-${timestampSuffix(ctx.now())}`;
  validateName(name, "restore");
  return withBackend(ctx, async ({ backups, restores }) => {
    const backupName = "backup" in source ? source.backup : await scheduledBackup(ctx, backups, source);
    const spec: RestoreSpec = { backupName, ...options };
    const progress = progressFor(ctx.io, `Restoring ${spec.backupName}`);
    const created = await restores.create(name, spec, {
      wait: flags.wait === true,
      onProgress: (update) => progress.update(update),
    });
    return reportCreated(ctx, created, {
      kind: "Restore",
      name,
      output: flags.output,
      progress,
      ended: ({ status }) => ({
        progress: `Restored ${status.progress.itemsRestored} of ${status.progress.totalItems} items`,
        summary:
          `Restore "${name}" finished: ${status.phase}, ${status.progress.itemsRestored} items restored, ` +
          `${status.errors} errors, ${status.warnings} warnings.`,
      }),
    });
  });
}

/** The schedule's newest restorable backup, said aloud, or an error that names what there is. */
async function scheduledBackup(
  ctx: CommandContext,
  backups: Backups,
  source: Extract<RestoreSource, { schedule: string }>,
): Promise<string> {
  const listed = await backups.list((w) => println(ctx.io.stderr, `Warning: ${w}`));
  const views = listed.map((b) => b.view);
  const latest = latestScheduledBackup(views, source.schedule, source);
  if (latest === undefined) {
    const ofSchedule = views.filter((b) => b.metadata.labels[SCHEDULE_NAME_LABEL] === source.schedule);
    throw new KubesnapError(
      "NotFound",
      `schedule "${source.schedule}" has no ${source.allowPartiallyFailed ? "Completed or PartiallyFailed" : "Completed"} backup (${ofSchedule.length} backup(s) labelled ${SCHEDULE_NAME_LABEL}=${source.schedule})`,
      {
        hint: source.allowPartiallyFailed
          ? "run `kubesnap backup get` to see its backups and their phases"
          : "add --allow-partially-failed to take a PartiallyFailed one, or see `kubesnap backup get`",
      },
    );
  }
  println(
    ctx.io.stdout,
    `Restoring backup "${latest.metadata.name}", the newest ${latest.status.phase} backup of schedule "${source.schedule}".`,
  );
  return latest.metadata.name;
}

async function get(ctx: CommandContext, names: string[], flags: { output?: string }): Promise<number> {
  return withBackend(ctx, async ({ restores }) => {
    const shown = names.length
      ? await Promise.all(names.map((n) => restores.get(n)))
      : await restores.list((w) => println(ctx.io.stderr, `Warning: ${w}`));
    shown.sort((a, b) => b.view.metadata.creationTimestamp.localeCompare(a.view.metadata.creationTimestamp));
    printList(ctx.io, flags.output, shown, {
      columns: restoreColumns,
      row: (r) => restoreRow(r.view),
      empty: "No restores found.",
      object: (r) => r.object,
    });
    return 0;
  });
}

async function describe(ctx: CommandContext, name: string, flags: { output?: string }): Promise<number> {
  return withBackend(ctx, async ({ restores }) => {
    const { view, object } = await restores.get(name);
    if (flags.output) {
      printObject(ctx.io, flags.output, object);
      return 0;
    }
    const results = FINISHED_PHASES.has(view.status.phase)
      ? await restores.results(name).catch(() => undefined)
      : undefined;
    println(ctx.io.stdout, describeRestore(view, results));
    return 0;
  });
}

async function remove(ctx: CommandContext, names: string[], flags: { confirm?: boolean }): Promise<number> {
  if (!flags.confirm && !(await confirm(ctx.io, `Delete restore record(s) ${names.join(", ")}?`))) return 0;
  return withBackend(ctx, async ({ restores }) => {
    for (const name of names) println(ctx.io.stdout, await restores.delete(name));
    return 0;
  });
}

export function registerRestore(program: Command, run: Runner): void {
  const restore = program.command("restore").description("Work with restores");
  restore
    .command("create")
    .argument("[name]", "name of the restore (default: BACKUP-yyyyMMddHHmmss)")
    .description("Restore a backup into the cluster")
    .option("--from-backup <name>", "the backup to restore")
    .option("--from-schedule <name>", "restore the schedule's newest Completed backup")
    .option("--allow-partially-failed [bool]", "with --from-schedule: a PartiallyFailed backup will do too")
    .option("--include-namespaces <globs>", "namespaces to restore (comma-separated globs)")
    .option("--exclude-namespaces <globs>", "namespaces not to restore")
    .option("--namespace-mappings <src:dst,...>", "restore namespace src into dst")
    .option("-l, --selector <selector>", "only items whose labels match")
    .option("--or-selector <selectors>", 'items matching any of these: "a=b or c=d"')
    .option("--include-resources <resources>", "resources to restore")
    .option("--exclude-resources <resources>", "resources not to restore")
    .option("--include-cluster-resources [mode]", "true, false or auto")
    .option("--existing-resource-policy <policy>", "none (skip existing items) or update (patch them)")
    .option("--preserve-nodeports [bool]", "keep Services' node ports")
    .option(
      "--restore-volumes [bool]",
      "restore volume data from snapshots and file copies (false: snapshotted claims get new empty volumes)",
    )
    .option("-w, --wait", "server mode: wait until the restore finishes (local mode always waits)")
    .option("-o, --output <format>", "print the finished restore as json or yaml")
    .action((name: string | undefined, flags: RestoreCreateFlags) => run((ctx) => create(ctx, name, flags)));
  restore
    .command("get")
    .argument("[names...]")
    .description("List restores")
    .option("-o, --output <format>", "table, json or yaml")
    .action((names: string[], flags: { output?: string }) => run((ctx) => get(ctx, names, flags)));
  restore
    .command("describe")
    .argument("<name>")
    .description("Show a restore's details, with every failed item and why")
    .option("-o, --output <format>", "json or yaml")
    .action((name: string, flags: { output?: string }) => run((ctx) => describe(ctx, name, flags)));
  restore
    .command("logs")
    .argument("<name>")
    .description("Print a restore's log")
    .action((name: string) =>
      run((ctx) =>
        withBackend(ctx, async ({ restores }) => {
          ctx.io.stdout.write(await restores.logs(name));
          return 0;
        }),
      ),
    );
  restore
    .command("delete")
    .argument("<names...>")
    .description("Delete restore records (restored objects stay)")
    .option("--confirm", "do not ask for confirmation")
    .action((names: string[], flags: { confirm?: boolean }) => run((ctx) => remove(ctx, names, flags)));
}
