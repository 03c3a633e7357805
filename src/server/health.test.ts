import { describe, expect, it } from "vitest";
import { parseListen } from "./health.js";

describe("parseListen", () => {
  it("reads host:port, :port (every interface) and [ipv6]:port", () => {
    expect(parseListen(":8085")).toEqual({ host: undefined, port: 8085 });
    expect(parseListen("0.0.0.0:8085")).toEqual({ host: "0.0.0.0", port: 8085 });
    expect(parseListen("127.0.0.1:0")).toEqual({ host: "127.0.0.1", port: 0 });
    expect(parseListen("localhost:9000")).toEqual({ host: "localhost", port: 9000 });
    expect(parseListen("[::1]:8085")).toEqual({ host: "::1", port: 8085 });
    expect(parseListen("[::]:8085")).toEqual({ host: "::", port: 8085 });
  });

  it("refuses what is not an address", () => {
    for (const bad of ["8085", "host", ":", ":99999", "::1:8085", "host:port", ""])
      expect(() => parseListen(bad), bad).toThrow(/not an address/);
  });
});
