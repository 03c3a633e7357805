import type { Command } from "commander";
import { KubesnapError } from "../../core/errors.js";
import { KUBESNAP_VERSION } from "../../core/version.js";
import { completionScript, SHELLS } from "../completion.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";

export function registerMisc(program: Command, run: Runner): void {
  program
    .command("version")
    .description("Print kubesnap's version")
    .action(() =>
      run(async (ctx) => {
        println(ctx.io.stdout, `Client:\n\tVersion: ${KUBESNAP_VERSION}\n\tNode.js: ${process.version}`);
        return 0;
      }),
    );
  program
    .command("completion")
    .argument("<shell>", SHELLS.join("|"))
    .description("Print a shell completion script: source <(kubesnap completion bash)")
    .action((shell: string) =>
      run(async (ctx) => {
        if (!(SHELLS as readonly string[]).includes(shell)) {
          throw new KubesnapError("InvalidInput", `No completion for shell "${shell}"`, {
            hint: `use one of: ${SHELLS.join(", ")}`,
          });
        }
        ctx.io.stdout.write(completionScript(shell as (typeof SHELLS)[number], program));
        return 0;
      }),
    );
}
