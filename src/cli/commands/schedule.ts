import type { Command } from "commander";
import type { Schedule, ScheduleSpec } from "../../api/index.js";
import { parseKeyValues } from "../../core/kv.js";
import { validateName } from "../../core/timestamp.js";
import { parseSchedule, SCHEDULE_NAME_LABEL, scheduledBackupName } from "../../schedule/index.js";
import { resourceBackupSpec } from "../../server/backup-controller.js";
import {
  addBackupTemplateOptions,
  addKeepOptions,
  type KeepFlags,
  keepRulesFromFlags,
  registerTemplateVerbs,
} from "../backup-template.js";
import type { CommandContext } from "../context.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { withServer } from "../server-api.js";
import { describeSchedule, scheduleColumns, scheduleRow } from "../views/schedule.js";
import { type BackupCreateFlags, backupSpecFromFlags } from "./backup.js";

interface ScheduleFlags extends BackupCreateFlags, KeepFlags {
  schedule: string;
  timezone?: string;
  paused?: boolean;
  skipImmediately?: boolean;
}

export function scheduleSpecFromFlags(flags: ScheduleFlags): ScheduleSpec {
  // Parsed here so a bad cron or zone fails before anything is sent.
  parseSchedule(flags.schedule, flags.timezone ? { timeZone: flags.timezone } : {});
  const keep = keepRulesFromFlags(flags);
  return {
    schedule: flags.schedule,
    ...(flags.timezone ? { timeZone: flags.timezone } : {}),
    paused: flags.paused === true,
    skipImmediately: flags.skipImmediately === true,
    template: resourceBackupSpec(backupSpecFromFlags(flags)),
    ...(keep ? { keep } : {}),
  };
}

export function registerSchedule(program: Command, run: Runner): void {
  const cmd = program
    .command("schedule")
    .description("Work with backup schedules (run by the kubesnap server)");
  const create = cmd
    .command("create")
    .argument("<name>")
    .description("Back up on a cron schedule")
    .requiredOption(
      "--schedule <cron>",
      '"0 7 * * *", "@every 6h", "@daily" or "CRON_TZ=Europe/Berlin 0 3 * * *"',
    )
    .option("--timezone <zone>", "IANA time zone the cron fields are read in (default UTC)")
    .option("--paused", "create it paused")
    .option("--skip-immediately", "wait for the first cron time instead of backing up at once");
  addKeepOptions(create);
  addBackupTemplateOptions(program, create);
  create.action((name: string, flags: ScheduleFlags) =>
    run(async (ctx) => {
      validateName(name, "schedule");
      const spec = scheduleSpecFromFlags(flags);
      const labels = flags.labels ? parseKeyValues(flags.labels, { what: "--labels" }) : {};
      await withServer(ctx, (api) => api.create("schedules", { metadata: { name, labels }, spec }));
      println(ctx.io.stdout, `Schedule "${name}" created successfully.`);
      return 0;
    }),
  );
  registerTemplateVerbs(cmd, run, {
    kind: "schedules",
    noun: "Schedule",
    label: SCHEDULE_NAME_LABEL,
    describeText: "Show a schedule, and which backups each keep rule keeps",
    pauseText: "Stop taking backups until unpaused",
    unpauseText: "Take backups again",
    describe: describeSchedule,
    columns: scheduleColumns,
    row: scheduleRow,
  });
}

/** `backup create --from-schedule NAME`: one backup now, from the schedule's template. */
export async function backupFromSchedule(
  ctx: CommandContext,
  scheduleName: string,
  name: string | undefined,
): Promise<string> {
  return withServer(ctx, async (api) => {
    const schedule = await api.get<Schedule>("schedules", scheduleName);
    const backupName = name ?? scheduledBackupName(scheduleName, ctx.now());
    await api.create("backups", {
      metadata: {
        name: backupName,
        labels: { ...schedule.metadata.labels, [SCHEDULE_NAME_LABEL]: scheduleName },
      },
      spec: schedule.spec.template,
    });
    return backupName;
  });
}
