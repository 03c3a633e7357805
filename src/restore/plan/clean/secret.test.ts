import { describe, expect, it } from "vitest";
import { serviceAccountTokenSecret } from "../testing/objects.js";
import { emptyServiceAccountToken } from "./secret.js";

describe("emptyServiceAccountToken", () => {
  it("removes the old token and the old account uid so the token controller issues a new one", () => {
    const secret = serviceAccountTokenSecret("ci", "deployer-long-lived", "u", "deployer");
    emptyServiceAccountToken(secret);
    expect(secret).not.toHaveProperty("data");
    expect(secret.metadata.annotations).toEqual({ "kubernetes.io/service-account.name": "deployer" });
    expect(secret.type).toBe("kubernetes.io/service-account-token");
  });

  it("keeps extra data keys and leaves other Secret types alone", () => {
    const secret = serviceAccountTokenSecret("ci", "deployer-long-lived", "u", "deployer");
    (secret.data as Record<string, string>).extra = "eA==";
    emptyServiceAccountToken(secret);
    expect(secret.data).toEqual({ extra: "eA==" });

    const opaque = {
      apiVersion: "v1",
      kind: "Secret",
      type: "Opaque",
      metadata: { name: "x" },
      data: { token: "dA==" },
    };
    emptyServiceAccountToken(opaque);
    expect(opaque.data).toEqual({ token: "dA==" });
  });
});
