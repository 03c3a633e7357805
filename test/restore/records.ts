import { expect } from "vitest";
import type { BackupRecord } from "../../src/backup/record.js";
import type { RestoreRecord } from "../../src/restore/record.js";
import { kubesnap, kubesnapOk } from "../cli.js";

/** `backup describe NAME -o json`: the record, with the groups the backup holds. */
export async function backupRecord(name: string, ...global: string[]): Promise<BackupRecord> {
  const out = await kubesnapOk(...global, "backup", "describe", name, "-o", "json");
  return JSON.parse(out.stdout) as BackupRecord;
}

/** `restore describe NAME -o json`. */
export async function restoreRecord(name: string, ...global: string[]): Promise<RestoreRecord> {
  const out = await kubesnapOk(...global, "restore", "describe", name, "-o", "json");
  return JSON.parse(out.stdout) as RestoreRecord;
}

/** What a backup holds, one "resource namespace=count" line per group (cluster-scoped: "-"), sorted. */
export function groupLines(record: BackupRecord): string[] {
  return record.groups
    .map((g) => {
      const resource = g.type.group === "" ? g.type.resource : `${g.type.resource}.${g.type.group}`;
      return `${resource} ${g.namespace ?? "-"}=${g.count}`;
    })
    .sort();
}

/** Creates a backup and checks it Completed with no errors. */
export async function backupOk(name: string, ...flags: string[]): Promise<BackupRecord> {
  const out = await kubesnap("backup", "create", name, ...flags, "-o", "json");
  expect(out.code, `backup create ${name} ${flags.join(" ")}\n${out.stdout}\n${out.stderr}`).toBe(0);
  const record = JSON.parse(out.stdout) as BackupRecord;
  expect(record.status).toMatchObject({ phase: "Completed", errors: 0 });
  return record;
}

export interface RestoreRun {
  readonly record: RestoreRecord;
  /** `restore describe NAME` as printed. */
  readonly describe: string;
  /** The lines of its Warnings and Errors sections. */
  readonly warnings: string[];
  readonly errors: string[];
}

/**
 * Runs `restore create NAME --from-backup BACKUP FLAGS…` (with `global` flags such as
 * --kubeconfig before the command) and reads `restore describe` back. The exit code is
 * checked against the phase: 0 only for Completed.
 */
export async function restore(
  name: string,
  backup: string,
  flags: readonly string[] = [],
  global: readonly string[] = [],
): Promise<RestoreRun> {
  const out = await kubesnap(
    ...global,
    "restore",
    "create",
    name,
    "--from-backup",
    backup,
    ...flags,
    "-o",
    "json",
  );
  expect(out.stdout, out.stderr).not.toBe("");
  const record = JSON.parse(out.stdout) as RestoreRecord;
  expect(out.code, out.stderr).toBe(record.status.phase === "Completed" ? 0 : 1);
  const describe = (await kubesnapOk(...global, "restore", "describe", name)).stdout;
  return { record, describe, warnings: section(describe, "Warnings"), errors: section(describe, "Errors") };
}

/** The lines of one list section ("Errors (2):" …) of `restore describe`. */
function section(text: string, title: string): string[] {
  const lines = text.split("\n");
  const start = lines.findIndex((line) => line.startsWith(`${title} (`));
  if (start === -1) return [];
  const out: string[] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === "" || !/^\s/.test(line)) break;
    if (line.trim() !== "<none>") out.push(line.trim());
  }
  return out;
}
