import { performance } from "node:perf_hooks";
import type { Cluster, Redis } from "ioredis";
import { BatchedScript, type BatchEntry } from "./batchedScript";
import { BlockCache } from "./blockCache";
import type { RateLimitDecision } from "./headers";

/**
 * Exact sliding-window log, every check of a batch read and written by one command each: the hits
 * of all clients of a group live in one hash per time bucket (a window long), a field per client.
 *
 * Layout: bucket b = floor(now / window) of group g is the hash `<prefix>:{g}:<b>`; a client's field
 * holds its admitted hits still inside the window when last written, oldest first, each as a
 * big-endian offset in ms from the start of bucket b - 1 (3 bytes while 2·window ≤ 2^24 ms, i.e.
 * windows up to ~2.3 h; 4 bytes beyond). A check reads the client's field in the current bucket;
 * a client not yet seen in it is read in the previous bucket (its hits still inside the window
 * carried over, re-based by one window). Hits in older buckets all lie at or before now - window,
 * so two buckets hold everything that can still count. The hits leaving the window are found by a
 * binary search (the offsets are ascending) and dropped when the field is next written, so a
 * field holds at most L hits (one more while the limit is lowered, see below).
 *
 * Per batch (BatchedScript, `grouped`: one group's checks, in the order made): TIME, EXISTS of the
 * bucket's gates (and an HMGET of them if any), one HMGET of the current bucket for the clients not
 * gated, one HMGET of the previous bucket for the clients missing from the current one (if any),
 * one HSET of every admitted client's new field and one PEXPIREAT, and for refusals from the log
 * one HSET of their gates and one PEXPIREAT. Batched reads and
 * writes are what keeps Redis' CPU per check near a no-op script's: per-key commands (a GET and a
 * SETRANGE per client) cost Redis about as much again each as the whole floor.
 *
 * Admission: admitted iff fewer than L hits lie in (now - window, now]. A refusal adds no hit;
 * its reset is exact: when enough counted hits leave the window for one more to fit (the oldest
 * one, unless the limit was lowered under hits already counted). An admitted hit reports the full
 * window as its reset ("the whole quota is back"), exact since it is the newest. A key written
 * under another limit is read correctly: the hits are times, not counts.
 *
 * Gates: a refusal records that hit (the one whose leaving frees a slot) as the client's gate, a
 * field in `<bucket key>:<limit>` (expiring at the bucket's end). While the gate's hit is inside
 * the window no check under that limit can be admitted (refusals add no hits, so the log cannot
 * change), so later checks are refused from the gate's few bytes, with the same exact reset, and
 * the client's hits are not read: reading and hashing a field of L hits in Lua is most of what a
 * check costs Redis, and a refused client is checked far more often than L times a window. A gate
 * of another limit is never read; one whose hit has left the window, or unreadable, is ignored.
 *
 * Expiry: bucket b expires at the start of bucket b + 2, when nothing can read it any more; a
 * bucket hash holds every client of its group, so Redis should free it in the background
 * (`lazyfree-lazy-expire yes`, set in the stack's parameter group) rather than stall on it.
 * Eviction (`volatile-ttl`) evicts the previous buckets first, which lose the least.
 *
 * Groups: on a cluster a script may only touch one slot, so clients are spread over
 * CLUSTER_GROUPS hash tags (FNV-1a of the identity), each group's batch going to its master; on
 * one node every client is in one group (one batch per event-loop turn).
 *
 * Time comes from Redis (TIME, once per batch) so all app replicas share one clock; Redis >= 5
 * replicates scripts by effects, so TIME is safe in a script. If Redis' clock steps back inside a
 * bucket, a new hit is recorded at the newest time already held (the offsets stay sorted, a hit
 * counts no shorter than it should: too many, never too few).
 *
 * Gates are an addition to format 3, not a new format: a replica without them reads and writes the
 * same logs and never reads the gates, and a gate stays true whatever such a replica does (it
 * admits from the same log, which cannot admit while the gate's hit is in the window), so replicas
 * with and without gates run side by side exactly.
 *
 * Rollout from the previous format (one string per client under `rl2:{identity}`): those keys
 * live in other slots than the groups' hashes, so the new replicas cannot read them in the same
 * script; old and new replicas each count in their own format for that window (a client may get
 * up to twice its limit during the rollout's window), and the old keys expire within two windows.
 *
 * ARGV: limit, window ms, then one client field per check. Returns one integer per check: admitted,
 * the hits counted after it (> 0; the reset of an admitted hit is the whole window, which the
 * caller knows); refused, minus the ms until its reset (< 0; a refused check's count is at least
 * the limit, so nothing remains); then Redis' now. One value per check instead of three: each
 * value costs Redis a Lua-to-RESP conversion and the client a parse.
 */
export const RING_FORMAT = 3;
/** Clusters: hash tags the clients are spread over (a shard serves the groups whose slots it holds). */
export const CLUSTER_GROUPS = 64;

/** Bytes of one hit's offset for a window (offsets count from the previous bucket's start, < 2·window). */
export function offsetBytes(windowMs: number): 3 | 4 {
  return 2 * windowMs <= 2 ** 24 ? 3 : 4;
}

export const SLIDING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local byte, char, sub, floor, fmt = string.byte, string.char, string.sub, math.floor, string.format
local bucket = floor(now / window)
-- Offsets count from the previous bucket's start; a hit counts while its offset > edge.
local base = (bucket - 1) * window
local edge = now - window - base
local nowOff = now - base
local W = 2 * window <= 16777216 and 3 or 4
local decode, encode
if W == 3 then
  decode = function(s, i) local a, b, c = byte(s, 3 * i - 2, 3 * i); return (a * 256 + b) * 256 + c end
  encode = function(x) return char(floor(x / 65536), floor(x / 256) % 256, x % 256) end
else
  decode = function(s, i) local a, b, c, d = byte(s, 4 * i - 3, 4 * i); return ((a * 256 + b) * 256 + c) * 256 + d end
  encode = function(x) return char(floor(x / 16777216), floor(x / 65536) % 256, floor(x / 256) % 256, x % 256) end
end
local nowEnc = encode(nowOff)
-- The first index of a sorted field whose offset lies after 'after'; k + 1: none. Offsets are
-- compared as numbers (decoded in place), never as strings: Lua compares strings with strcoll,
-- whose order on arbitrary bytes depends on Redis' locale, and each sub() would make a string.
local function firstAfter(v, k, after)
  local lo, hi = 1, k + 1
  while lo < hi do
    local mid = floor((lo + hi) / 2)
    if decode(v, mid) > after then hi = mid else lo = mid + 1 end
  end
  return lo
end
local curKey = KEYS[1] .. ':' .. fmt('%d', bucket)
local n = #ARGV - 2
-- Gates (refusals already known in this bucket under this limit): a client refused here gets a
-- field in <bucket key>:<limit> holding the stored hit whose leaving frees a slot. Until it
-- leaves the window nothing can be admitted (refusals add no hits), so a later check is refused
-- from those few bytes without reading the client's hits. gated[i]: that hit's offset.
local gateKey = curKey .. ':' .. ARGV[1]
local gated = {}
local values
if redis.call('EXISTS', gateKey) == 1 then
  local gates = redis.call('HMGET', gateKey, unpack(ARGV, 3))
  local fields, at, c = {}, {}, 0
  for i = 1, n do
    local g = gates[i]
    local off
    if g and #g == W then
      local a, b, c3, d4 = byte(g, 1, W)
      off = (a * 256 + b) * 256 + c3
      if W == 4 then off = off * 256 + d4 end
    end
    if off and off > edge then gated[i] = off else c = c + 1; fields[c] = ARGV[i + 2]; at[c] = i end
  end
  values = {}
  if c > 0 then
    local got = redis.call('HMGET', curKey, unpack(fields, 1, c))
    for j = 1, c do values[at[j]] = got[j] end
  end
else
  values = redis.call('HMGET', curKey, unpack(ARGV, 3))
end
-- state: a field's value as this batch left it (a repeated client sees its earlier checks).
local state = {}
local missing, m = {}, 0
for i = 1, n do
  if not values[i] and not gated[i] then
    local f = ARGV[i + 2]
    if state[f] == nil then
      state[f] = ''
      m = m + 1
      missing[m] = f
    end
  end
end
if m > 0 then
  -- First check in this bucket: carry the hits of the previous bucket still inside the window.
  local old = redis.call('HMGET', KEYS[1] .. ':' .. fmt('%d', bucket - 1), unpack(missing, 1, m))
  for j = 1, m do
    local v = old[j]
    if v and #v % W == 0 and #v > 0 then
      local k = #v / W
      local parts = {}
      -- The previous bucket's offsets count from one window earlier.
      for i = firstAfter(v, k, edge + window), k do parts[#parts + 1] = encode(decode(v, i) - window) end
      state[missing[j]] = table.concat(parts)
    end
  end
end
-- One value per check: admitted, the hits counted after it (> 0; its reset is the whole window);
-- refused, minus the ms until its reset (< 0). Then now. The table starts with n + 1 slots (ARGV's
-- values, overwritten) so it never grows by rehashing.
local out = {unpack(ARGV, 2)}
-- args: HSET's field/value pairs; a client admitted twice in the batch appears twice (the last wins).
local args, d = {}, 0
local gateArgs, e = {}, 0
for i = 1, n do
  local g = gated[i]
  if g then
    out[i] = nowOff - g - window
  else
  local f = ARGV[i + 2]
  local v = state[f]
  if v == nil then
    v = values[i]
    -- Unreadable (not a whole number of offsets): counted as empty.
    if #v % W ~= 0 then v = '' end
  end
  local k = #v / W
  local first, lastOff = 1, -1
  if k > 0 then
    -- The oldest and newest offsets, decoded inline (a function call per check costs more).
    local a, b, c, d = byte(v, 1, W)
    local firstOff = (a * 256 + b) * 256 + c
    a, b, c, d = byte(v, -W, -1)
    lastOff = (a * 256 + b) * 256 + c
    if W == 4 then firstOff, lastOff = firstOff * 256 + byte(v, 4), lastOff * 256 + d end
    if firstOff <= edge then first = firstAfter(v, k, edge) end
  end
  local count = k - first + 1
  if count < limit then
    -- Redis' clock stepped back: the hit is recorded at the newest time held (offsets stay sorted).
    local stepped = count > 0 and lastOff > nowOff
    if first > 1 then v = sub(v, (first - 1) * W + 1) end
    if stepped then v = v .. sub(v, -W) else v = v .. nowEnc end
    state[f] = v
    args[d + 1], args[d + 2] = f, v
    d = d + 2
    out[i] = count + 1
  else
    local p = first + count - limit
    local off = decode(v, p)
    out[i] = nowOff - off - window
    gateArgs[e + 1], gateArgs[e + 2] = f, sub(v, W * p - W + 1, W * p)
    e = e + 2
  end
  end
end
if d > 0 then
  redis.call('HSET', curKey, unpack(args, 1, d))
  redis.call('PEXPIREAT', curKey, fmt('%d', (bucket + 2) * window))
end
if e > 0 then
  -- A gate is only read in its own bucket.
  redis.call('HSET', gateKey, unpack(gateArgs, 1, e))
  redis.call('PEXPIREAT', gateKey, fmt('%d', (bucket + 1) * window))
end
out[n + 1] = now
return out
`;

/** The bucket (a window long) a time lies in. */
export function bucketOf(timeMs: number, windowMs: number): number {
  return Math.floor(timeMs / windowMs);
}

/**
 * The admitted hits (ms) a client's field holds, oldest first; `bucket` is the bucket whose hash
 * held it (offsets count from the start of the bucket before it). Throws on a malformed value.
 */
export function decodeHits(value: Buffer, bucket: number, windowMs: number): number[] {
  const width = offsetBytes(windowMs);
  if (value.length % width !== 0) throw new Error("malformed sliding-window field");
  const base = (bucket - 1) * windowMs;
  const hits: number[] = [];
  for (let i = 0; i < value.length; i += width) hits.push(base + value.readUIntBE(i, width));
  return hits;
}

/** The key prefix names the storage format (see the class comment on rollouts). */
const DEFAULT_PREFIX = `rl${RING_FORMAT}`;

/** FNV-1a (32 bit) of a string's UTF-16 code units: spreads identities over groups. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/**
 * The group key (its {hash tag} is the slot) holding an identity's hits; the bucket hashes are
 * `<group key>:<bucket>`. `groups`: CLUSTER_GROUPS on a cluster, 1 on one node.
 */
export function rateLimitKey(identity: string, prefix = DEFAULT_PREFIX, groups = CLUSTER_GROUPS): string {
  return `${prefix}:{${groups === 1 ? 0 : fnv1a(identity) % groups}}`;
}

const COMMAND = "edgestackSlidingWindow";

export interface SlidingWindowDecision extends RateLimitDecision {
  /** Where the answer came from: a Redis round trip or the in-process block cache. */
  source: "redis" | "cache";
  /** Redis clock (ms) at the check; only for answers from Redis. */
  redisTimeMs?: number;
}

export interface SlidingWindowOptions {
  limit: number;
  windowMs: number;
  /** Key prefix; the group's {hash tag} and the bucket follow. */
  prefix?: string;
  /** Hash tags the clients are spread over: default CLUSTER_GROUPS on a cluster, 1 on one node. */
  groups?: number;
  /** Set to 0 to disable the in-process block cache. */
  blockCacheEntries?: number;
  /** Monotonic clock for the block cache (tests inject one). */
  clock?: () => number;
}

/**
 * Turns the script's answer for one key into a decision: allowed, the hits counted after the check
 * (admitted) or Infinity (refused: nothing remains), ms to the reset (refused; an admitted hit's
 * reset is the whole window), Redis' now.
 */
type Decide = (key: string, sentAt: number, allowed: boolean, count: number, resetMs: number, now: number) => SlidingWindowDecision;

/** A check waiting in a batch: the script's answer for its key becomes its decision. */
class PendingCheck implements BatchEntry {
  constructor(
    readonly key: string,
    readonly field: string,
    private readonly sentAt: number,
    private readonly decide: Decide,
    private readonly resolve: (decision: SlidingWindowDecision) => void,
    readonly fail: (err: unknown) => void,
  ) {}

  answer(reply: readonly number[], at: number, now: number): void {
    const value = reply[at]!;
    this.resolve(value > 0 ? this.decide(this.field, this.sentAt, true, value, 0, now) : this.decide(this.field, this.sentAt, false, Infinity, -value, now));
  }
}

export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly prefix: string;
  private readonly groups: number;
  private readonly blockCache: BlockCache | undefined;
  private readonly clock: () => number;
  private readonly script: BatchedScript;

  constructor(redis: Redis | Cluster, options: SlidingWindowOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`limit must be a positive integer, got ${options.limit}`);
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) throw new Error(`windowMs must be a positive integer, got ${options.windowMs}`);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const isCluster = (redis as { isCluster?: boolean }).isCluster === true;
    this.groups = options.groups ?? (isCluster ? CLUSTER_GROUPS : 1);
    if (!Number.isInteger(this.groups) || this.groups < 1) throw new Error(`groups must be a positive integer, got ${options.groups}`);
    const entries = options.blockCacheEntries ?? 100_000;
    this.blockCache = entries > 0 ? new BlockCache(entries) : undefined;
    this.clock = options.clock ?? (() => performance.now());
    this.script = new BatchedScript(redis, COMMAND, SLIDING_WINDOW_LUA, [this.limit, this.windowMs], "grouped", 1);
  }

  /** Script calls made (for tests and the benchmark). */
  get redisCalls(): number {
    return this.script.calls;
  }

  /** The group key (one slot) holding an identity's hits. */
  key(identity: string): string {
    return rateLimitKey(identity, this.prefix, this.groups);
  }

  /** The hash holding an identity's hits of one bucket (see bucketOf). */
  bucketKey(identity: string, bucket: number): string {
    return `${this.key(identity)}:${bucket}`;
  }

  /** Records one hit for `identity` if it fits. Rejects when Redis fails (caller picks open/closed). */
  check(identity: string): Promise<SlidingWindowDecision> {
    const sentAt = this.clock();
    if (this.blockCache !== undefined) {
      const blockedMs = this.blockCache.remainingMs(identity, sentAt);
      if (blockedMs > 0) return Promise.resolve({ allowed: false, limit: this.limit, remaining: 0, resetMs: blockedMs, source: "cache" });
    }
    return new Promise((resolve, reject) => this.script.run(new PendingCheck(this.key(identity), identity, sentAt, this.decide, resolve, reject)));
  }

  private readonly decide: Decide = (key, sentAt, allowed, count, refusedResetMs, now) => {
    const resetMs = allowed ? this.windowMs : refusedResetMs;
    // The reset is measured from Redis' "now", which lies after `sentAt`: anchoring it at sentAt
    // ends the local block no later than Redis would admit again (never over-blocks).
    if (!allowed && this.blockCache !== undefined && resetMs > 0) this.blockCache.block(key, sentAt + resetMs);
    return { allowed, limit: this.limit, remaining: Math.max(0, this.limit - count), resetMs, source: "redis", redisTimeMs: now };
  };
}
