import { parse } from "yaml";
import type { Infer } from "../api/schema.js";
import { validate } from "../api/validate.js";
import { VOLUME_ACTIONS, volumePolicySchema } from "../api/volume-policy.js";
import { KubesnapError } from "../core/errors.js";

export type VolumeAction = (typeof VOLUME_ACTIONS)[number];
/** One rule: conditions (storage class, CSI driver, PVC labels) and the action they choose. */
export type VolumePolicy = Infer<typeof volumePolicySchema>;

/** What a policy looks at: a PVC and the volume bound to it. */
export interface VolumeFacts {
  readonly storageClass?: string;
  /** Absent for a volume that is not a CSI volume (or a claim not bound yet). */
  readonly csiDriver?: string;
  readonly labels: Readonly<Record<string, string>>;
}

/** The action for one volume, and why, in words for the backup's log and record. */
export interface VolumeDecision {
  readonly action: VolumeAction;
  readonly because: string;
}

export interface PolicyOptions {
  readonly policies: readonly VolumePolicy[];
  /** --snapshot-volumes: false turns CSI snapshots off, whatever a policy says. */
  readonly snapshotVolumes: boolean;
}

/**
 * Decides what happens to a volume's data. The first policy whose conditions all hold wins;
 * a volume no policy matches is snapshotted, as Velero does with CSI. Snapshots turned off
 * make "snapshot" a skip with that reason, so the backup says why a volume has no data.
 */
export function decideVolume(facts: VolumeFacts, options: PolicyOptions): VolumeDecision {
  const index = options.policies.findIndex((policy) => matches(policy, facts));
  const policy = options.policies[index];
  const decision: VolumeDecision = policy
    ? { action: policy.action.type, because: `volume policy ${index + 1} chose ${policy.action.type}` }
    : { action: "snapshot", because: "no volume policy matched; snapshot is the default" };
  if (decision.action === "snapshot" && !options.snapshotVolumes) {
    return { action: "skip", because: "volume snapshots are turned off (--snapshot-volumes=false)" };
  }
  return decision;
}

function matches(policy: VolumePolicy, facts: VolumeFacts): boolean {
  const { storageClass, csi, pvcLabels } = policy.conditions;
  if (storageClass && (facts.storageClass === undefined || !storageClass.includes(facts.storageClass)))
    return false;
  if (csi && facts.csiDriver !== csi.driver) return false;
  for (const [key, value] of Object.entries(pvcLabels ?? {})) {
    if (facts.labels[key] !== value) return false;
  }
  return true;
}

/**
 * Reads a volume policy file: Velero's resource-policy document (`version: v1` and
 * `volumePolicies:`), as YAML or JSON. Every problem is reported with its path, and the file
 * is refused whole: a half-understood policy could skip data the user meant to keep.
 */
export function parseVolumePolicies(text: string, source: string): VolumePolicy[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    throw invalid(source, `it is not YAML: ${(err as Error).message}`, err);
  }
  if (typeof document !== "object" || document === null || Array.isArray(document)) {
    throw invalid(source, "it must be a mapping with version: v1 and volumePolicies");
  }
  const { version, volumePolicies, ...rest } = document as Record<string, unknown>;
  if (version !== "v1") throw invalid(source, `version must be v1, not ${JSON.stringify(version)}`);
  const unknown = Object.keys(rest);
  if (unknown.length > 0) throw invalid(source, `it has unknown fields: ${unknown.join(", ")}`);
  if (!Array.isArray(volumePolicies)) throw invalid(source, "volumePolicies must be a list");
  const problems = volumePolicies.flatMap((policy, i) =>
    validate(volumePolicySchema, policy, `volumePolicies[${i}]`),
  );
  if (problems.length > 0) throw invalid(source, problems.join("; "));
  return volumePolicies as VolumePolicy[];
}

function invalid(source: string, problem: string, cause?: unknown): KubesnapError {
  return new KubesnapError("InvalidInput", `Volume policy ${source} is invalid: ${problem}`, {
    hint: `write volumePolicies entries with conditions (storageClass, csi.driver, pvcLabels) and action.type ${VOLUME_ACTIONS.join(" | ")}`,
    ...(cause === undefined ? {} : { cause }),
  });
}
