import { readFileSync } from "node:fs";
import { parseDuration } from "../core/duration.js";
import { KubesnapError } from "../core/errors.js";
import { parseList } from "../core/kv.js";
import { validateGlob } from "../restore/plan/glob.js";
import { parseLabelSelector } from "../restore/plan/label-selector.js";
import { parseVolumePolicies, type VolumeOptions } from "../volumes/index.js";

/** Flag values shared by several commands, validated once with messages that name the flag. */

export function listFlag(value: string | undefined, fallback: readonly string[] = []): string[] {
  return value === undefined ? [...fallback] : parseList(value);
}

export function namespaceGlobs(
  flag: string,
  value: string | undefined,
  fallback: readonly string[],
): string[] {
  const globs = listFlag(value, fallback);
  for (const glob of globs) {
    try {
      validateGlob(glob);
    } catch (err) {
      throw new KubesnapError("InvalidInput", `${flag}: ${(err as Error).message}`, { cause: err });
    }
  }
  return globs;
}

/** A label selector as the API server takes it, checked here so a typo fails before any work. */
export function selectorFlag(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  parseLabelSelector(value);
  return value.trim();
}

/** Velero's --or-selector: "app=a or tier=web". */
export function orSelectorFlag(value: string | undefined): string[] | undefined {
  if (value === undefined || value.trim() === "") return undefined;
  const alternatives = value.split(/\s+or\s+/).map((s) => s.trim());
  for (const alternative of alternatives) parseLabelSelector(alternative);
  return alternatives;
}

export function boolOrAuto(flag: string, value: string | boolean | undefined): "true" | "false" | "auto" {
  if (value === undefined) return "auto";
  if (value === true || value === "true") return "true";
  if (value === false || value === "false") return "false";
  if (value === "auto") return "auto";
  throw new KubesnapError("InvalidInput", `${flag} takes true, false or auto, not "${String(value)}"`);
}

export function boolFlag(flag: string, value: string | boolean | undefined, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (value === true || value === "true") return true;
  if (value === false || value === "false") return false;
  throw new KubesnapError("InvalidInput", `${flag} takes true or false, not "${String(value)}"`);
}

/** The filter flags that `backup create`, `schedule create` and `restore create` share. */
export interface FilterFlags {
  selector?: string;
  orSelector?: string;
  includeNamespaces?: string;
  excludeNamespaces?: string;
  includeResources?: string;
  excludeResources?: string;
  includeClusterResources?: string | boolean;
}

/** The spec fields those flags set, in the shape backup and restore specs share. */
export function filterSpec(flags: FilterFlags) {
  const labelSelector = selectorFlag(flags.selector);
  const orLabelSelectors = orSelectorFlag(flags.orSelector);
  if (labelSelector && orLabelSelectors) {
    throw new KubesnapError("InvalidInput", "--selector and --or-selector cannot be used together", {
      hint: 'put the selector among the alternatives: --or-selector "a=b or c=d"',
    });
  }
  return {
    includedNamespaces: namespaceGlobs("--include-namespaces", flags.includeNamespaces, ["*"]),
    excludedNamespaces: namespaceGlobs("--exclude-namespaces", flags.excludeNamespaces, []),
    includedResources: listFlag(flags.includeResources, ["*"]),
    excludedResources: listFlag(flags.excludeResources),
    includeClusterResources: boolOrAuto("--include-cluster-resources", flags.includeClusterResources),
    ...(labelSelector ? { labelSelector } : {}),
    ...(orLabelSelectors ? { orLabelSelectors } : {}),
  };
}

/** The volume flags that `backup create` and `schedule create` share. */
export interface VolumeFlags {
  snapshotVolumes?: string | boolean;
  snapshotClass?: string;
  itemOperationTimeout?: string;
  volumePolicy?: string;
  defaultVolumesToFsBackup?: string | boolean;
}

/** The spec's volume options from those flags; the policy file is read and checked here. */
export function volumeSpec(flags: VolumeFlags): VolumeOptions {
  return {
    ...(flags.snapshotVolumes !== undefined
      ? { snapshotVolumes: boolFlag("--snapshot-volumes", flags.snapshotVolumes, true) }
      : {}),
    ...(flags.snapshotClass ? { snapshotClass: flags.snapshotClass } : {}),
    ...(flags.itemOperationTimeout !== undefined
      ? {
          itemOperationTimeoutMs: parseDuration(flags.itemOperationTimeout, {
            what: "--item-operation-timeout",
          }),
        }
      : {}),
    ...(flags.volumePolicy !== undefined ? { volumePolicies: readVolumePolicy(flags.volumePolicy) } : {}),
    ...(flags.defaultVolumesToFsBackup !== undefined
      ? {
          defaultVolumesToFsBackup: boolFlag(
            "--default-volumes-to-fs-backup",
            flags.defaultVolumesToFsBackup,
            true,
          ),
        }
      : {}),
  };
}

function readVolumePolicy(path: string) {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    throw new KubesnapError("InvalidInput", `--volume-policy: cannot read ${path}`, {
      hint: "name a YAML file with version: v1 and volumePolicies (Velero's resource-policy format)",
      cause: err,
    });
  }
  return parseVolumePolicies(text, path);
}

/** "5%" or "5": a share of a backup's data to read, in whole percent from 1 to 100. */
export function samplePercentFlag(flag: string, value: string): number {
  const match = /^(\d{1,3})%?$/.exec(value.trim());
  const percent = Number(match?.[1]);
  if (!match || percent < 1 || percent > 100) {
    throw new KubesnapError("InvalidInput", `${flag} takes a percentage from 1% to 100%, not "${value}"`, {
      hint: `e.g. ${flag} 5%`,
    });
  }
  return percent;
}
