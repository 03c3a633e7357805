import { describe, expect, it } from "vitest";
import { type CaInfo, type CertState, planRotation } from "./certs-rotation.js";

const DAY = 86_400_000;
const ca = (id: string, fromDay: number, days: number): CaInfo => ({
  id,
  notBefore: fromDay * DAY,
  notAfter: (fromDay + days) * DAY,
});
const A = ca("A", 0, 300);
const B = ca("B", 200, 300);
const serving = (issuer: string, fromDay: number, days = 90, coversNames = true) => ({
  issuer,
  notBefore: fromDay * DAY,
  notAfter: (fromDay + days) * DAY,
  coversNames,
});
const plan = (state: CertState, day: number) => planRotation(state, { now: day * DAY });

describe("planRotation", () => {
  it("makes a CA and a serving certificate when there are none", () => {
    expect(plan({ trusted: [] }, 0)).toMatchObject({ ca: "new", next: "none", issueServing: true });
  });

  it("changes nothing while everything is young", () => {
    const p = plan({ active: A, trusted: [A], serving: serving("A", 10) }, 20);
    expect(p).toEqual({ ca: "keep", next: "none", issueServing: false, keepTrusted: ["A"], reasons: [] });
  });

  it("makes and trusts the next CA at two thirds of the CA's life, still signing with the active one", () => {
    expect(plan({ active: A, trusted: [A], serving: serving("A", 190) }, 200)).toMatchObject({
      ca: "keep",
      next: "new",
      issueServing: false,
      keepTrusted: ["A"],
    });
  });

  it("promotes the next CA at five sixths and re-signs the serving certificate with it; the old CA stays trusted", () => {
    const state = { active: A, next: B, trusted: [A, B], serving: serving("A", 240) };
    expect(plan(state, 249)).toMatchObject({ ca: "keep", next: "keep", issueServing: false });
    expect(plan(state, 250)).toMatchObject({
      ca: "promote-next",
      next: "none",
      issueServing: true,
      keepTrusted: ["A", "B"],
    });
  });

  it("drops a CA from the bundle once it has expired", () => {
    const p = plan({ active: B, trusted: [B, A], serving: serving("B", 250) }, 301);
    expect(p.keepTrusted).toEqual(["B"]);
    expect(p.reasons).toContain("an expired CA leaves the bundle");
  });

  it("renews the serving certificate at two thirds of its life, or when it misses an address", () => {
    expect(plan({ active: A, trusted: [A], serving: serving("A", 0) }, 59).issueServing).toBe(false);
    expect(plan({ active: A, trusted: [A], serving: serving("A", 0) }, 60).issueServing).toBe(true);
    expect(plan({ active: A, trusted: [A], serving: serving("A", 0, 90, false) }, 1).issueServing).toBe(true);
    expect(
      plan({ active: A, trusted: [A], serving: { ...serving("A", 0), issuer: undefined } }, 1),
    ).toMatchObject({
      issueServing: true,
      reasons: ["the serving certificate is not signed by the active CA"],
    });
  });

  it("after a long outage: promotes a still valid next CA, or starts over when none is left", () => {
    expect(plan({ active: A, next: B, trusted: [A, B], serving: serving("A", 200) }, 301)).toMatchObject({
      ca: "promote-next",
      issueServing: true,
      keepTrusted: ["B"],
    });
    expect(plan({ active: A, trusted: [A], serving: serving("A", 200) }, 301)).toMatchObject({
      ca: "new",
      next: "none",
      issueServing: true,
      keepTrusted: [],
    });
  });
});
