/**
 * Node's error codes for a network that failed under a request: the request may succeed
 * when tried again later, so drivers report them as Unavailable rather than as a bug.
 */
const networkCodes = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EPIPE",
]);

export function isNetworkErrorCode(code: string): boolean {
  return networkCodes.has(code);
}
