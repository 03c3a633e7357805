import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY, isRetryable, retryDelayMs } from "./retry.js";

describe("retry policy", () => {
  it("retries busy and failing servers, not answers", () => {
    expect([429, 500, 503, 504].map((s) => isRetryable(s))).toEqual([true, true, true, true]);
    expect([400, 403, 404, 409, 410, 422].map((s) => isRetryable(s))).toEqual([
      false,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(isRetryable(undefined, "ECONNRESET")).toBe(true);
    expect(isRetryable(undefined, "ENOTFOUND")).toBe(false);
  });

  it("backs off exponentially up to the cap", () => {
    const full = () => 1;
    expect(retryDelayMs(0, DEFAULT_RETRY, undefined, full)).toBe(200);
    expect(retryDelayMs(3, DEFAULT_RETRY, undefined, full)).toBe(1600);
    expect(retryDelayMs(20, DEFAULT_RETRY, undefined, full)).toBe(10_000);
  });

  it("honours Retry-After when it is longer than the backoff", () => {
    expect(retryDelayMs(0, DEFAULT_RETRY, "3", () => 1)).toBe(3000);
    expect(retryDelayMs(6, DEFAULT_RETRY, "1", () => 1)).toBe(10_000);
    expect(retryDelayMs(0, DEFAULT_RETRY, "soon", () => 1)).toBe(200);
  });
});
