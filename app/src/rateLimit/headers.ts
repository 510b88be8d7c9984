/** What one rate-limit check decided, in the units the response headers need. */
export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /**
   * Milliseconds until the reset: on a refusal, until the oldest counted hit leaves the window (one
   * more request fits then, = Retry-After); on an admission, until the whole quota is back.
   */
  resetMs: number;
}

/**
 * Response headers for a decision, in the form of the current IETF draft
 * (draft-ietf-httpapi-ratelimit-headers-08..10): `RateLimit-Policy: "<name>";q=<quota>;w=<window s>`
 * and `RateLimit: "<name>";r=<remaining>;t=<seconds until reset>` (structured-field lists), plus
 * `Retry-After` (RFC 9110) on a 429. Seconds are rounded up so a client that waits them is admitted.
 */
export function rateLimitHeaders(decision: RateLimitDecision, windowMs: number, policy = "default"): Record<string, string> {
  const resetSeconds = Math.max(0, Math.ceil(decision.resetMs / 1000));
  const headers: Record<string, string> = {
    "ratelimit-policy": `"${policy}";q=${decision.limit};w=${Math.ceil(windowMs / 1000)}`,
    ratelimit: `"${policy}";r=${decision.remaining};t=${resetSeconds}`,
  };
  if (!decision.allowed) headers["retry-after"] = String(Math.max(1, resetSeconds));
  return headers;
}
