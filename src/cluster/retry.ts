/** When and how long to wait before trying a request again. Pure, so it is tested without waiting. */
export interface RetryPolicy {
  readonly attempts: number;
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { attempts: 8, baseDelayMs: 200, maxDelayMs: 10_000 };

/**
 * 429 is API Priority and Fairness saying the server is busy; 5xx and dropped connections
 * are passing faults. Everything else (403, 404, 409, 422…) is an answer, not a fault.
 */
export function isRetryable(status: number | undefined, errorCode?: string): boolean {
  if (status === undefined)
    return ["ECONNRESET", "ECONNREFUSED", "EPIPE", "ETIMEDOUT", "EAI_AGAIN"].includes(errorCode ?? "");
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}

/** Exponential backoff with full jitter, but never sooner than the server's Retry-After. */
export function retryDelayMs(
  attempt: number,
  policy: RetryPolicy,
  retryAfterHeader: string | undefined,
  random: () => number = Math.random,
): number {
  const backoff = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt) * random();
  const retryAfter = Number(retryAfterHeader);
  return Number.isFinite(retryAfter) && retryAfter > 0 ? Math.max(backoff, retryAfter * 1000) : backoff;
}
