import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Redis } from "ioredis";
import { BlockCache } from "./blockCache";
import type { RateLimitDecision } from "./headers";

/**
 * Exact sliding-window log in one atomic script: the key is a sorted set of admitted hits
 * (score = admission time in ms, member unique per hit). Trim what left the window, count, add
 * only if under the limit, refresh the expiry, and report the oldest hit so the reset is exact.
 *
 * Time comes from Redis (TIME) so every app replica shares one clock; Redis >= 5 replicates
 * scripts by effects, so TIME is safe in a script. The script touches only KEYS[1], which makes
 * it cluster-safe; keys carry a {hash tag} so any future companion key lands in the same slot.
 *
 * Returns { allowed 0|1, count after the check, ms until the oldest hit expires, redis now ms }.
 */
export const SLIDING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
local count = redis.call('ZCARD', KEYS[1])
local allowed = 0
if count < limit then
  redis.call('ZADD', KEYS[1], now, ARGV[3])
  redis.call('PEXPIRE', KEYS[1], window)
  count = count + 1
  allowed = 1
end
local reset = 0
local oldest = redis.call('ZRANGE', KEYS[1], 0, 0, 'WITHSCORES')
if oldest[2] then reset = tonumber(oldest[2]) + window - now end
return {allowed, count, reset, now}
`;

const COMMAND = "edgestackSlidingWindow";

type ScriptReply = [number, number, number, number];
type ScriptCommand = (key: string, limit: number, windowMs: number, member: string) => Promise<ScriptReply>;

export interface SlidingWindowDecision extends RateLimitDecision {
  /** Where the answer came from: a Redis round trip or the in-process block cache. */
  source: "redis" | "cache";
  /** Redis clock (ms) at the check; only for answers from Redis. */
  redisTimeMs?: number;
}

export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
  /** Key prefix; the identity follows in a {hash tag}. */
  prefix?: string;
  /** Set to 0 to disable the in-process block cache. */
  blockCacheEntries?: number;
  /** Monotonic clock for the block cache (tests inject one). */
  clock?: () => number;
}

export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly prefix: string;
  private readonly blockCache: BlockCache | undefined;
  private readonly clock: () => number;
  private readonly command: ScriptCommand;
  // Member = per-process random tag + counter: unique across replicas and within one millisecond,
  // so two hits in the same ms never collapse into one set entry (the classic ZADD-timestamp bug).
  private readonly memberTag = randomBytes(6).toString("base64url");
  private counter = 0;
  /** Redis round trips made (for tests and the benchmark). */
  redisCalls = 0;

  constructor(redis: Redis, options: SlidingWindowOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`limit must be a positive integer, got ${options.limit}`);
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) throw new Error(`windowMs must be a positive integer, got ${options.windowMs}`);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.prefix = options.prefix ?? "rl";
    const entries = options.blockCacheEntries ?? 100_000;
    this.blockCache = entries > 0 ? new BlockCache(entries) : undefined;
    this.clock = options.clock ?? (() => performance.now());
    // ioredis custom commands send EVALSHA and, on NOSCRIPT (script cache flushed, failover to a
    // replica that never saw it, restart), resend the script with EVAL, which caches it again.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    const command = (redis as unknown as Record<string, ScriptCommand>)[COMMAND]!;
    this.command = command.bind(redis);
  }

  /** The Redis key for an identity; braces in it are replaced so the hash tag stays intact. */
  key(identity: string): string {
    const safe = identity.includes("{") || identity.includes("}") ? identity.replace(/[{}]/g, "_") : identity;
    return `${this.prefix}:{${safe}}`;
  }

  /** Records one hit for `identity` if it fits. Rejects when Redis fails (caller picks open/closed). */
  async check(identity: string): Promise<SlidingWindowDecision> {
    const key = this.key(identity);
    const sentAt = this.clock();
    if (this.blockCache !== undefined) {
      const blockedMs = this.blockCache.remainingMs(key, sentAt);
      if (blockedMs > 0) return { allowed: false, limit: this.limit, remaining: 0, resetMs: blockedMs, source: "cache" };
    }
    this.redisCalls++;
    const member = `${this.memberTag}${(this.counter++).toString(36)}`;
    const [allowed, count, resetMs, now] = await this.command(key, this.limit, this.windowMs, member);
    // The reset is measured from Redis' "now", which lies after `sentAt`: anchoring it at sentAt
    // ends the local block no later than Redis would admit again, so the cache never over-blocks.
    if (allowed === 0 && this.blockCache !== undefined && resetMs > 0) this.blockCache.block(key, sentAt + resetMs);
    return {
      allowed: allowed === 1,
      limit: this.limit,
      remaining: Math.max(0, this.limit - count),
      resetMs,
      source: "redis",
      redisTimeMs: now,
    };
  }
}
