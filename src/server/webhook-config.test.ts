import { describe, expect, it } from "vitest";
import { webhookConfiguration } from "./webhook-config.js";

const base = {
  namespace: "ks",
  caBundle: "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n",
  timeoutSeconds: 20,
};
type Hook = {
  name: string;
  clientConfig: Record<string, unknown>;
  rules: { resources: string[]; operations: string[] }[];
  objectSelector: {
    matchLabels: Record<string, string>;
    matchExpressions: { operator: string; values: string[] }[];
  };
  failurePolicy: string;
  sideEffects: string;
  timeoutSeconds: number;
};
const hooks = (o: ReturnType<typeof webhookConfiguration>) => o.webhooks as Hook[];

describe("webhookConfiguration", () => {
  it("sends only DELETEs of protected namespaces and CRDs, failing closed, within the timeout", () => {
    const config = webhookConfiguration({
      ...base,
      endpoint: { url: "https://127.0.0.1:9443/validate-delete" },
    });
    expect(config.metadata.name).toBe("kubesnap-ks-pre-delete");
    const [main, system] = hooks(config);
    expect(main?.rules.flatMap((r) => r.resources)).toEqual(["namespaces", "customresourcedefinitions"]);
    expect(main?.rules.every((r) => r.operations.join() === "DELETE")).toBe(true);
    expect(main).toMatchObject({ failurePolicy: "Fail", sideEffects: "NoneOnDryRun", timeoutSeconds: 20 });
    expect(main?.clientConfig).toEqual({
      url: "https://127.0.0.1:9443/validate-delete",
      caBundle: Buffer.from(base.caBundle).toString("base64"),
    });
    expect(main?.objectSelector.matchLabels).toEqual({ "kubesnap.io/protected": "true" });
    // System namespaces are left out of the first, and need their own label for the second.
    const systemNames = ["default", "ks", "kube-node-lease", "kube-public", "kube-system"];
    expect(main?.objectSelector.matchExpressions).toEqual([
      { key: "kubernetes.io/metadata.name", operator: "NotIn", values: systemNames },
    ]);
    expect(system?.rules.flatMap((r) => r.resources)).toEqual(["namespaces"]);
    expect(system?.objectSelector).toEqual({
      matchLabels: { "kubesnap.io/protected": "true", "kubesnap.io/protected-system-namespace": "true" },
      matchExpressions: [{ key: "kubernetes.io/metadata.name", operator: "In", values: systemNames }],
    });
  });

  it("reaches a server in the cluster through its Service, and is owned by the install's ClusterRole", () => {
    const config = webhookConfiguration({
      ...base,
      endpoint: { service: { name: "kubesnap", port: 443 } },
      owner: { name: "kubesnap-ks-backup", uid: "u-1" },
    });
    expect(hooks(config)[0]?.clientConfig.service).toEqual({
      namespace: "ks",
      name: "kubesnap",
      port: 443,
      path: "/validate-delete",
    });
    expect(config.metadata.ownerReferences).toEqual([
      {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "ClusterRole",
        name: "kubesnap-ks-backup",
        uid: "u-1",
      },
    ]);
  });
});
