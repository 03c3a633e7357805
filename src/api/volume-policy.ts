import { s } from "./schema.js";

/** What a volume policy can choose for a PVC's volume. */
export const VOLUME_ACTIONS = ["snapshot", "fs-backup", "skip"] as const;

/**
 * One volume policy in Velero's resource-policy shape (`volumePolicies:` of its ConfigMap),
 * so a Velero policy file works as is: every condition given must hold, and the first policy
 * whose conditions hold decides. Velero's other conditions (capacity, nfs, volumeTypes) are
 * refused as unknown fields rather than ignored.
 */
export const volumePolicySchema = s.object({
  conditions: s.object(
    {
      storageClass: s.optional(
        s.array(s.string({ maxLength: 253 }), {
          description: "The PVC's storage class is one of these.",
          maxItems: 64,
        }),
      ),
      csi: s.optional(
        s.object(
          { driver: s.string({ maxLength: 63, description: "The CSI driver of the PVC's volume." }) },
          { description: "The volume is a CSI volume of this driver." },
        ),
      ),
      pvcLabels: s.optional(
        s.map(s.string({ maxLength: 63 }), {
          description: "The PVC has all of these labels.",
          maxProperties: 32,
        }),
      ),
    },
    { default: {}, description: "Every condition given must hold; none given matches every volume." },
  ),
  action: s.object({
    type: s.enum(VOLUME_ACTIONS, {
      description: "snapshot: a CSI snapshot; fs-backup: copy the files; skip: leave the data out.",
    }),
  }),
});
