/**
 * What schedules and triggers share: a backup template given with every `backup create`
 * option, and keep rules beyond the TTL (--keep-last, --keep-hourly, … as restic names them).
 */
import type { Command } from "commander";
import type { Backup } from "../api/index.js";
import { KubesnapError } from "../core/errors.js";
import type { KubeObject } from "../core/kube-types.js";
import type { RetentionPolicy } from "../schedule/index.js";
import { println } from "./io.js";
import type { Runner } from "./main.js";
import { printList, printObject } from "./print.js";
import { confirm } from "./prompt.js";
import { withServer } from "./server-api.js";

export interface KeepFlags {
  keepLast?: string;
  keepHourly?: string;
  keepDaily?: string;
  keepWeekly?: string;
  keepMonthly?: string;
}

const KEEP_RULES = ["keepLast", "keepHourly", "keepDaily", "keepWeekly", "keepMonthly"] as const;

export function addKeepOptions(command: Command): Command {
  return command
    .option("--keep-last <n>", "keep the newest N backups")
    .option("--keep-hourly <n>", "keep the newest backup of each of the last N hours")
    .option("--keep-daily <n>", "keep the newest backup of each of the last N days")
    .option("--keep-weekly <n>", "keep the newest backup of each of the last N weeks")
    .option("--keep-monthly <n>", "keep the newest backup of each of the last N months");
}

/** The keep rules the flags set; undefined when none is set (each backup then lives for its TTL). */
export function keepRulesFromFlags(flags: KeepFlags): RetentionPolicy | undefined {
  const keep: Record<string, number> = {};
  for (const rule of KEEP_RULES) {
    const value = flags[rule];
    if (value === undefined) continue;
    const n = Number(value);
    if (!Number.isInteger(n) || n < 0) {
      const flag = `--${rule.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new KubesnapError("InvalidInput", `${flag} takes a whole number, not "${value}"`);
    }
    keep[rule] = n;
  }
  return Object.keys(keep).length > 0 ? (keep as RetentionPolicy) : undefined;
}

/** Gives `command` every option of `backup create` that shapes a backup (not --wait, -o, --from-schedule). */
export function addBackupTemplateOptions(program: Command, command: Command): void {
  const backupCreate = program.commands
    .find((c) => c.name() === "backup")
    ?.commands.find((c) => c.name() === "create");
  for (const option of backupCreate?.options ?? []) {
    if (!["--wait", "--output", "--from-schedule"].includes(option.long ?? "")) command.addOption(option);
  }
}

/** What differs between schedules and triggers in their describe, pause, unpause and delete verbs. */
export interface TemplateKind<T extends KubeObject> {
  readonly kind: "schedules" | "triggers";
  /** "Schedule", "Trigger": in messages. */
  readonly noun: string;
  /** The label its backups carry with its name. */
  readonly label: string;
  readonly describeText: string;
  readonly pauseText: string;
  readonly unpauseText: string;
  readonly describe: (object: T, backups: readonly Backup[]) => string;
  readonly columns: readonly string[];
  readonly row: (object: T) => string[];
}

/** get, describe, pause, unpause and delete, the same for schedules and triggers. */
export function registerTemplateVerbs<T extends KubeObject>(
  cmd: Command,
  run: Runner,
  spec: TemplateKind<T>,
): void {
  const { kind, noun, label } = spec;
  cmd
    .command("get")
    .argument("[names...]")
    .option("-o, --output <format>", "table, json or yaml")
    .description(`List ${kind}`)
    .action((names: string[], flags: { output?: string }) =>
      run((ctx) =>
        withServer(ctx, async (api) => {
          const shown = names.length
            ? await Promise.all(names.map((n) => api.get<T>(kind, n)))
            : await api.list<T>(kind);
          printList(ctx.io, flags.output, shown, {
            columns: spec.columns,
            row: spec.row,
            empty: `No ${kind} found.`,
          });
          return 0;
        }),
      ),
    );
  cmd
    .command("describe")
    .argument("<name>")
    .option("-o, --output <format>", "json or yaml")
    .description(spec.describeText)
    .action((name: string, flags: { output?: string }) =>
      run((ctx) =>
        withServer(ctx, async (api) => {
          const object = await api.get<T>(kind, name);
          if (flags.output) printObject(ctx.io, flags.output, object);
          else {
            const backups = (await api.list<Backup>("backups")).filter(
              (b) => b.metadata.labels?.[label] === name,
            );
            println(ctx.io.stdout, spec.describe(object, backups));
          }
          return 0;
        }),
      ),
    );
  for (const [verb, paused] of [
    ["pause", true],
    ["unpause", false],
  ] as const) {
    cmd
      .command(verb)
      .argument("<names...>")
      .description(paused ? spec.pauseText : spec.unpauseText)
      .action((names: string[]) =>
        run((ctx) =>
          withServer(ctx, async (api) => {
            for (const name of names) {
              await api.patch(kind, name, { spec: { paused } });
              println(ctx.io.stdout, `${noun} "${name}" ${paused ? "paused" : "unpaused"}.`);
            }
            return 0;
          }),
        ),
      );
  }
  cmd
    .command("delete")
    .argument("<names...>")
    .option("--confirm", "do not ask for confirmation")
    .description(`Delete ${kind} (their backups stay until they expire)`)
    .action((names: string[], flags: { confirm?: boolean }) =>
      run(async (ctx) => {
        if (
          !flags.confirm &&
          !(await confirm(ctx.io, `Delete ${noun.toLowerCase()}(s) ${names.join(", ")}?`))
        )
          return 0;
        return withServer(ctx, async (api) => {
          for (const name of names) {
            await api.delete(kind, name);
            println(ctx.io.stdout, `${noun} "${name}" deleted.`);
          }
          return 0;
        });
      }),
    );
}
