import type { Claim, SnapshotClass, Volume } from "./csi/kinds.js";
import { chooseSnapshotClass } from "./csi/snapshot-class.js";
import type { SnapshotRequest } from "./csi/take.js";
import { decideVolume, type VolumeFacts, type VolumePolicy } from "./policy.js";
import type { SkippedVolume, VolumeClaim } from "./record.js";

/** A backed-up PVC and what the policy needs to know of it and of its volume. */
export interface ClaimFacts extends VolumeClaim, VolumeFacts {}

/** What the backup does with one claim's data; the pure plan of the volume step. */
export type VolumeStep =
  | { readonly kind: "snapshot"; readonly request: SnapshotRequest; readonly because: string }
  | { readonly kind: "fs-backup"; readonly claim: VolumeClaim; readonly because: string }
  /** warn: the user wanted the data (or did not say otherwise) and it cannot be taken. */
  | { readonly kind: "skip"; readonly record: SkippedVolume; readonly warn: boolean };

export interface VolumePlanContext {
  readonly policies: readonly VolumePolicy[];
  readonly snapshotVolumes: boolean;
  readonly snapshotClass?: string;
  /** The cluster's VolumeSnapshotClasses; undefined when it does not serve the snapshot API. */
  readonly classes: readonly SnapshotClass[] | undefined;
}

/** Reads the facts off a PVC and its PersistentVolume (undefined while the claim is unbound). */
export function claimFacts(claim: Claim, volume: Volume | undefined): ClaimFacts {
  const volumeName = claim.spec?.volumeName || undefined;
  const storageClass = claim.spec?.storageClassName || undefined;
  const csiDriver = volume?.spec?.csi?.driver || undefined;
  return {
    namespace: claim.metadata.namespace ?? "",
    pvc: claim.metadata.name,
    ...(volumeName ? { volumeName } : {}),
    ...(storageClass ? { storageClass } : {}),
    ...(csiDriver ? { csiDriver } : {}),
    labels: claim.metadata.labels ?? {},
  };
}

/**
 * One step per claim: the policy's choice, and for a snapshot whether it can be taken. A
 * volume that should be snapshotted but cannot (no CSI driver, no snapshot API, no class for
 * its driver) is skipped with the reason and a warning, never silently.
 */
export function planVolumes(claims: readonly ClaimFacts[], ctx: VolumePlanContext): VolumeStep[] {
  return claims.map((facts) => {
    const claim: VolumeClaim = {
      namespace: facts.namespace,
      pvc: facts.pvc,
      ...(facts.volumeName ? { volumeName: facts.volumeName } : {}),
    };
    const skip = (reason: string, warn: boolean): VolumeStep => ({
      kind: "skip",
      record: { kind: "skipped", ...claim, reason },
      warn,
    });
    const decision = decideVolume(facts, ctx);
    if (decision.action === "skip") return skip(decision.because, false);
    if (decision.action === "fs-backup") return { kind: "fs-backup", claim, because: decision.because };
    if (!facts.volumeName)
      return skip("the PVC is not bound to a volume: there is no data to snapshot", true);
    if (!facts.csiDriver) {
      return skip(`volume ${facts.volumeName} is not a CSI volume, so it cannot be snapshotted`, true);
    }
    if (ctx.classes === undefined) {
      return skip(
        "the cluster does not serve snapshot.storage.k8s.io (the VolumeSnapshot CRDs and snapshot controller are not installed)",
        true,
      );
    }
    const choice = chooseSnapshotClass(facts.csiDriver, ctx.classes, ctx.snapshotClass);
    if ("reason" in choice) return skip(choice.reason, true);
    return {
      kind: "snapshot",
      request: { ...claim, driver: facts.csiDriver, className: choice.name },
      because: decision.because,
    };
  });
}
