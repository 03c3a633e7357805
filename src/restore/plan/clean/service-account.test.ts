import { describe, expect, it } from "vitest";
import { serviceAccount } from "../testing/objects.js";
import { dropLegacyTokenReferences } from "./service-account.js";

describe("dropLegacyTokenReferences", () => {
  it("drops references to the auto-generated token and keeps the others", () => {
    const sa = serviceAccount("shop", "builder", "u", {
      secrets: [
        { name: "builder-token-x7k2p" },
        { name: "builder-long-lived" },
        { name: "builder-dockercfg-abcde" },
      ],
      imagePullSecrets: [{ name: "registry" }],
    });
    dropLegacyTokenReferences(sa);
    expect(sa.secrets).toEqual([{ name: "builder-long-lived" }, { name: "builder-dockercfg-abcde" }]);
    expect(sa.imagePullSecrets).toEqual([{ name: "registry" }]);
  });

  it("removes the list when it only held the token", () => {
    const sa = serviceAccount("shop", "default", "u", { secrets: [{ name: "default-token-9zq8w" }] });
    dropLegacyTokenReferences(sa);
    expect(sa).not.toHaveProperty("secrets");
  });
});
