import { performance } from "node:perf_hooks";
import type { Cluster, Redis } from "ioredis";
import { BatchedScript, type BatchEntry } from "./batchedScript";
import { BlockCache } from "./blockCache";
import type { RateLimitDecision } from "./headers";

/**
 * Exact sliding-window log in one atomic script, in constant memory per admitted hit: each key is
 * one string holding a ring of the most recent admission times (4-byte big-endian ms after the
 * ring's base time, oldest to newest from `head - count`) behind a fixed header. The base is the
 * oldest time the ring held when it was last written whole; a ring whose newest hit would lie more
 * than 2^32 ms (~49 days) after it, or before it (Redis' clock stepped back), is rewritten around a
 * new base, so the offsets always fit. Admitting a hit only needs "is the L-th most
 * recent admitted hit older than the window?", i.e. is `count` (hits still inside the window) below
 * L once the hits that left the window are dropped from the ring's tail. The header caches the
 * oldest counted time, so the tail is walked only once that hit has left the window (in chunks;
 * each hit is walked past once: O(1) amortised). Reads: rings of a small limit (at most
 * RING_READ_WHOLE_BYTES long) are read whole, every key of a batch in one MGET, and an admitted
 * hit is then one SETRANGE (header fields, the slots before the new one as they are, the new slot);
 * a larger ring's header is read alone (GETRANGE), so a check stays O(1) at any limit, and an
 * admitted hit is two SETRANGEs (its slot, then the header's changing fields; one BITFIELD
 * measured slower). A key never seen is created with its first hit by one SET NX (it finds any
 * older value, which is then converted). A refusal writes nothing and its Retry-After is exact: when the oldest counted
 * hit leaves the window.
 *
 * The ring's capacity starts at min(L, 16) slots and doubles up to L as a client uses its quota
 * (its bytes copied into one SET of an exactly-sized string, so no allocator slack), so an idle
 * or light client costs little and a key never holds more than 4·L + 31 bytes of value. A key
 * written under another limit is read correctly: a larger ring than L is rebuilt to L keeping the
 * newest hits, so a lowered limit counts the hits already made. A key in another format (unknown
 * header, a ring of format 1 (6-byte absolute times), or the sorted set of an earlier version) is
 * converted: the hits inside the window are kept, anything unreadable is replaced by an empty ring.
 * Keys carry the format in their prefix (`rl2:`), so while a rollout runs old and new replicas side
 * by side each counts in keys of its own format (a client may get up to twice its limit for that
 * window) instead of rewriting each other's keys on every hit.
 *
 * One call checks a batch of keys (BatchedScript: every check issued in the same event-loop turn
 * goes as one EVALSHA, in the order made). Keys repeat fine within a batch: they are processed in
 * order inside one atomic script.
 *
 * Expiry: set to two windows and renewed only once a window has passed since the last renewal
 * (the header keeps that time, so no PTTL read): after every admitted hit the key still lives at
 * least one window, so no hit is forgotten while it counts; an idle key is gone within two windows.
 * An admitted hit reports the full window as its reset, which is exact for "when the whole quota
 * is back" since that hit is the newest.
 *
 * Time comes from Redis (TIME, once per batch) so all app replicas share one clock; Redis >= 5
 * replicates scripts by effects, so TIME is safe in a script. If Redis' clock steps back, the ring
 * is no longer sorted and the tail walk stops at the first hit inside the window: it then counts
 * too many, never too few (never admits more than L). Cluster: a batch only ever holds keys of one
 * hash slot (see BatchedScript), and keys carry a {hash tag}.
 *
 * Header (31 bytes, struct ">BI4I4I4I6I6I6"): format, capacity, head, count, renewedAt, oldest,
 * base (ms).
 * ARGV: limit, window ms. Returns, per key, allowed 0|1, count after the check, ms until the
 * reset; then Redis' now.
 */
export const RING_FORMAT = 2;
export const RING_HEADER_BYTES = 31;
export const RING_SLOT_BYTES = 4;
export const RING_INITIAL_SLOTS = 16;
/**
 * Rings whose limit keeps them at most this long (L ≤ 248) are read whole, a batch's keys in one
 * MGET, and an admit is one write; longer ones read their header alone (a check stays O(1)).
 */
export const RING_READ_WHOLE_BYTES = 1024;

export const SLIDING_WINDOW_LUA = `
local limit = tonumber(ARGV[1])
local window = tonumber(ARGV[2])
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local edge = now - window
local ttl = 2 * window
local FORMAT, HDR, SLOT, INITIAL, CHUNK = ${RING_FORMAT}, ${RING_HEADER_BYTES}, ${RING_SLOT_BYTES}, ${RING_INITIAL_SLOTS}, 32
-- Numbers passed to redis.call are formatted as floating point (costly): the constant ones are
-- passed as strings, the varying offsets formatted as integers (int).
local TTL, HDR_LAST = tostring(ttl), tostring(HDR - 1)
local function int(n) return string.format('%d', n) end
-- Rings of a small limit are read whole, every key of the batch in one MGET (false: missing or
-- not a string); a larger ring's header is read alone, so a check stays O(1) at any limit. (Lua's
-- own unpack spreads KEYS here; struct.unpack takes the name below.)
local values = nil
if HDR + SLOT * limit <= ${RING_READ_WHOLE_BYTES} then values = redis.call('MGET', unpack(KEYS)) end
local pack, unpack, rep, byte, sub = struct.pack, struct.unpack, string.rep, string.byte, string.sub
local HFMT = '>BI4I4I4I6I6I6'
-- The largest offset a slot holds (ms after the ring's base).
local SPAN = 4294967295
-- The capacity of a new ring, and its empty slots after the first hit.
local FIRST = math.min(limit, INITIAL)
local FIRST_EMPTY = rep('\\0', SLOT * (FIRST - 1))

-- The counted times of a format-1 ring (25-byte header, 6-byte absolute times) inside the window,
-- oldest first, at most the newest 'keep'; {} when it cannot be read.
local function formatOneTimes(value, keep)
  if #value < 25 then return {} end
  local _, cap, head, count = unpack('>BI4I4I4I6I6', value)
  if cap < 1 or head >= cap or count > cap or #value ~= 25 + 6 * cap then return {} end
  local times = {}
  for j = 0, count - 1 do
    local t = unpack('>I6', value, 25 + 6 * ((head - count + j) % cap) + 1)
    if t > edge then times[#times + 1] = t end
  end
  while #times > keep do table.remove(times, 1) end
  return times
end

-- The in-window times of a ring, oldest first, at most the newest 'keep'; nil if the value is
-- not as long as its header says (then it is replaced by an empty ring).
local function ringTimes(value, cap, head, count, keep, base)
  if #value ~= HDR + SLOT * cap then return nil end
  local times = {}
  local first = count > keep and count - keep or 0
  for j = first, count - 1 do
    times[#times + 1] = unpack('>I4', value, HDR + SLOT * ((head - count + j) % cap) + 1) + base
  end
  return times
end

-- Keys written in this batch: met again, their MGET value is stale and they are read afresh.
local written = {}

-- Writes a fresh ring of capacity cap holding times (ascending unless the clock stepped back,
-- #times <= cap), based at the earliest of them and now; returns its state and its value.
local function rebuild(key, times, cap)
  local m = #times
  local base = now
  for j = 1, m do if times[j] < base then base = times[j] end end
  local parts = { pack(HFMT, FORMAT, cap, m % cap, m, now, times[1] or 0, base) }
  for j = 1, m do parts[j + 1] = pack('>I4', times[j] - base) end
  parts[m + 2] = rep('\\0', SLOT * (cap - m))
  local value = table.concat(parts)
  redis.call('SET', key, value, 'PX', TTL)
  written[key] = true
  return cap, m % cap, m, now, times[1] or 0, base, value
end

local out = {}
local o = 0
for i = 1, #KEYS do
  local key = KEYS[i]
  -- hdr: the value's first bytes (false: missing, empty or not a string); value: the whole ring
  -- when it is in hand (nil: only its header was read).
  local hdr, value = false, nil
  if values ~= nil and not written[key] then
    hdr = values[i]
    value = hdr or nil
  else
    hdr = redis.pcall('GETRANGE', key, '0', HDR_LAST)
    if type(hdr) ~= 'string' or hdr == '' then hdr = false end
  end
  local cap, head, count, renewed, oldest, base = 0, 0, 0, 0, 0, 0
  local ok = hdr ~= false and #hdr >= HDR and byte(hdr, 1) == FORMAT
  if ok then
    local _
    _, cap, head, count, renewed, oldest, base = unpack(HFMT, hdr)
    ok = cap >= 1 and head < cap and count <= cap and (value == nil or #value == HDR + SLOT * cap)
  end
  local times = nil
  local created = false
  if not ok then
    -- Missing, another format, shorter than its header says, or another type: start from what
    -- can be read (rebuild's SET replaces whatever the key held).
    times = {}
    if hdr ~= false and byte(hdr, 1) == 1 then
      times = formatOneTimes(value or redis.call('GET', key), limit)
    elseif hdr == false then
      -- The common case, a key never seen: one SET that only creates it, with the hit admitted.
      -- A key it finds is another type (the sorted set of an earlier version): its hits inside
      -- the window are kept.
      if redis.call('SET', key, pack(HFMT, FORMAT, FIRST, 1 % FIRST, 1, now, now, now) .. '\\0\\0\\0\\0' .. FIRST_EMPTY, 'PX', TTL, 'NX') then
        created, count, times = true, 1, nil
        written[key] = true
      elseif redis.call('TYPE', key).ok == 'zset' then
        local old = redis.call('ZRANGEBYSCORE', key, '(' .. edge, '+inf', 'WITHSCORES')
        for j = 2 * math.max(1, #old / 2 - limit + 1), #old, 2 do times[#times + 1] = tonumber(old[j]) end
      end
    end
  elseif count > 0 and oldest <= edge then
    -- Drop the hits that left the window from the tail, a chunk at a time.
    local start = (head - count) % cap
    while count > 0 do
      local n = math.min(count, cap - start, CHUNK)
      local from = HDR + SLOT * start
      local s = from + SLOT * n <= #hdr and sub(hdr, from + 1, from + SLOT * n) or redis.call('GETRANGE', key, int(from), int(from + SLOT * n - 1))
      if #s < SLOT * n then
        -- Shorter than its header says: unreadable, start again from an empty ring.
        ok, times, count = false, {}, 0
        break
      end
      local j, pos, v = 0, 1, 0
      while j < n do
        v, pos = unpack('>I4', s, pos)
        v = v + base
        if v > edge then break end
        j = j + 1
      end
      count = count - j
      start = (start + j) % cap
      if j < n then oldest = v; break end
    end
    if count == 0 then oldest = 0 end
  end
  local allowed, reset = 1, window
  if created then
    -- Admitted by the SET that created the key.
  else
  if ok and (cap > limit or now < base or now - base > SPAN) then
    -- Written under a higher limit, or now's offset would not fit: keep the newest hits in a
    -- ring of the new size around a new base.
    times = ringTimes(value or redis.call('GET', key), cap, head, count, limit, base) or {}
  end
  if times ~= nil and #times > 0 then
    cap, head, count, renewed, oldest, base, value = rebuild(key, times, math.max(#times, FIRST))
    hdr = value
    times = nil
  end
  if count < limit then
    written[key] = true
    if times ~= nil then
      cap, head, count, renewed, oldest = rebuild(key, { now }, FIRST)
    elseif count == cap then
      -- Full but below the limit: the ring doubles (up to L) with the hit added, its hits copied
      -- as byte slices, oldest (at slot head) first.
      local whole = value or redis.call('GET', key)
      if #whole == HDR + SLOT * cap then
        local ordered = sub(whole, HDR + 1 + SLOT * head) .. sub(whole, HDR + 1, HDR + SLOT * head)
        local grown, m = math.min(2 * cap, limit), cap + 1
        local first = unpack('>I4', ordered, 1) + base
        redis.call('SET', key, pack(HFMT, FORMAT, grown, m % grown, m, now, first, base) .. ordered .. pack('>I4', now - base) .. rep('\\0', SLOT * (grown - m)), 'PX', TTL)
        cap, head, count, renewed, oldest = grown, m % grown, m, now, first
      else
        cap, head, count, renewed, oldest = rebuild(key, { now }, FIRST)
      end
    else
      if count == 0 then oldest = now end
      local slot = head
      head = (head + 1) % cap
      count = count + 1
      if now - renewed >= window then
        renewed = now
        redis.call('PEXPIRE', key, TTL)
      end
      -- The header's changing fields (head..oldest, bytes 5..24) and the new slot: with the bytes
      -- before the slot in hand one SETRANGE, rewriting the base and the slots in between as they
      -- are; otherwise two.
      local fields = pack('>I4I4I6I6', head, count, renewed, oldest)
      if HDR + SLOT * slot <= #hdr then
        redis.call('SETRANGE', key, '5', fields .. sub(hdr, 26, HDR + SLOT * slot) .. pack('>I4', now - base))
      else
        redis.call('SETRANGE', key, int(HDR + SLOT * slot), pack('>I4', now - base))
        redis.call('SETRANGE', key, '5', fields)
      end
    end
  else
    allowed = 0
    reset = oldest + window - now
  end
  end
  o = o + 3
  out[o - 2] = allowed
  out[o - 1] = count
  out[o] = reset
end
out[o + 1] = now
return out
`;

/** A ring as stored in Redis, decoded (tests and tools read keys with it). */
export interface RingState {
  capacity: number;
  head: number;
  /** Hits counted in the window (the tail is dropped lazily, at the key's next check). */
  count: number;
  renewedAt: number;
  oldest: number;
  /** The time (ms) the slots' offsets count from. */
  base: number;
  /** The counted admission times (ms), oldest first. */
  times: number[];
}

/** Decodes a ring value; throws on anything that is not one. */
export function decodeRing(value: Buffer): RingState {
  if (value.length < RING_HEADER_BYTES || value[0] !== RING_FORMAT) throw new Error("not a sliding-window ring");
  const capacity = value.readUInt32BE(1);
  const head = value.readUInt32BE(5);
  const count = value.readUInt32BE(9);
  if (value.length !== RING_HEADER_BYTES + RING_SLOT_BYTES * capacity || head >= capacity || count > capacity) throw new Error("malformed sliding-window ring");
  const base = value.readUIntBE(25, 6);
  const times: number[] = [];
  for (let j = 0; j < count; j++) {
    const slot = (((head - count + j) % capacity) + capacity) % capacity;
    times.push(base + value.readUInt32BE(RING_HEADER_BYTES + RING_SLOT_BYTES * slot));
  }
  return { capacity, head, count, renewedAt: value.readUIntBE(13, 6), oldest: value.readUIntBE(19, 6), base, times };
}

/** The key prefix names the ring format (see the class comment on rollouts). */
const DEFAULT_PREFIX = `rl${RING_FORMAT}`;

/** The Redis key for an identity: braces in it are replaced so the {hash tag} stays intact. */
export function rateLimitKey(identity: string, prefix = DEFAULT_PREFIX): string {
  const safe = identity.includes("{") || identity.includes("}") ? identity.replace(/[{}]/g, "_") : identity;
  return `${prefix}:{${safe}}`;
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
  /** Key prefix; the identity follows in a {hash tag}. */
  prefix?: string;
  /** Set to 0 to disable the in-process block cache. */
  blockCacheEntries?: number;
  /** Monotonic clock for the block cache (tests inject one). */
  clock?: () => number;
}

/** Turns the script's answer for one key (allowed, count after the check, ms to reset, Redis' now) into a decision. */
type Decide = (key: string, sentAt: number, allowed: boolean, count: number, resetMs: number, now: number) => SlidingWindowDecision;

/** A check waiting in a batch: the script's answer for its key becomes its decision. */
class PendingCheck implements BatchEntry {
  constructor(
    readonly key: string,
    private readonly sentAt: number,
    private readonly decide: Decide,
    private readonly resolve: (decision: SlidingWindowDecision) => void,
    readonly fail: (err: unknown) => void,
  ) {}

  answer(allowed: number, count: number, resetMs: number, now: number): void {
    this.resolve(this.decide(this.key, this.sentAt, allowed === 1, count, resetMs, now));
  }
}

export class SlidingWindowLimiter {
  readonly limit: number;
  readonly windowMs: number;
  private readonly prefix: string;
  private readonly blockCache: BlockCache | undefined;
  private readonly clock: () => number;
  private readonly script: BatchedScript;

  constructor(redis: Redis | Cluster, options: SlidingWindowOptions) {
    if (!Number.isInteger(options.limit) || options.limit < 1) throw new Error(`limit must be a positive integer, got ${options.limit}`);
    if (!Number.isInteger(options.windowMs) || options.windowMs < 1) throw new Error(`windowMs must be a positive integer, got ${options.windowMs}`);
    this.limit = options.limit;
    this.windowMs = options.windowMs;
    this.prefix = options.prefix ?? DEFAULT_PREFIX;
    const entries = options.blockCacheEntries ?? 100_000;
    this.blockCache = entries > 0 ? new BlockCache(entries) : undefined;
    this.clock = options.clock ?? (() => performance.now());
    this.script = new BatchedScript(redis, COMMAND, SLIDING_WINDOW_LUA, [this.limit, this.windowMs]);
  }

  /** Script calls made (for tests and the benchmark). */
  get redisCalls(): number {
    return this.script.calls;
  }

  /** The Redis key for an identity; braces in it are replaced so the hash tag stays intact. */
  key(identity: string): string {
    return rateLimitKey(identity, this.prefix);
  }

  /** Records one hit for `identity` if it fits. Rejects when Redis fails (caller picks open/closed). */
  check(identity: string): Promise<SlidingWindowDecision> {
    const key = this.key(identity);
    const sentAt = this.clock();
    if (this.blockCache !== undefined) {
      const blockedMs = this.blockCache.remainingMs(key, sentAt);
      if (blockedMs > 0) return Promise.resolve({ allowed: false, limit: this.limit, remaining: 0, resetMs: blockedMs, source: "cache" });
    }
    return new Promise((resolve, reject) => this.script.run(new PendingCheck(key, sentAt, this.decide, resolve, reject)));
  }

  private readonly decide: Decide = (key, sentAt, allowed, count, resetMs, now) => {
    // The reset is measured from Redis' "now", which lies after `sentAt`: anchoring it at sentAt
    // ends the local block no later than Redis would admit again (never over-blocks).
    if (!allowed && this.blockCache !== undefined && resetMs > 0) this.blockCache.block(key, sentAt + resetMs);
    return { allowed, limit: this.limit, remaining: Math.max(0, this.limit - count), resetMs, source: "redis", redisTimeMs: now };
  };
}
