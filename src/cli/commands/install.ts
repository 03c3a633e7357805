import { readFile } from "node:fs/promises";
import type { Command } from "commander";
import { stringify } from "yaml";
import { connect } from "../../cluster/connect.js";
import { KubesnapError } from "../../core/errors.js";
import type { KubeObject } from "../../core/kube-types.js";
import { parseKeyValues } from "../../core/kv.js";
import { KUBESNAP_VERSION } from "../../core/version.js";
import {
  applyInstall,
  type CredentialSource,
  describeObject,
  type InstallOptions,
  installManifests,
  SERVER_NAME,
  uninstall,
} from "../../install/index.js";
import { checkCredentials, readKeyFile } from "../../locations/location.js";
import { DEFAULT_KUBELET_ROOT } from "../../nodeagent/index.js";
import { DEFAULT_WAITER } from "../../restore/apply/waits.js";
import { storageProviders } from "../../storage/index.js";
import type { CommandContext } from "../context.js";
import { println } from "../io.js";
import type { Runner } from "../main.js";
import { parseOutputFormat } from "../output/format.js";
import { confirm } from "../prompt.js";

interface InstallFlags {
  provider: string;
  bucket: string;
  prefix?: string;
  config?: string;
  secretFile?: string;
  /** false with --no-secret. */
  secret: boolean;
  image?: string;
  fileClaim?: string;
  encryptionKeyFile?: string;
  useNodeAgent?: boolean;
  kubeletRoot: string;
  dryRun?: boolean;
  output?: string;
}

export const DEFAULT_IMAGE = `kubesnap/kubesnap:${KUBESNAP_VERSION}`;

async function credentialsFrom(flags: InstallFlags): Promise<CredentialSource> {
  if (flags.secretFile !== undefined && !flags.secret) {
    throw new KubesnapError("InvalidInput", "--secret-file and --no-secret cannot be used together", {
      hint: "--no-secret leaves the Secret out for you to create; drop one of them",
    });
  }
  if (!flags.secret) return { from: "existing-secret" };
  if (flags.secretFile === undefined) return { from: "default-chain" };
  let content: string;
  try {
    content = await readFile(flags.secretFile, "utf8");
  } catch (err) {
    throw new KubesnapError("InvalidInput", `Cannot read --secret-file ${flags.secretFile}`, {
      hint: "point --secret-file at a readable credentials file (s3: AWS-style; gcs: a service-account JSON key; azure: AZURE_STORAGE_* lines)",
      cause: err,
    });
  }
  // Checked the way the server will read it; its errors name the location, never the content.
  checkCredentials(flags.provider, content, "default");
  return { from: "file", content };
}

async function optionsFrom(ctx: CommandContext, flags: InstallFlags): Promise<InstallOptions> {
  return {
    namespace: ctx.serverNamespace,
    provider: flags.provider,
    bucket: flags.bucket,
    ...(flags.prefix !== undefined ? { prefix: flags.prefix } : {}),
    config: flags.config ? parseKeyValues(flags.config, { what: "--config" }) : {},
    credentials: await credentialsFrom(flags),
    image: flags.image ?? DEFAULT_IMAGE,
    version: KUBESNAP_VERSION,
    ...(flags.fileClaim !== undefined ? { fileClaim: flags.fileClaim } : {}),
    ...(flags.encryptionKeyFile !== undefined
      ? { encryptionKey: (await readKeyFile(flags.encryptionKeyFile)).key }
      : {}),
    ...(flags.useNodeAgent ? { nodeAgent: { kubeletRoot: flags.kubeletRoot } } : {}),
  };
}

/** One YAML stream (documents separated by ---) or one kubectl List: what `kubectl apply -f` takes. */
function render(objects: readonly KubeObject[], output: string): string {
  const format = parseOutputFormat(output);
  if (format === "json")
    return `${JSON.stringify({ apiVersion: "v1", kind: "List", items: objects }, null, 2)}\n`;
  if (format === "yaml")
    return objects.map((o) => stringify(o, { indentSeq: false, lineWidth: 0 })).join("---\n");
  throw new KubesnapError("InvalidInput", "install --dry-run prints json or yaml, not a table", {
    hint: "use -o yaml or -o json",
  });
}

async function install(ctx: CommandContext, flags: InstallFlags): Promise<number> {
  if (flags.output !== undefined && !flags.dryRun) {
    throw new KubesnapError(
      "InvalidInput",
      "-o prints the install instead of applying it, so it needs --dry-run",
      {
        hint: "add --dry-run to print, or drop -o to install",
      },
    );
  }
  const objects = installManifests(await optionsFrom(ctx, flags));
  if (flags.dryRun) {
    ctx.io.stdout.write(render(objects, flags.output ?? "yaml"));
    return 0;
  }
  const client = await connect(ctx.connect);
  try {
    // Names and outcomes only: the Secret's content is never printed.
    await applyInstall(client, objects, {
      waiter: DEFAULT_WAITER,
      onApplied: (object, outcome) => println(ctx.io.stdout, `${describeObject(object)}: ${outcome}`),
    });
  } finally {
    client.close();
  }
  const ns = ctx.serverNamespace;
  println(
    ctx.io.stdout,
    `kubesnap is installed in namespace "${ns}". Run \`kubectl -n ${ns} rollout status deployment/${SERVER_NAME}\` ` +
      `to follow the server's start and \`kubectl -n ${ns} logs deployment/${SERVER_NAME}\` to see its logs.`,
  );
  return 0;
}

async function remove(ctx: CommandContext, flags: { confirm?: boolean }): Promise<number> {
  const ns = ctx.serverNamespace;
  const question =
    `Uninstall kubesnap from namespace "${ns}"? Its Backup, Restore and Schedule objects in the cluster ` +
    "are deleted; the backups in the bucket are not.";
  if (!flags.confirm && !(await confirm(ctx.io, question))) return 0;
  const client = await connect(ctx.connect);
  try {
    const result = await uninstall(client, ns, { waiter: DEFAULT_WAITER });
    for (const what of result.deleted) println(ctx.io.stdout, `${what}: deleted`);
    if (result.deleted.length === 0) {
      println(ctx.io.stdout, `kubesnap was not installed in namespace "${ns}"; nothing was deleted.`);
      return 0;
    }
    if (result.otherInstalls.length > 0) {
      println(
        ctx.io.stdout,
        `The kubesnap.io CRDs were kept: namespace(s) ${result.otherInstalls.join(", ")} still use them.`,
      );
    }
    println(
      ctx.io.stdout,
      `kubesnap is uninstalled from "${ns}"; the data in its storage locations was left alone.`,
    );
    return 0;
  } finally {
    client.close();
  }
}

/** `kubesnap install` and `kubesnap uninstall`; the namespace is the global -n/--namespace. */
export function registerInstall(program: Command, run: Runner): void {
  program
    .command("install")
    .description(
      "Install the kubesnap server, its CRDs and a default backup location (again: upgrade in place)",
    )
    .requiredOption("--provider <provider>", storageProviders.join(", "))
    .requiredOption("--bucket <bucket>", "bucket name (for file: the absolute directory, on --file-claim)")
    .option("--prefix <prefix>", "key prefix inside the bucket")
    .option(
      "--config <k=v,...>",
      "provider settings: s3 region, s3Url, s3ForcePathStyle; gcs endpoint, projectId; azure storageAccount, blobEndpoint",
    )
    .option(
      "--secret-file <file>",
      "credentials file (s3: AWS-style; gcs: service-account JSON key; azure: AZURE_STORAGE_* lines), stored as Secret kubesnap-credentials (without it: the SDK's default chain)",
    )
    .option(
      "--encryption-key-file <file>",
      "encrypt the location client-side under this key (32+ bytes), stored as Secret kubesnap-encryption-key",
    )
    .option(
      "--no-secret",
      "leave the Secret out (create kubesnap-credentials yourself); the location still names it",
    )
    .option("--image <image>", "server image", DEFAULT_IMAGE)
    .option("--file-claim <pvc>", "file provider: PersistentVolumeClaim mounted at --bucket")
    .option(
      "--use-node-agent",
      "also run the node agent on every node (a DaemonSet), for file-system backup of pod volumes",
    )
    .option(
      "--kubelet-root <dir>",
      "with --use-node-agent: the kubelet's --root-dir on the nodes",
      DEFAULT_KUBELET_ROOT,
    )
    .option("--dry-run", "print the objects instead of applying them (for GitOps; includes the Secret)")
    .option("-o, --output <format>", "with --dry-run: yaml (default) or json")
    .action((flags: InstallFlags) => run((ctx) => install(ctx, flags)));
  program
    .command("uninstall")
    .description("Remove the kubesnap server, its RBAC, namespace and CRDs; the buckets are left alone")
    .option("--confirm", "do not ask for confirmation")
    .action((flags: { confirm?: boolean }) => run((ctx) => remove(ctx, flags)));
}
