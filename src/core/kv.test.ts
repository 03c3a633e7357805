import { describe, expect, it } from "vitest";
import { errorOf } from "./error-of.test-helper.js";
import { parseKeyValues, parseList } from "./kv.js";

describe("parseKeyValues", () => {
  it("reads --labels and --config values", () => {
    expect(parseKeyValues("app=nginx,tier=web", { what: "--labels" })).toEqual({ app: "nginx", tier: "web" });
    expect(parseKeyValues("region=eu-west-1, s3ForcePathStyle=true ,", { what: "--config" })).toEqual({
      region: "eu-west-1",
      s3ForcePathStyle: "true",
    });
  });

  it("keeps everything after the first separator, and allows empty values", () => {
    expect(parseKeyValues("s3Url=http://minio:9000/?x=y", { what: "--config" })).toEqual({
      s3Url: "http://minio:9000/?x=y",
    });
    expect(parseKeyValues("example.com/flag=", { what: "--labels" })).toEqual({ "example.com/flag": "" });
  });

  it("returns an empty record for an empty value", () => {
    expect(parseKeyValues("", { what: "--labels" })).toEqual({});
  });

  it("keeps odd keys as plain data", () => {
    const parsed = parseKeyValues("__proto__=x", { what: "--labels" });
    expect(Object.keys(parsed)).toEqual(["__proto__"]);
    expect(Object.getOwnPropertyDescriptor(parsed, "__proto__")?.value).toBe("x");
    expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
  });

  it("reads namespace mappings with ':'", () => {
    expect(
      parseKeyValues("prod:staging,team-a:team-b", { what: "--namespace-mappings", separator: ":" }),
    ).toEqual({ prod: "staging", "team-a": "team-b" });
  });

  it("says which entry is wrong and shows a good value", () => {
    const err = errorOf(() => parseKeyValues("app=nginx,tier", { what: "--labels" }));
    expect(err.code).toBe("InvalidInput");
    expect(err.message).toBe('Invalid --labels "app=nginx,tier": "tier" has no "="');
    expect(err.hint).toBe("write key=value pairs separated by commas, e.g. app=nginx,tier=web");

    expect(errorOf(() => parseKeyValues("=web", { what: "--labels" })).message).toBe(
      'Invalid --labels "=web": "=web" has no key before "="',
    );
    expect(errorOf(() => parseKeyValues("app=a,app=b", { what: "--labels" })).message).toBe(
      'Invalid --labels "app=a,app=b": "app" is given twice ("a" and "b")',
    );
    const mapping = errorOf(() =>
      parseKeyValues("prod=staging", { what: "--namespace-mappings", separator: ":" }),
    );
    expect(mapping.message).toBe('Invalid --namespace-mappings "prod=staging": "prod=staging" has no ":"');
    expect(mapping.hint).toBe("write key:value pairs separated by commas, e.g. prod:staging,team-a:team-b");
  });
});

describe("parseList", () => {
  it("trims items and drops empty ones", () => {
    expect(parseList("a,b, c")).toEqual(["a", "b", "c"]);
    expect(parseList(" default , kube-system,,")).toEqual(["default", "kube-system"]);
    expect(parseList("")).toEqual([]);
    expect(parseList("*")).toEqual(["*"]);
  });
});
