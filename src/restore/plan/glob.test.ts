import { describe, expect, it } from "vitest";
import { isKubesnapError } from "../../core/errors.js";
import { globMatch, validateGlob } from "./glob.js";

describe("globMatch", () => {
  it("matches everything with *", () => {
    expect(globMatch("*", "kube-system")).toBe(true);
    expect(globMatch("*", "")).toBe(true);
  });

  it("matches literal names exactly", () => {
    expect(globMatch("shop", "shop")).toBe(true);
    expect(globMatch("shop", "shop-staging")).toBe(false);
    expect(globMatch("shop", "my-shop")).toBe(false);
  });

  it("matches prefixes, suffixes and infixes with *", () => {
    expect(globMatch("team-*", "team-a")).toBe(true);
    expect(globMatch("team-*", "team-")).toBe(true);
    expect(globMatch("team-*", "teams")).toBe(false);
    expect(globMatch("*-prod", "web-prod")).toBe(true);
    expect(globMatch("kube-*-lease", "kube-node-lease")).toBe(true);
  });

  it("matches one character with ?", () => {
    expect(globMatch("ns-?", "ns-1")).toBe(true);
    expect(globMatch("ns-?", "ns-12")).toBe(false);
  });

  it("matches character sets, ranges and negated sets", () => {
    expect(globMatch("team-[ab]", "team-a")).toBe(true);
    expect(globMatch("team-[ab]", "team-c")).toBe(false);
    expect(globMatch("env-[0-9]", "env-7")).toBe(true);
    expect(globMatch("env-[!0-9]", "env-7")).toBe(false);
    expect(globMatch("env-[!0-9]", "env-x")).toBe(true);
  });

  it("treats regex metacharacters as themselves", () => {
    expect(globMatch("a.b", "a.b")).toBe(true);
    expect(globMatch("a.b", "axb")).toBe(false);
    expect(globMatch("a+", "aa")).toBe(false);
  });

  it("rejects an unclosed character set", () => {
    let error: unknown;
    try {
      validateGlob("team-[ab");
    } catch (caught) {
      error = caught;
    }
    expect(isKubesnapError(error, "InvalidInput")).toBe(true);
    expect((error as Error).message).toBe(`Invalid pattern "team-[ab": '[' at position 6 is never closed`);
  });
});
