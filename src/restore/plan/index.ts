/**
 * The pure planning step of restore: read → plan (here, no I/O) → apply.
 *
 * Pass 1 of a restore turns every backed-up object into an ItemMeta (`toItemMeta`) and
 * `planRestore` decides what is restored, where and in which tier. Pass 2 streams each
 * restored object through `prepareItem` and the apply step creates it tier by tier;
 * when a create answers AlreadyExists, `decideExisting` says whether to patch.
 */
export type { CleanContext, CleanRule } from "./clean/context.js";
export type { NewVolume } from "./clean/persistent-volume-claim.js";
export { CLEAN_RULES, groupKind } from "./clean/table.js";
export type {
  ItemDecision,
  NamespaceToCreate,
  OwnerLink,
  PlannedItem,
  PlanSummary,
  RestoreDecision,
  RestorePlan,
  SkipDecision,
  SkipReason,
} from "./decision.js";
export { SKIP_REASONS } from "./decision.js";
export { decideExisting, type ExistingDecision, type ExistingOptions } from "./existing.js";
export { globMatch } from "./glob.js";
export {
  describeItem,
  type ItemFacts,
  type ItemMeta,
  itemRef,
  type JobFacts,
  type PersistentVolumeClaimFacts,
  type PodFacts,
  type SecretFacts,
  type ServiceFacts,
  toItemMeta,
} from "./item-meta.js";
export type { JsonObject } from "./json.js";
export {
  type LabelSelector,
  type LabelSelectorRequirement,
  matchesAnySelector,
  matchesSelector,
  parseLabelSelector,
  parseOrSelectors,
  type SelectorOperator,
  validateLabelSelector,
} from "./label-selector.js";
export { applyMergePatch, createMergePatch, isEmptyPatch } from "./merge-patch.js";
export {
  mapNamespace,
  type NamespaceMapping,
  parseNamespaceMapping,
  validateNamespaceMapping,
} from "./namespace-mapping.js";
export {
  type ExistingResourcePolicy,
  type ResolvedRestoreOptions,
  type RestoreOptions,
  resolveRestoreOptions,
} from "./options.js";
export type { RestoreTier } from "./order.js";
export { planRestore } from "./plan.js";
export { blankNamespace, normalizeForCompare, type PrepareContext, prepareItem } from "./prepare.js";
export { NEVER_RESTORED, NEVER_RESTORED_GROUPS } from "./resources.js";
export { BACKUP_NAME_LABEL, labelValueFor, RESTORE_NAME_LABEL } from "./restore-labels.js";
export { SYSTEM_NAMESPACES } from "./skip-rules.js";
