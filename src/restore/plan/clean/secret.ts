import type { KubeObject } from "../../../core/kube-types.js";
import { getRecord } from "../json.js";

const TOKEN_TYPE = "kubernetes.io/service-account-token";

/**
 * A service-account-token Secret made by hand (auto-generated ones are skipped) holds a
 * token signed by the old cluster for the old ServiceAccount uid: useless here. The token
 * controller fills in token, ca.crt and namespace when they are missing, but it DELETES a
 * token Secret whose kubernetes.io/service-account.uid annotation names another uid, so
 * that annotation goes too. (The ServiceAccount must exist first, which the order ensures.)
 */
export function emptyServiceAccountToken(secret: KubeObject): void {
  if (secret.type !== TOKEN_TYPE) return;
  const data = getRecord(secret, "data");
  if (data !== undefined) {
    delete data.token;
    delete data["ca.crt"];
    delete data.namespace;
    if (Object.keys(data).length === 0) delete secret.data;
  }
  const annotations = secret.metadata.annotations;
  if (annotations !== undefined) delete annotations["kubernetes.io/service-account.uid"];
}
