import { randomBytes } from "node:crypto";
import { performance } from "node:perf_hooks";
import type { Cluster, Redis } from "ioredis";
import { BlockCache } from "./blockCache";
import type { RateLimitDecision } from "./headers";

/**
 * Exact sliding-window log in one atomic script. Each key is a sorted set of admitted hits
 * (score = admission time in ms, member unique per hit). Per key: trim what left the window,
 * count, add only if under the limit, keep the key alive, and on a refusal report when the oldest
 * hit leaves the window (the exact Retry-After).
 *
 * One call checks a batch of keys: every check issued in the same event-loop turn goes to Redis
 * as one EVALSHA. The per-call cost (script dispatch in Redis, one command object in ioredis) is
 * what dominated a one-key-per-call log, which is why rate-limiter-flexible's cheaper counter was
 * faster; batched, the log is both exact and faster. Keys repeat fine within a batch: they are
 * processed in order inside one atomic script.
 *
 * Costs measured per key in Redis (tools/bench/app.ts, 1000 keys): each redis.call is a full
 * command dispatch, and PEXPIRE (rewritten to PEXPIREAT for replication) was one of the dearest.
 * So the expiry is set to two windows and only renewed once fewer than one window remains (PTTL
 * is a cheap read): after every admitted hit the key still lives at least one window, so no hit
 * is forgotten while it counts; an idle key is gone within two windows. The oldest hit is only
 * looked up for a refusal; an admitted hit reports the full window as its reset, which is exact
 * for "when the whole quota is back" since that hit is the newest.
 *
 * Time comes from Redis (TIME, once per batch) so all app replicas share one clock; Redis >= 5
 * replicates scripts by effects, so TIME is safe in a script. Cluster: a batch only ever holds
 * keys of one hash slot (see SlidingWindowLimiter), and keys carry a {hash tag}.
 *
 * ARGV: limit, window ms, member prefix (unique per batch). Returns, per key,
 * allowed 0|1, count after the check, ms until the reset; then Redis' now.
 */
export const SLIDING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local prefix = ARGV[3]
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local edge = now - window
local out = {}
for i = 1, #KEYS do
  local key = KEYS[i]
  redis.call('ZREMRANGEBYSCORE', key, '-inf', edge)
  local count = redis.call('ZCARD', key)
  local allowed = 0
  local reset = window
  if count < limit then
    redis.call('ZADD', key, now, prefix .. i)
    if redis.call('PTTL', key) < window then
      redis.call('PEXPIRE', key, 2 * window)
    end
    count = count + 1
    allowed = 1
  else
    reset = tonumber(redis.call('ZRANGE', key, 0, 0, 'WITHSCORES')[2]) + window - now
  end
  out[#out + 1] = allowed
  out[#out + 1] = count
  out[#out + 1] = reset
end
out[#out + 1] = now
return out
`;

const COMMAND = "edgestackSlidingWindow";
/** Bounds one script run (Redis executes scripts single-threaded): ~1 ms at most. */
const MAX_BATCH = 256;

type ScriptCommand = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

interface PendingCheck {
  key: string;
  sentAt: number;
  resolve: (decision: SlidingWindowDecision) => void;
  reject: (err: unknown) => void;
}

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
  private readonly isCluster: boolean;
  // Member = per-process random tag + batch counter + position in the batch: unique across
  // replicas and within one millisecond, so two hits in the same ms never collapse into one set
  // entry (the classic ZADD-timestamp bug that admits a whole same-ms burst).
  private readonly memberTag = randomBytes(6).toString("base64url");
  private batchCounter = 0;
  private pending: PendingCheck[] = [];
  private flushScheduled = false;
  /** Script calls made (for tests and the benchmark). */
  redisCalls = 0;

  constructor(redis: Redis | Cluster, options: SlidingWindowOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`limit must be a positive integer, got ${options.limit}`);
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) throw new Error(`windowMs must be a positive integer, got ${options.windowMs}`);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.prefix = options.prefix ?? "rl";
    const entries = options.blockCacheEntries ?? 100_000;
    this.blockCache = entries > 0 ? new BlockCache(entries) : undefined;
    this.clock = options.clock ?? (() => performance.now());
    this.isCluster = (redis as { isCluster?: boolean }).isCluster === true;
    // ioredis custom commands send EVALSHA and, on NOSCRIPT (script cache flushed, failover to a
    // replica that never saw it, restart), resend the script with EVAL, which caches it again.
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: SLIDING_WINDOW_LUA });
    const command = (redis as unknown as Record<string, ScriptCommand>)[COMMAND]!;
    this.command = command.bind(redis);
  }

  /** The Redis key for an identity; braces in it are replaced so the hash tag stays intact. */
  key(identity: string): string {
    const safe = identity.includes("{") || identity.includes("}") ? identity.replace(/[{}]/g, "_") : identity;
    return `${this.prefix}:{${safe}}`;
  }

  /** Records one hit for `identity` if it fits. Rejects when Redis fails (caller picks open/closed). */
  check(identity: string): Promise<SlidingWindowDecision> {
    const key = this.key(identity);
    const sentAt = this.clock();
    if (this.blockCache !== undefined) {
      const blockedMs = this.blockCache.remainingMs(key, sentAt);
      if (blockedMs > 0) return Promise.resolve({ allowed: false, limit: this.limit, remaining: 0, resetMs: blockedMs, source: "cache" });
    }
    return new Promise((resolve, reject) => {
      this.pending.push({ key, sentAt, resolve, reject });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        // After the I/O callbacks of this loop turn: every request parsed in it joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    if (this.isCluster) {
      // A script may only touch keys of one hash slot in a cluster; one call per check keeps
      // every batch single-slot without computing slots here.
      for (const check of batch) this.send([check]);
    } else {
      this.send(batch);
    }
  }

  private send(batch: PendingCheck[]): void {
    this.redisCalls++;
    const memberPrefix = `${this.memberTag}${(this.batchCounter++).toString(36)}:`;
    const keys = batch.map((check) => check.key);
    this.command(keys.length, ...keys, this.limit, this.windowMs, memberPrefix).then(
      (reply) => {
        const now = reply[reply.length - 1]!;
        for (let i = 0; i < batch.length; i++) {
          const check = batch[i]!;
          const allowed = reply[3 * i]! === 1;
          const count = reply[3 * i + 1]!;
          const resetMs = reply[3 * i + 2]!;
          // The reset is measured from Redis' "now", which lies after `sentAt`: anchoring it at
          // sentAt ends the local block no later than Redis would admit again (never over-blocks).
          if (!allowed && this.blockCache !== undefined && resetMs > 0) this.blockCache.block(check.key, check.sentAt + resetMs);
          check.resolve({
            allowed,
            limit: this.limit,
            remaining: Math.max(0, this.limit - count),
            resetMs,
            source: "redis",
            redisTimeMs: now,
          });
        }
      },
      (err: unknown) => {
        for (const check of batch) check.reject(err);
      },
    );
  }
}
