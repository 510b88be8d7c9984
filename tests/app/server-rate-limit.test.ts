/**
 * The limiter's verdict carries its response headers: the guarded handler gets them to send, a
 * refusal is the whole answer. No side channel on the exchange.
 */
import type { Exchange } from "../../app/src/http/httpServer";
import type { RateLimitDecision } from "../../app/src/rateLimit/headers";
import { ApiKeyRegistry, hashApiKey } from "../../app/src/apiKeys";
import { checkRateLimit, type RateLimitGuards, type RequestLimiter } from "../../app/src/server";

const exchange = (headers: Record<string, string> = {}) => ({ req: { headers }, clientIp: "198.51.100.7", id: "req-1" }) as unknown as Exchange;
const limiter = (decide: (identity: string) => RateLimitDecision | Error, seen: string[] = []): RequestLimiter => ({
  windowMs: 60_000,
  check: async (identity) => {
    seen.push(identity);
    const d = decide(identity);
    if (d instanceof Error) throw d;
    return d;
  },
});
const quiet = () => undefined;
const KNOWN_KEY = "known-key-0123456789abcdef";
const guards = (failMode: "open" | "closed" = "open", logRedisError: RateLimitGuards["logRedisError"] = quiet): RateLimitGuards => ({
  failMode,
  logRedisError,
  apiKeys: new ApiKeyRegistry([hashApiKey(KNOWN_KEY)]),
});

test("an admitted request goes on with the RateLimit headers and no Retry-After", async () => {
  const verdict = await checkRateLimit(limiter(() => ({ allowed: true, limit: 100, remaining: 99, resetMs: 60_000 })), exchange(), guards("open"));
  expect(verdict).toEqual({ admit: true, headers: { "ratelimit-policy": `"default";q=100;w=60`, ratelimit: `"default";r=99;t=60` } });
});

test("a refused request is answered 429 with Retry-After and no-store", async () => {
  const verdict = await checkRateLimit(limiter(() => ({ allowed: false, limit: 100, remaining: 0, resetMs: 1500 })), exchange(), guards("open"));
  expect(verdict).toEqual({
    admit: false,
    status: 429,
    body: { error: "too many requests", requestId: "req-1" },
    headers: { "ratelimit-policy": `"default";q=100;w=60`, ratelimit: `"default";r=0;t=2`, "retry-after": "2", "cache-control": "no-store" },
  });
});

test("a limiter failure admits without headers when failing open, answers 503 when failing closed", async () => {
  const broken = limiter(() => new Error("redis down"));
  const logged: string[] = [];
  expect(await checkRateLimit(broken, exchange(), guards("open", (_e, c) => logged.push(c)))).toEqual({ admit: true, headers: {} });
  expect(await checkRateLimit(broken, exchange(), guards("closed", (_e, c) => logged.push(c)))).toMatchObject({ admit: false, status: 503, headers: { "retry-after": "1" } });
  expect(logged).toEqual(["rate limit", "rate limit"]);
});

test("the identity is a known API key's own bucket, otherwise the client address; a malformed key is a 401", async () => {
  const seen: string[] = [];
  const l = limiter(() => ({ allowed: true, limit: 1, remaining: 0, resetMs: 1 }), seen);
  await checkRateLimit(l, exchange({ "x-api-key": KNOWN_KEY }), guards("open"));
  await checkRateLimit(l, exchange({ "x-api-key": "unknown-key-0123456789abcdef" }), guards("open"));
  await checkRateLimit(l, exchange(), guards("open"));
  expect(seen[0]).not.toBe(seen[2]);
  expect(seen[1]).toBe(seen[2]);
  expect(seen[2]).toContain("198.51.100.7");
  expect(await checkRateLimit(l, exchange({ "x-api-key": "k-1" }), guards("open"))).toMatchObject({ admit: false, status: 401 });
  expect(seen).toHaveLength(3);
});
