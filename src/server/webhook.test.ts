import { describe, expect, it } from "vitest";
import { parseReview, servingNames } from "./webhook.js";

describe("parseReview", () => {
  const request = {
    uid: "u",
    kind: { group: "", version: "v1", kind: "Namespace" },
    operation: "DELETE",
    oldObject: { apiVersion: "v1", kind: "Namespace", metadata: { name: "prod" } },
  };

  it("takes an AdmissionReview's request", () => {
    expect(parseReview(JSON.stringify({ kind: "AdmissionReview", request }))).toEqual(request);
  });

  it("refuses what is not one, saying so", () => {
    expect(() => parseReview("{")).toThrow(/not JSON/);
    expect(() => parseReview(JSON.stringify({ request: { ...request, uid: 1 } }))).toThrow(/AdmissionReview/);
    expect(() =>
      parseReview(JSON.stringify({ request: { ...request, oldObject: { metadata: {} } } })),
    ).toThrow(/oldObject/);
  });
});

describe("servingNames", () => {
  it("names the URL's host, or the Service's DNS names", () => {
    expect(servingNames({ url: "https://127.0.0.1:9443/validate-delete" }, "ks")).toEqual(["127.0.0.1"]);
    expect(servingNames({ url: "https://[::1]:9443/validate-delete" }, "ks")).toEqual(["::1"]);
    expect(servingNames({ service: { name: "kubesnap", port: 443 } }, "ks")).toEqual([
      "kubesnap.ks.svc",
      "kubesnap.ks.svc.cluster.local",
    ]);
  });
});
