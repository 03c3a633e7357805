/**
 * What schedules and triggers share: a backup template given with every `backup create`
 * option, and keep rules beyond the TTL (--keep-last, --keep-hourly, … as restic names them).
 */
import type { Command } from "commander";
import { KubesnapError } from "../core/errors.js";
import type { RetentionPolicy } from "../schedule/index.js";

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
