import { backupSpecSchema } from "./backup.js";
import { count, duration, labelSelector, namespaceGlobs } from "./fields.js";
import { defineKind, type Resource } from "./kind.js";
import { SCHEDULE_NAME_MAX, type ScheduleSpec, scheduleSpecSchema } from "./schedule.js";
import { type Infer, type Schema, s } from "./schema.js";

export const TRIGGER_PHASES = ["New", "Enabled", "FailedValidation"] as const;
export const TRIGGER_EVENTS = ["create", "update", "delete"] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];

/**
 * "deployments.apps", "configmaps", "Deployment": like a backup's resource names, but never
 * "*": a trigger that watched every resource would fire on the cluster's own heartbeats.
 */
export const WATCHED_RESOURCE_PATTERN = "^[A-Za-z0-9][-A-Za-z0-9.]*$";

/** The most causes a window records; the rest are only counted (annotations and status stay small). */
export const MAX_CAUSES = 10;

/**
 * The keep rules of a Schedule, read from its schema rather than written twice: both kinds
 * keep their backups by the same rules (src/server/retention.ts applies them to either).
 */
const keepRules = s.optional({
  openApi: scheduleSpecSchema.openApi.properties?.keep ?? { type: "object" },
  optional: false,
} as Schema<NonNullable<ScheduleSpec["keep"]>>);

export const triggerSpecSchema = s.object(
  {
    on: s.array(s.string({ pattern: WATCHED_RESOURCE_PATTERN, maxLength: 316 }), {
      description: 'Resources whose changes fire the trigger ("deployments.apps", "configmaps").',
      maxItems: 32,
    }),
    namespaces: namespaceGlobs('Namespace globs of the watched objects; ["*"] watches every namespace.', [
      "*",
    ]),
    labelSelector: s.optional(labelSelector('Only objects whose labels match ("app=web,tier in (a,b)").')),
    events: s.array(s.enum(TRIGGER_EVENTS), {
      description: "Which changes count: create, update, delete.",
      default: [...TRIGGER_EVENTS],
      maxItems: 3,
    }),
    specChangesOnly: s.boolean({
      default: false,
      description:
        "Updates count only when the object's spec changed: its metadata.generation went up (status " +
        "writes never bump it) or, for kinds without a generation (ConfigMaps), its content changed.",
    }),
    debounce: duration(
      "How long the watched objects must stay quiet before the backup is taken, so a rollout that " +
        "touches many objects makes one backup.",
      "10s",
    ),
    minInterval: duration("The shortest time between two backups of this trigger; 0 for no limit.", "0s"),
    paused: s.boolean({
      default: false,
      description: "Nothing is watched while paused; changes made meanwhile are not backed up.",
    }),
    backupNamespaces: s.enum(["Changed", "Template"], {
      default: "Changed",
      description:
        "Changed: the backup takes the namespaces of the changed objects instead of the template's " +
        "includedNamespaces (the template's own when only cluster-scoped objects changed); " +
        "Template: the template as written.",
    }),
    template: backupSpecSchema,
    keep: keepRules,
  },
  {
    validations: [
      { fieldPath: ".on", rule: "size(self.on) > 0", message: "on must name at least one resource" },
      { fieldPath: ".events", rule: "size(self.events) > 0", message: "events must name at least one event" },
    ],
  },
);
export type TriggerSpec = Infer<typeof triggerSpecSchema>;

export const triggerCauseSchema = s.object({
  event: s.enum(TRIGGER_EVENTS),
  resource: s.string({ description: 'The changed object\'s resource, "deployments.apps".' }),
  namespace: s.optional(s.string()),
  name: s.string(),
  resourceVersion: s.string({ description: "The object's resourceVersion the change was seen at." }),
  seen: s.timestamp({ description: "When the server saw the change." }),
});
export type TriggerCause = Infer<typeof triggerCauseSchema>;

/**
 * Changes seen and not yet backed up. Kept in status, not only in memory, so a server that
 * restarts (or a replica that takes over) finishes the window: the backup is named after
 * `since`, so finishing it twice finds the Backup already there.
 */
export const triggerWindowSchema = s.object({
  since: s.timestamp({ description: "When the first change of the window was seen; names the backup." }),
  lastChange: s.timestamp({ description: "When the latest change was seen; the debounce counts from it." }),
  changes: count("Changes in the window (only the first few are listed in causes)."),
  causes: s.array(triggerCauseSchema, { maxItems: MAX_CAUSES }),
  namespaces: s.array(s.string(), { description: "Namespaces of the changed objects." }),
});
export type TriggerWindow = Infer<typeof triggerWindowSchema>;

export const triggerStatusSchema = s.object({
  phase: s.enum(TRIGGER_PHASES),
  observedGeneration: s.optional(
    s.integer({
      minimum: 0,
      description: "The spec generation being watched: changes made after this is set are seen.",
    }),
  ),
  validationErrors: s.optional(s.array(s.string(), { description: "Why the spec was refused." })),
  message: s.optional(s.string({ description: "Why the last due backup was not taken, when it was not." })),
  lastBackup: s.optional(s.timestamp({ description: "When the last backup was created." })),
  lastBackupName: s.optional(s.string()),
  pending: s.optional(triggerWindowSchema),
});
export type TriggerStatus = Infer<typeof triggerStatusSchema>;
export type TriggerPhase = TriggerStatus["phase"];
export type Trigger = Resource<"Trigger", TriggerSpec, TriggerStatus>;

export const triggerKind = defineKind({
  kind: "Trigger",
  plural: "triggers",
  description: "Backups taken when watched objects change, from a Backup spec template.",
  spec: triggerSpecSchema,
  status: triggerStatusSchema,
  // Its backups are named "<trigger>-<yyyyMMddHHmmss>", as a schedule's are.
  nameMaxLength: SCHEDULE_NAME_MAX,
  columns: [
    { name: "Status", type: "string", jsonPath: ".status.phase" },
    { name: "Created", type: "date", jsonPath: ".metadata.creationTimestamp" },
    { name: "On", type: "string", jsonPath: ".spec.on" },
    { name: "Events", type: "string", jsonPath: ".spec.events" },
    { name: "Debounce", type: "string", jsonPath: ".spec.debounce" },
    { name: "Last Backup", type: "date", jsonPath: ".status.lastBackup" },
    { name: "Paused", type: "boolean", jsonPath: ".spec.paused" },
    { name: "Pending Since", type: "date", jsonPath: ".status.pending.since", priority: 1 },
  ],
});
