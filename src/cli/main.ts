import { Command, CommanderError } from "commander";
import { describeError } from "../core/errors.js";
import { registerBackup } from "./commands/backup.js";
import { registerInstall } from "./commands/install.js";
import { registerLocation } from "./commands/location.js";
import { registerMisc } from "./commands/misc.js";
import { registerNodeAgent } from "./commands/node-agent.js";
import { registerProtect } from "./commands/protect.js";
import { registerRestore } from "./commands/restore.js";
import { registerSchedule } from "./commands/schedule.js";
import { registerServer } from "./commands/server.js";
import { registerTrigger } from "./commands/trigger.js";
import type { CommandContext } from "./context.js";
import { type Io, processIo } from "./io.js";

export type Runner = (fn: (ctx: CommandContext) => Promise<number>) => Promise<void>;

/**
 * The CLI: `kubesnap <noun> <verb>` as Velero users know it. Commands are plain async
 * functions; this is the one place where errors become messages and exit codes.
 */
export async function main(argv: readonly string[], io: Io = processIo): Promise<number> {
  const program = new Command("kubesnap")
    .description("Back up Kubernetes cluster state and bring it back.")
    .option("--kubeconfig <path>", "kubeconfig file (default: $KUBECONFIG or ~/.kube/config)")
    .option("--context <name>", "kubeconfig context to use")
    .option("-n, --namespace <namespace>", "namespace of the kubesnap server", "kubesnap")
    .option("--local", "run backups and restores in this process even when a kubesnap server is installed")
    .showHelpAfterError()
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
    });

  let exitCode = 0;
  const run: Runner = async (fn) => {
    const globals = program.opts<{
      kubeconfig?: string;
      context?: string;
      namespace: string;
      local?: boolean;
    }>();
    exitCode = await fn({
      io,
      connect: {
        ...(globals.kubeconfig ? { kubeconfig: globals.kubeconfig } : {}),
        ...(globals.context ? { context: globals.context } : {}),
      },
      serverNamespace: globals.namespace,
      local: globals.local === true,
      now: () => new Date(),
    });
  };
  registerBackup(program, run);
  registerRestore(program, run);
  // After backup: schedule create and trigger create take every option of backup create.
  registerSchedule(program, run);
  registerTrigger(program, run);
  registerLocation(program, run);
  registerProtect(program, run);
  registerMisc(program, run);
  registerServer(program, run);
  registerNodeAgent(program, run);
  registerInstall(program, run);

  try {
    await program.parseAsync([...argv], { from: "user" });
    return exitCode;
  } catch (err) {
    if (err instanceof CommanderError) {
      // Help and version are answers, not failures; anything else is a usage error.
      return err.exitCode === 0 ? 0 : 2;
    }
    io.stderr.write(`Error: ${describeError(err)}\n`);
    return 1;
  }
}
