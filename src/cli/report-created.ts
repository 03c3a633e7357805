/**
 * What `backup create` and `restore create` print once the backend has taken the run: the
 * request submitted (server mode without --wait), or the finished run as one line (or the
 * object with -o json|yaml), its failure reason, and where to read more. The exit code is 1
 * unless the run Completed.
 */
import type { Created } from "./backends/backend.js";
import { type BackupView, failureText, type RestoreView } from "./backends/records.js";
import type { CommandContext } from "./context.js";
import { println } from "./io.js";
import type { Progress } from "./output/progress.js";
import { printObject } from "./print.js";

export function reportCreated<V extends BackupView | RestoreView>(
  ctx: CommandContext,
  created: Created<V>,
  run: {
    readonly kind: "Backup" | "Restore";
    readonly name: string;
    readonly output: string | undefined;
    readonly progress: Progress;
    /** The progress line's last words, and the sentence that says how the run ended. */
    readonly ended: (view: V) => { readonly progress: string; readonly summary: string };
  },
): number {
  const { kind, name } = run;
  const more = `Run \`kubesnap ${kind.toLowerCase()} describe ${name}\` or \`kubesnap ${kind.toLowerCase()} logs ${name}\` for more details.`;
  if (!created.finished) {
    run.progress.finish(`${kind} request "${name}" submitted to the kubesnap server.`);
    println(ctx.io.stdout, `${kind} request "${name}" submitted successfully.`);
    println(ctx.io.stdout, more);
    return 0;
  }
  const { status } = created.view;
  const ended = run.ended(created.view);
  run.progress.finish(ended.progress);
  if (run.output) {
    printObject(ctx.io, run.output, created.object);
  } else {
    println(ctx.io.stdout, ended.summary);
    const reason = failureText(status);
    if (reason) println(ctx.io.stdout, `Reason: ${reason}`);
    println(ctx.io.stdout, more);
  }
  return status.phase === "Completed" ? 0 : 1;
}
