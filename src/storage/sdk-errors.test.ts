import { describe, expect, it } from "vitest";
import { isTransient, readErrorFacts } from "./sdk-errors.js";

const noFields = () => ({ status: undefined, code: undefined });

describe("readErrorFacts", () => {
  it("reads anything thrown, keeping only fields of the right type", () => {
    expect(readErrorFacts("boom", noFields)).toEqual({
      name: "Error",
      status: undefined,
      code: undefined,
      message: "boom",
    });
    const odd = { name: 7, message: "m", status: "500", code: 1 };
    const facts = readErrorFacts(odd, (e) => e as { status: unknown; code: unknown });
    expect(facts).toEqual({ name: "Error", status: undefined, code: undefined, message: "m" });
  });
});

describe("isTransient", () => {
  const facts = (fields: { name?: string; status?: number; code?: string }) => ({
    name: fields.name ?? "Error",
    status: fields.status,
    code: fields.code,
    message: "",
  });

  it("holds for the network failing, 429 and 5xx, whatever the SDK", () => {
    for (const f of [facts({ code: "ECONNRESET" }), facts({ status: 429 }), facts({ status: 503 })]) {
      expect(isTransient(f, {})).toBe(true);
    }
    expect(isTransient(facts({ status: 404 }), {})).toBe(false);
  });

  it("holds for the names, codes and statuses the SDK says busy with", () => {
    const busy = { names: ["SlowDown"], codes: ["ServerBusy"], statuses: [408] };
    expect(isTransient(facts({ name: "SlowDown" }), busy)).toBe(true);
    expect(isTransient(facts({ code: "ServerBusy" }), busy)).toBe(true);
    expect(isTransient(facts({ status: 408 }), busy)).toBe(true);
    expect(isTransient(facts({ status: 408 }), {})).toBe(false);
  });
});
