import { type ErrorCode, KubesnapError } from "./errors.js";

/**
 * For unit tests: runs fn and returns the KubesnapError it throws (checking its code when
 * given), so a test can assert on the message and the hint. Anything else fails the test.
 */
export function errorOf(fn: () => unknown, code?: ErrorCode): KubesnapError {
  try {
    fn();
  } catch (err) {
    if (!(err instanceof KubesnapError)) throw err;
    if (code !== undefined && err.code !== code)
      throw new Error(`expected a ${code} error, got ${err.code}: ${err.message}`);
    return err;
  }
  throw new Error(`expected a ${code ?? "KubesnapError"} error, but nothing was thrown`);
}
