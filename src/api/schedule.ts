import { backupSpecSchema } from "./backup.js";
import { CRON_PATTERN, LABEL_VALUE_MAX } from "./fields.js";
import { defineKind, type Resource } from "./kind.js";
import { type Infer, s } from "./schema.js";

export const SCHEDULE_PHASES = ["New", "Enabled", "FailedValidation"] as const;

/** A schedule's backups are named "<schedule>-<yyyyMMddHHmmss>", which must fit a label value. */
export const SCHEDULE_NAME_MAX = LABEL_VALUE_MAX - "-20261126070000".length;

function keep(description: string) {
  return s.optional(s.integer({ description, minimum: 0 }));
}

export const scheduleSpecSchema = s.object({
  schedule: s.string({
    description: 'When to back up: five cron fields ("0 7 * * *") or @daily, @hourly, @every 6h…',
    pattern: CRON_PATTERN,
    message: 'must be five cron fields ("0 7 * * *") or a descriptor (@daily, @hourly, @every 6h)',
    maxLength: 256,
  }),
  timeZone: s.optional(
    s.string({
      description: 'IANA time zone the cron fields are read in ("Europe/Berlin"); UTC when absent.',
      pattern: "^[A-Za-z0-9_+/-]+$",
      maxLength: 64,
    }),
  ),
  paused: s.boolean({ default: false, description: "No backups are taken while paused." }),
  skipImmediately: s.boolean({
    default: false,
    description: "Wait for the next cron time instead of backing up at once when created or unpaused.",
  }),
  template: backupSpecSchema,
  keep: s.optional(
    s.object(
      {
        keepLast: keep("Keep the newest N backups."),
        keepHourly: keep("Keep the newest backup of each of the last N hours that have one."),
        keepDaily: keep("Keep the newest backup of each of the last N days that have one."),
        keepWeekly: keep("Keep the newest backup of each of the last N weeks that have one."),
        keepMonthly: keep("Keep the newest backup of each of the last N months that have one."),
      },
      {
        description:
          "Retention beyond the TTL: a backup kept by any rule stays even after its TTL; without keep, the TTL alone decides.",
      },
    ),
  ),
});
export type ScheduleSpec = Infer<typeof scheduleSpecSchema>;

export const scheduleStatusSchema = s.object({
  phase: s.enum(SCHEDULE_PHASES),
  lastBackup: s.optional(s.timestamp({ description: "When the last backup was started." })),
  nextRun: s.optional(s.timestamp({ description: "When the next backup will be started." })),
  validationErrors: s.optional(s.array(s.string(), { description: "Why the spec was refused." })),
  message: s.optional(
    s.string({ description: "What happened to the last due run when it made no backup (a skip, and why)." }),
  ),
});
export type ScheduleStatus = Infer<typeof scheduleStatusSchema>;
export type SchedulePhase = ScheduleStatus["phase"];
export type Schedule = Resource<"Schedule", ScheduleSpec, ScheduleStatus>;

export const scheduleKind = defineKind({
  kind: "Schedule",
  plural: "schedules",
  description: "Backups taken on a cron schedule from a Backup spec template.",
  spec: scheduleSpecSchema,
  status: scheduleStatusSchema,
  nameMaxLength: SCHEDULE_NAME_MAX,
  // `velero schedule get`: NAME STATUS CREATED SCHEDULE BACKUP TTL LAST BACKUP SELECTOR PAUSED
  columns: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Created", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "Schedule", type: "string", jsonPath: ".spec.schedule" },
    { name: "Backup TTL", type: "string", jsonPath: ".spec.template.ttl" },
    { name: "Last Backup", type: "date", jsonPath: ".status.lastBackup" },
    { name: "Selector", type: "string", jsonPath: ".spec.template.labelSelector" },
    { name: "Paused", type: "boolean", jsonPath: ".spec.paused" },
    { name: "Next Run", type: "string", jsonPath: ".status.nextRun", priority: 1 },
  ],
});
