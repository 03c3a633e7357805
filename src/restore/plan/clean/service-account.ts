import type { KubeObject } from "../../../core/kube-types.js";
import { getString } from "../json.js";
import { isLegacyTokenName } from "../skip-rules.js";

/**
 * A ServiceAccount lists its auto-generated legacy token Secret in `secrets`. That
 * Secret is not restored (skip-rules.ts), and a dangling reference makes clusters that
 * still generate tokens believe the account already has one. Other entries (tokens made
 * by hand, which are restored) stay.
 */
export function dropLegacyTokenReferences(account: KubeObject): void {
  if (!Array.isArray(account.secrets)) return;
  const name = account.metadata.name;
  account.secrets = account.secrets.filter((ref) => !isLegacyTokenName(getString(ref, "name") ?? "", name));
  if ((account.secrets as unknown[]).length === 0) delete account.secrets;
}
