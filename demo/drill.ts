/**
 * npm run demo: the disaster drill on the embedded default location. Starts a real
 * cluster on loopback, deploys the nginx example, backs it up, deletes the namespace,
 * restores it, and shows it back. Every step is the real CLI, printed as you would type it.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { startEnvironment } from "../testenv/environment.js";
import { repoRoot } from "../testenv/paths.js";

const root = repoRoot();
const cli = join(root, "bin", "kubesnap.js");

function step(title: string): void {
  console.log(`\n=== ${title}`);
}

/** Runs a command as a user would, showing it first; fails the drill if it fails. */
function sh(env: NodeJS.ProcessEnv, command: string, args: string[]): void {
  console.log(`$ ${command} ${args.join(" ")}`);
  const result = spawnSync(
    command === "kubesnap" ? process.execPath : command,
    command === "kubesnap" ? [cli, ...args] : args,
    {
      env,
      stdio: "inherit",
    },
  );
  const code = result.status ?? 1;
  if (code !== 0) throw new Error(`drill: \`${command} ${args.join(" ")}\` exited with ${code}`);
}

async function main(): Promise<void> {
  step("Starting a Kubernetes cluster on loopback (the test environment)");
  const env = await startEnvironment(join(root, ".testenv", "demo"), { clusters: 1 });
  const shellEnv = { ...process.env, KUBECONFIG: env.info.clusters[0]?.kubeconfig ?? "" };
  try {
    sh(shellEnv, "kubectl", ["get", "ns"]);

    step("Deploying the nginx example");
    sh(shellEnv, "kubectl", ["apply", "-f", join(root, "demo", "nginx-example.yaml")]);
    // No nodes run Pods here: they stay Pending. The objects are what the drill is about.
    await new Promise((resolve) => setTimeout(resolve, 2000));
    sh(shellEnv, "kubectl", ["-n", "nginx-example", "get", "deployments,replicasets,pods,services"]);

    step("Backing up everything labelled app=nginx to the embedded default location");
    // A previous drill on this machine left its backup behind; the name must be free.
    const previous = spawnSync(process.execPath, [cli, "backup", "get", "nginx-backup"], {
      env: shellEnv,
      stdio: "ignore",
    });
    if (previous.status === 0) sh(shellEnv, "kubesnap", ["backup", "delete", "nginx-backup", "--confirm"]);
    sh(shellEnv, "kubesnap", ["backup", "create", "nginx-backup", "--selector", "app=nginx"]);
    sh(shellEnv, "kubesnap", ["backup", "get"]);

    step("Disaster: the namespace is deleted");
    sh(shellEnv, "kubectl", ["delete", "namespace", "nginx-example"]);
    sh(shellEnv, "kubectl", ["get", "ns"]);

    step("Restoring");
    sh(shellEnv, "kubesnap", ["restore", "create", "--from-backup", "nginx-backup"]);
    sh(shellEnv, "kubesnap", ["restore", "get"]);

    step("The namespace is back; its controllers recreate the ReplicaSet and the Pods");
    sh(shellEnv, "kubectl", ["-n", "nginx-example", "get", "deployments,replicasets,pods,services"]);
    console.log("\nDrill complete.");
  } finally {
    await env.stop();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exitCode = 1;
});
