import { mkdtempSync } from "node:fs";
import { join } from "node:path";
import { Writable } from "node:stream";
import { main } from "../src/cli/main.js";
import type { ClusterInfo } from "../testenv/env-info.js";
import { scratchDir } from "./context.js";

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

class Capture extends Writable {
  text = "";
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString("utf8");
    done();
  }
}

/** Runs the real CLI in this process, as a user would type it, and captures what it prints. */
export async function kubesnap(...args: string[]): Promise<CliResult> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(args, { stdout, stderr });
  return { code, stdout: stdout.text, stderr: stderr.text };
}

/** Like kubesnap(), but fails the test with the CLI's output when the command fails. */
export async function kubesnapOk(...args: string[]): Promise<CliResult> {
  const result = await kubesnap(...args);
  if (result.code !== 0) {
    throw new Error(`kubesnap ${args.join(" ")} exited ${result.code}\n${result.stdout}\n${result.stderr}`);
  }
  return result;
}

/**
 * Gives this test file its own local-mode config and embedded default location (a temp
 * dir) and points the CLI at a cluster. Vitest runs each file in its own process, so the
 * environment variables stay within the file.
 */
export function isolateCli(cluster: ClusterInfo): { home: string; defaultLocation: string } {
  const home = mkdtempSync(join(scratchDir(), "kubesnap-cli-"));
  process.env.XDG_CONFIG_HOME = join(home, "config");
  process.env.XDG_DATA_HOME = join(home, "data");
  process.env.KUBECONFIG = cluster.kubeconfig;
  return { home, defaultLocation: join(home, "data", "kubesnap", "default") };
}

/** The objects of `get -o json`: one object prints as itself, several as a kubectl List. */
export function jsonObjects<T>(stdout: string): T[] {
  const parsed = JSON.parse(stdout) as { kind?: string; items?: T[] };
  return parsed.kind === "List" ? (parsed.items ?? []) : [parsed as T];
}
