export {
  type ApplyOptions,
  type ApplyOutcome,
  applyInstall,
  describeObject,
  FIELD_MANAGER,
  resourceTypeOf,
  type UninstallResult,
  uninstall,
} from "./apply.js";
export { type CredentialSource, type InstallOptions, installManifests } from "./manifests.js";
export * from "./names.js";
export { BACKUP_RULES, type ExplainedRule, type PolicyRule, RESTORE_RULES, serverRules } from "./rbac.js";
export { SERVER_SELECTOR } from "./server.js";
