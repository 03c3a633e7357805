import { describe, expect, it } from "vitest";
import { errorOf as errorOfCode } from "../../core/error-of.test-helper.js";
import { mapNamespace, parseNamespaceMapping, validateNamespaceMapping } from "./namespace-mapping.js";

describe("parseNamespaceMapping", () => {
  it("parses pairs", () => {
    expect(parseNamespaceMapping("prod:staging,web:web-copy")).toEqual({ prod: "staging", web: "web-copy" });
  });

  it("tolerates whitespace and blank entries; empty input is the empty mapping", () => {
    expect(parseNamespaceMapping(" prod : staging , ")).toEqual({ prod: "staging" });
    expect(parseNamespaceMapping("")).toEqual({});
  });

  it("rejects entries that are not one source and one target", () => {
    expect(errorOf(() => parseNamespaceMapping("prod")).message).toBe(
      `Invalid namespace mapping "prod": entry "prod" must be exactly one source and one target separated by ':'`,
    );
    expect(errorOf(() => parseNamespaceMapping("a:b:c")).message).toMatch(/entry "a:b:c"/);
  });

  it("rejects names that are not DNS-1123 labels", () => {
    expect(errorOf(() => parseNamespaceMapping("prod:Staging")).message).toBe(
      `Invalid namespace mapping "prod:Staging": target namespace "Staging" must consist of lower-case letters, ` +
        "digits and '-', and start and end with a letter or digit",
    );
    expect(errorOf(() => parseNamespaceMapping(":b")).message).toMatch(
      /source namespace "" must not be empty/,
    );
    expect(errorOf(() => parseNamespaceMapping(`a:${"n".repeat(64)}`)).message).toMatch(
      /at most 63 characters/,
    );
    expect(errorOf(() => parseNamespaceMapping("a.b:c")).message).toMatch(/source namespace "a.b"/);
  });

  it("rejects a source mapped twice", () => {
    expect(errorOf(() => parseNamespaceMapping("a:b,a:c")).message).toMatch(
      /source namespace "a" is mapped twice/,
    );
  });

  it("rejects two sources with the same target", () => {
    const error = errorOf(() => parseNamespaceMapping("a:shared,b:shared"));
    expect(error.message).toBe(
      `Invalid namespace mapping "a:shared,b:shared": namespaces "a" and "b" are both mapped to "shared"`,
    );
  });
});

describe("validateNamespaceMapping", () => {
  it("validates mappings that come as objects (a Restore spec)", () => {
    expect(() => validateNamespaceMapping({ shop: "shop-restored" })).not.toThrow();
    expect(errorOf(() => validateNamespaceMapping({ shop: "Shop" })).message).toMatch(
      /^Invalid namespace mapping: /,
    );
  });
});

describe("mapNamespace", () => {
  it("maps listed namespaces and keeps the others", () => {
    expect(mapNamespace({ shop: "shop-restored" }, "shop")).toBe("shop-restored");
    expect(mapNamespace({ shop: "shop-restored" }, "web")).toBe("web");
    // Inherited object properties are not mappings.
    expect(mapNamespace({}, "constructor")).toBe("constructor");
  });
});

function errorOf(fn: () => unknown) {
  return errorOfCode(fn, "InvalidInput");
}
