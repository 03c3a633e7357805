import type { Command } from "commander";
import { TRIGGER_EVENTS, type TriggerEvent, type TriggerSpec } from "../../api/index.js";
import { discover } from "../../cluster/discovery.js";
import { KubesnapError } from "../../core/errors.js";
import { parseKeyValues } from "../../core/kv.js";
import { validateName } from "../../core/timestamp.js";
import { resourceBackupSpec } from "../../server/backup-controller.js";
import { checkTrigger, TRIGGER_NAME_LABEL } from "../../trigger/index.js";
import {
  addBackupTemplateOptions,
  addKeepOptions,
  type KeepFlags,
  keepRulesFromFlags,
  registerTemplateVerbs,
} from "../backup-template.js";
import { listFlag } from "../flags.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { withServer } from "../server-api.js";
import { describeTrigger, triggerColumns, triggerRow } from "../views/trigger.js";
import { type BackupCreateFlags, backupSpecFromFlags } from "./backup.js";

interface TriggerFlags extends BackupCreateFlags, KeepFlags {
  on: string;
  onNamespaces?: string;
  onSelector?: string;
  events?: string;
  specChangesOnly?: boolean;
  debounce?: string;
  minInterval?: string;
  paused?: boolean;
}

function eventsFlag(value: string | undefined): TriggerEvent[] {
  const events = listFlag(value, TRIGGER_EVENTS);
  for (const event of events) {
    if (!(TRIGGER_EVENTS as readonly string[]).includes(event))
      throw new KubesnapError("InvalidInput", `--events takes create, update and delete, not "${event}"`, {
        hint: "e.g. --events update,delete",
      });
  }
  return [...new Set(events)] as TriggerEvent[];
}

/** The spec the flags describe; the template is what `backup create` would take with the same flags. */
function triggerSpecFromFlags(flags: TriggerFlags): TriggerSpec {
  const keep = keepRulesFromFlags(flags);
  return {
    on: listFlag(flags.on),
    namespaces: listFlag(flags.onNamespaces, ["*"]),
    ...(flags.onSelector?.trim() ? { labelSelector: flags.onSelector.trim() } : {}),
    events: eventsFlag(flags.events),
    specChangesOnly: flags.specChangesOnly === true,
    debounce: flags.debounce ?? "10s",
    minInterval: flags.minInterval ?? "0s",
    paused: flags.paused === true,
    // Without --include-namespaces, each backup takes the namespaces of the objects that changed.
    backupNamespaces: flags.includeNamespaces === undefined ? "Changed" : "Template",
    template: resourceBackupSpec(backupSpecFromFlags(flags)),
    ...(keep ? { keep } : {}),
  };
}

export function registerTrigger(program: Command, run: Runner): void {
  const cmd = program
    .command("trigger")
    .description("Work with backups taken when watched objects change (run by the kubesnap server)");
  const create = cmd
    .command("create")
    .argument("<name>")
    .description("Back up when objects of the named resources change")
    .requiredOption("--on <resources>", "resources to watch, e.g. deployments.apps,configmaps")
    .option("--on-namespaces <globs>", "namespaces whose objects are watched (default: all)")
    .option("--on-selector <selector>", "only objects whose labels match, e.g. app=web")
    .option("--events <events>", "which changes count: create, update, delete (default: all)")
    .option("--spec-changes-only", "updates count only when the spec changes, not the status")
    .option("--debounce <duration>", "wait until the watched objects have been quiet this long (default 10s)")
    .option("--min-interval <duration>", "at most one backup per this much time (default: no limit)")
    .option("--paused", "create it paused");
  addKeepOptions(create);
  // Every option of backup create shapes the template, as for schedules.
  addBackupTemplateOptions(program, create);
  create.action((name: string, flags: TriggerFlags) =>
    run(async (ctx) => {
      validateName(name, "trigger");
      const spec = triggerSpecFromFlags(flags);
      const labels = flags.labels ? parseKeyValues(flags.labels, { what: "--labels" }) : {};
      await withServer(ctx, async (api, client) => {
        const checked = checkTrigger(spec, (await discover(client)).types);
        if (!checked.ok) {
          throw new KubesnapError(
            "InvalidInput",
            `Trigger "${name}" cannot work: ${checked.problems.join("; ")}`,
          );
        }
        await api.create("triggers", { metadata: { name, labels }, spec });
      });
      println(ctx.io.stdout, `Trigger "${name}" created successfully.`);
      return 0;
    }),
  );
  registerTemplateVerbs(cmd, run, {
    kind: "triggers",
    noun: "Trigger",
    label: TRIGGER_NAME_LABEL,
    describeText: "Show a trigger, its pending changes, and its backups with what caused each",
    pauseText: "Stop watching (changes meanwhile are not backed up)",
    unpauseText: "Watch again",
    describe: describeTrigger,
    columns: triggerColumns,
    row: triggerRow,
  });
}
