import type { Command } from "commander";
import type { KubeClient } from "../../cluster/client.js";
import { connect } from "../../cluster/connect.js";
import { isKubesnapError, KubesnapError } from "../../core/errors.js";
import {
  BYPASS_ANNOTATION,
  listProtected,
  type ProtectedKind,
  protect,
  type Selection,
  unprotect,
} from "../../protect/index.js";
import { webhookConfigurationName } from "../../server/webhook-config.js";
import type { CommandContext } from "../context.js";
import { selectorFlag } from "../flags.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { printList } from "../print.js";

/** `protect namespace`, `protect crd`: the nouns as users type them, and what they label. */
const NOUNS: readonly { noun: string; kind: ProtectedKind; what: string; selector: boolean }[] = [
  { noun: "namespace", kind: "Namespace", what: "namespace", selector: true },
  { noun: "crd", kind: "CustomResourceDefinition", what: "CustomResourceDefinition", selector: false },
];

interface Flags {
  selector?: string;
  allowSystemNamespace?: boolean;
  ttl?: string;
}

async function withClient<T>(ctx: CommandContext, fn: (client: KubeClient) => Promise<T>): Promise<T> {
  const client = await connect(ctx.connect);
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

function selection(names: string[], flags: Flags): Selection {
  const selector = selectorFlag(flags.selector);
  if (selector && names.length > 0) {
    throw new KubesnapError("InvalidInput", "give names or --selector, not both");
  }
  if (selector) return { selector };
  if (names.length === 0)
    throw new KubesnapError("InvalidInput", "name at least one object, or give --selector");
  return { names };
}

/**
 * Protection works only while a kubesnap server has registered its webhook: say so at once,
 * rather than when a deletion goes through without a backup.
 */
async function warnIfUnregistered(ctx: CommandContext, client: KubeClient): Promise<void> {
  const name = webhookConfigurationName(ctx.serverNamespace);
  try {
    await client.get(`/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations/${name}`);
  } catch (err) {
    if (!isKubesnapError(err, "NotFound")) throw err;
    println(
      ctx.io.stderr,
      `Warning: no kubesnap server in namespace ${ctx.serverNamespace} has registered its pre-delete webhook ` +
        `(ValidatingWebhookConfiguration ${name}); until one runs with --webhook-listen, deleting these takes no backup`,
    );
  }
}

export function registerProtect(program: Command, run: Runner): void {
  const protectCmd = program
    .command("protect")
    .description("Make deleting a namespace or CRD first take a backup (run by the kubesnap server)");
  const unprotectCmd = program.command("unprotect").description("Stop protecting namespaces or CRDs");
  for (const { noun, kind, what, selector } of NOUNS) {
    const add = protectCmd
      .command(noun)
      .argument(`[names...]`)
      .description(`Protect ${what}s: deleting one first takes a backup named pre-delete-NAME-TIME`)
      .option("--ttl <duration>", "keep the pre-delete backup this long (default: the backup default, 720h)");
    if (selector) {
      add
        .option("-l, --selector <selector>", `protect every ${what} these labels match now`)
        .option(
          "--allow-system-namespace",
          "also protect kube-system, default, kube-public, kube-node-lease or kubesnap's own namespace",
        );
    }
    add.action((names: string[], flags: Flags) =>
      run((ctx) =>
        withClient(ctx, async (client) => {
          const result = await protect(client, kind, selection(names, flags), {
            serverNamespace: ctx.serverNamespace,
            allowSystemNamespace: flags.allowSystemNamespace === true,
            ...(flags.ttl !== undefined ? { ttl: flags.ttl } : {}),
          });
          for (const name of result.changed) println(ctx.io.stdout, `${kind} "${name}" is protected`);
          for (const name of result.skipped) {
            println(
              ctx.io.stderr,
              `Skipped ${kind} "${name}": a system namespace (use --allow-system-namespace)`,
            );
          }
          if (result.changed.length === 0) println(ctx.io.stdout, `No ${what} matched`);
          else await warnIfUnregistered(ctx, client);
          return 0;
        }),
      ),
    );
    const remove = unprotectCmd.command(noun).argument("[names...]").description(`Stop protecting ${what}s`);
    if (selector) remove.option("-l, --selector <selector>", `every ${what} these labels match`);
    remove.action((names: string[], flags: Flags) =>
      run((ctx) =>
        withClient(ctx, async (client) => {
          const changed = await unprotect(client, kind, selection(names, flags));
          for (const name of changed) println(ctx.io.stdout, `${kind} "${name}" is no longer protected`);
          if (changed.length === 0) println(ctx.io.stdout, `No ${what} matched`);
          return 0;
        }),
      ),
    );
  }
  protectCmd
    .command("list")
    .description("List protected namespaces and CRDs")
    .option("-o, --output <format>", "table, json or yaml")
    .action((flags: { output?: string }) =>
      run((ctx) =>
        withClient(ctx, async (client) => {
          printList(ctx.io, flags.output, await listProtected(client), {
            columns: ["Kind", "Name", "Backup TTL", "Bypass"],
            // The bypass annotation lets the next deletion through without a backup: worth seeing.
            row: (o) => [o.kind, o.name, o.ttl ?? "default", o.bypass ? `${BYPASS_ANNOTATION}=true` : ""],
            empty: "No protected namespaces or CRDs",
          });
          return 0;
        }),
      ),
    );
}
