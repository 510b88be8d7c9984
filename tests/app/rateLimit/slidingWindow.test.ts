import { setTimeout as sleep } from "node:timers/promises";
import { createRedisClient } from "../../../app/src/redis";
import { decodeRing, RING_HEADER_BYTES, RING_READ_WHOLE_BYTES, RING_SLOT_BYTES, SlidingWindowLimiter, type SlidingWindowDecision } from "../../../app/src/rateLimit/slidingWindow";
import { privateRedis, stallRedis } from "../../harness/redis";

const fixture = privateRedis();
let prefixCounter = 0;
const freshPrefix = () => `t${prefixCounter++}`;
/** How many admitted hits a key's ring still counts. */
const counted = async (key: string) => decodeRing((await fixture.client.getBuffer(key))!).times.length;


/** A limit whose rings the script reads whole (one MGET a batch) and one whose header it reads alone. */
const READ_PATHS = [
  { path: "whole rings", limit: 50 },
  { path: "headers only", limit: 300 },
];
/** Redis' clock (ms). */
const redisNow = async () => {
  const [seconds, micros] = await fixture.client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
};
/** A format-2 ring header (31 bytes). */
function ringHeader(h: { capacity: number; head: number; count: number; renewedAt: number; oldest: number; base: number }): Buffer {
  const header = Buffer.alloc(RING_HEADER_BYTES);
  header.writeUInt8(2, 0);
  header.writeUInt32BE(h.capacity, 1);
  header.writeUInt32BE(h.head, 5);
  header.writeUInt32BE(h.count, 9);
  header.writeUIntBE(h.renewedAt, 13, 6);
  header.writeUIntBE(h.oldest, 19, 6);
  header.writeUIntBE(h.base, 25, 6);
  return header;
}
const readsWhole = (limit: number) => RING_HEADER_BYTES + RING_SLOT_BYTES * limit <= RING_READ_WHOLE_BYTES;

/** Largest number of admissions inside any half-open window (t - windowMs, t], by Redis time. */
function maxInAnyWindow(admittedAt: number[], windowMs: number): number {
  const times = [...admittedAt].sort((a, b) => a - b);
  let best = 0;
  let left = 0;
  for (let right = 0; right < times.length; right++) {
    while (times[left]! <= times[right]! - windowMs) left++;
    best = Math.max(best, right - left + 1);
  }
  return best;
}

describe("SlidingWindowLimiter on a real Redis", () => {
  it("admits exactly LIMIT of a 1000-concurrent burst on one key", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 100, windowMs: 60_000, prefix: freshPrefix() });
    const decisions = await Promise.all(Array.from({ length: 1000 }, () => limiter.check("ip:198.51.100.1")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(100);
    // Every admitted hit has its own slot in the ring, even within one millisecond.
    expect(await counted(limiter.key("ip:198.51.100.1"))).toBe(100);
    const remaining = decisions.filter((d) => d.allowed).map((d) => d.remaining).sort((a, b) => a - b);
    expect(remaining).toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it("never admits more than LIMIT in any sliding window across window edges", async () => {
    const windowMs = 400;
    const limit = 10;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit, windowMs, prefix: freshPrefix() });
    const admitted: number[] = [];
    const end = Date.now() + 3 * windowMs + 150;
    // Bursts of 30 every ~7 ms for a bit over three windows: plenty of pressure at every edge.
    while (Date.now() < end) {
      const burst = await Promise.all(Array.from({ length: 30 }, () => limiter.check("ip:203.0.113.9")));
      for (const d of burst) if (d.allowed) admitted.push(d.redisTimeMs!);
      await sleep(7);
    }
    expect(maxInAnyWindow(admitted, windowMs)).toBe(limit);
    // The window slides: over 3+ windows more than one window's worth got in, in bounded chunks.
    expect(admitted.length).toBeGreaterThanOrEqual(3 * limit);
    expect(admitted.length).toBeLessThanOrEqual(4 * limit + limit);
  });

  it("admits a blocked client again once its oldest hit leaves the window, as the headers say", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 3, windowMs: 600, prefix: freshPrefix() });
    const first = await limiter.check("ip:192.0.2.10");
    expect(first).toMatchObject({ allowed: true, remaining: 2 });
    await sleep(200);
    await limiter.check("ip:192.0.2.10");
    await limiter.check("ip:192.0.2.10");
    const blocked = await limiter.check("ip:192.0.2.10");
    expect(blocked).toMatchObject({ allowed: false, remaining: 0, source: "redis" });
    // Reset = the first hit's time + window, i.e. ~400 ms from now.
    expect(blocked.resetMs).toBeGreaterThan(300);
    expect(blocked.resetMs).toBeLessThanOrEqual(400);
    const cached = await limiter.check("ip:192.0.2.10");
    expect(cached).toMatchObject({ allowed: false, source: "cache" });
    await sleep(blocked.resetMs + 20);
    const again = await limiter.check("ip:192.0.2.10");
    expect(again).toMatchObject({ allowed: true, remaining: 0, source: "redis" });
    // Exactly one slot freed: the next one is refused again.
    expect((await limiter.check("ip:192.0.2.10")).allowed).toBe(false);
  });

  it("answers a hot abusive key from the block cache without Redis and never admits more", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 5, windowMs: 60_000, prefix: freshPrefix() });
    const uncached = new SlidingWindowLimiter(fixture.client, { limit: 5, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    let admitted = 0;
    let admittedUncached = 0;
    for (let i = 0; i < 50; i++) {
      const [a, b] = await Promise.all([limiter.check("ip:hot"), uncached.check("ip:hot")]);
      if (a.allowed) admitted++;
      if (b.allowed) admittedUncached++;
    }
    expect(admitted).toBe(5);
    expect(admittedUncached).toBe(5);
    expect(limiter.redisCalls).toBe(6); // 5 admissions + the first refusal, then cached
    expect(uncached.redisCalls).toBe(50);
  });

  it("keeps keys apart and uses a cluster hash tag", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 1, windowMs: 60_000, prefix: freshPrefix() });
    expect(limiter.key("ip:1.2.3.4")).toMatch(/^t\d+:\{ip:1\.2\.3\.4\}$/);
    expect(limiter.key("key:{evil}")).toMatch(/^t\d+:\{key:_evil_\}$/);
    const [a, b] = await Promise.all([limiter.check("ip:1.2.3.4"), limiter.check("ip:1.2.3.5")]);
    expect(a.allowed && b.allowed).toBe(true);
    expect(await fixture.client.pttl(limiter.key("ip:1.2.3.4"))).toBeGreaterThan(59_000);
  });

  it("keeps a key alive at least one window after every admitted hit, renewing the expiry only when needed", async () => {
    const windowMs = 1000;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 100, windowMs, prefix: freshPrefix() });
    const key = limiter.key("ip:203.0.113.50");
    const first = await limiter.check("ip:203.0.113.50");
    // An admitted hit is the newest: the whole quota is back one window later.
    expect(first).toMatchObject({ allowed: true, resetMs: windowMs });
    expect(await fixture.client.pttl(key)).toBeGreaterThan(windowMs); // set to two windows
    await sleep(300);
    await limiter.check("ip:203.0.113.50");
    // Less than a window since the last renewal: not renewed (PEXPIRE skipped), so below two windows now.
    const ttl = await fixture.client.pttl(key);
    expect(ttl).toBeGreaterThan(windowMs);
    expect(ttl).toBeLessThan(2 * windowMs - 250);
    await sleep(800); // under one window left: the next hit renews it
    expect(await fixture.client.pttl(key)).toBeLessThan(windowMs);
    await limiter.check("ip:203.0.113.50");
    expect(await fixture.client.pttl(key)).toBeGreaterThan(2 * windowMs - 100);
    // The first hit (t=0) left the window and was dropped; the one at t=300 ms still counts.
    expect(await counted(key)).toBe(2);
  });

  it("reads small rings whole and larger ones by their header", () => {
    expect(READ_PATHS.map(({ limit }) => readsWhole(limit))).toEqual([true, false]);
  });

  it.each(READ_PATHS)("answers every check exactly as a full log would, through ring wrap-around and tail walks ($path)", async ({ limit }) => {
    // A reference log replayed at Redis' own time of each batch: every decision (allowed,
    // remaining, Retry-After) must match it, not just the admitted total.
    const windowMs = 300;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit, windowMs, prefix: freshPrefix(), blockCacheEntries: 0 });
    const log: number[] = [];
    let seed = 7;
    const random = (n: number) => (seed = (seed * 1103515245 + 12345) % 2 ** 31) % n;
    let checked = 0;
    let refused = 0;
    const end = Date.now() + 2000;
    while (Date.now() < end) {
      const burst = await Promise.all(Array.from({ length: 1 + random((40 * limit) / 50) }, () => limiter.check("ip:198.51.100.77")));
      for (const d of burst) {
        const now = d.redisTimeMs!;
        while (log.length > 0 && log[0]! <= now - windowMs) log.shift();
        const allowed = log.length < limit;
        if (allowed) log.push(now);
        else refused++;
        expect({ allowed: d.allowed, remaining: d.remaining, resetMs: d.resetMs }).toEqual({
          allowed,
          remaining: limit - log.length,
          resetMs: allowed ? windowMs : log[0]! + windowMs - now,
        });
        checked++;
      }
      await sleep(random(120));
    }
    expect(checked).toBeGreaterThan(200);
    expect(refused).toBeGreaterThan(0);
  });

  it("stores at most 4 bytes per admitted hit plus a 31-byte header, growing with use", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 1000, windowMs: 60_000, prefix: freshPrefix() });
    const key = limiter.key("ip:192.0.2.200");
    await Promise.all(Array.from({ length: 20 }, () => limiter.check("ip:192.0.2.200")));
    expect(await fixture.client.strlen(key)).toBe(31 + 4 * 32); // 16 slots doubled once
    const decisions = await Promise.all(Array.from({ length: 1100 }, () => limiter.check("ip:192.0.2.200")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(980);
    expect(await fixture.client.strlen(key)).toBe(31 + 4 * 1000);
    expect(await counted(key)).toBe(1000);
  });

  it.each(READ_PATHS)("keeps the hits in order when a wrapped-around ring grows ($path)", async ({ limit }) => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit, windowMs: 1000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const id = "ip:198.51.100.80";
    const ring = async () => decodeRing((await fixture.client.getBuffer(limiter.key(id)))!);
    const admit = async (n: number) => (await Promise.all(Array.from({ length: n }, () => limiter.check(id)))).map((d) => d.redisTimeMs!);
    await admit(8);
    await sleep(500);
    const second = await admit(8); // 16 of 16 slots, head back at slot 0
    await sleep(600); // the first 8 have left the window, the second 8 have not
    const third = await admit(8); // the tail walk drops the first 8: full again, head at slot 8
    expect(await ring()).toMatchObject({ capacity: 16, head: 8, count: 16 });
    const fourth = await admit(1); // full below the limit: the ring doubles
    const grown = await ring();
    expect(grown).toMatchObject({ capacity: 32, head: 17, count: 17, oldest: second[0] });
    expect(grown.times).toEqual([...second, ...third, ...fourth]);
  });

  it("reads a key written under another limit correctly", async () => {
    const prefix = freshPrefix();
    const at10 = new SlidingWindowLimiter(fixture.client, { limit: 10, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    for (let i = 0; i < 10; i++) expect((await at10.check("ip:192.0.2.30")).allowed).toBe(true);
    // Lowered to 5: the 10 hits already made still count, so nothing more gets in.
    const at5 = new SlidingWindowLimiter(fixture.client, { limit: 5, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    const refused = await at5.check("ip:192.0.2.30");
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    expect(await fixture.client.strlen(at5.key("ip:192.0.2.30"))).toBe(31 + 4 * 5);
    // Raised to 20: the 5 newest hits are kept, so exactly 15 more are admitted.
    const at20 = new SlidingWindowLimiter(fixture.client, { limit: 20, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    const raised = await Promise.all(Array.from({ length: 30 }, () => at20.check("ip:192.0.2.30")));
    expect(raised.filter((d) => d.allowed)).toHaveLength(15);
  });

  it("converts a sorted-set key of the previous version, keeping its hits inside the window", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 5, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const key = limiter.key("ip:192.0.2.40");
    const [seconds, micros] = await fixture.client.time();
    const now = Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
    await fixture.client.zadd(key, now - 120_000, "gone", now - 3000, "a", now - 2000, "b", now - 1000, "c");
    const decisions = await Promise.all(Array.from({ length: 5 }, () => limiter.check("ip:192.0.2.40")));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false, false]);
    expect(decisions[2]!.resetMs).toBe(now - 3000 + 60_000 - decisions[2]!.redisTimeMs!);
    expect(await fixture.client.type(key)).toBe("string");
  });

  it("replaces an unreadable value with a fresh ring", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 2, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const key = limiter.key("ip:192.0.2.50");
    await fixture.client.set(key, "not a ring at all, but long enough to look like a header");
    const decisions = await Promise.all(Array.from({ length: 3 }, () => limiter.check("ip:192.0.2.50")));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(await counted(key)).toBe(2);
    expect(await fixture.client.pttl(key)).toBeGreaterThan(59_000);
  });

  it.each(READ_PATHS)("replaces a ring shorter than its header says with a fresh one ($path)", async ({ limit }) => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const [seconds] = await fixture.client.time();
    const now = Number(seconds) * 1000;
    // Header: format 1, capacity 16, head 0, count 16, renewed now, oldest = expired or in window.
    const truncated = (oldest: number) => Buffer.concat([ringHeader({ capacity: 16, head: 0, count: 16, renewedAt: now, oldest, base: oldest }), Buffer.alloc(10)]); // 10 bytes instead of 16 slots × 4
    // Expired oldest hit: the tail walk reads past the end. Full ring below the limit: the grow reads it.
    for (const [identity, oldest] of [["ip:192.0.2.70", now - 120_000], ["ip:192.0.2.71", now - 1000]] as const) {
      await fixture.client.set(limiter.key(identity), truncated(oldest));
      const decision = await limiter.check(identity);
      expect(decision).toMatchObject({ allowed: true, remaining: limit - 1 });
      expect(await counted(limiter.key(identity))).toBe(1);
    }
  });

  it("converts a ring of format 1 (6-byte absolute times), keeping its hits inside the window", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 5, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const key = limiter.key("ip:192.0.2.41");
    const now = await redisNow();
    const hits = [now - 120_000, now - 3000, now - 2000, now - 1000];
    const header = Buffer.alloc(25);
    header.writeUInt8(1, 0);
    header.writeUInt32BE(8, 1); // capacity 8
    header.writeUInt32BE(hits.length, 5); // head
    header.writeUInt32BE(hits.length, 9); // count
    header.writeUIntBE(now, 13, 6);
    header.writeUIntBE(hits[0]!, 19, 6);
    const slots = Buffer.alloc(6 * 8);
    hits.forEach((t, i) => slots.writeUIntBE(t, 6 * i, 6));
    await fixture.client.set(key, Buffer.concat([header, slots]));
    const decisions = await Promise.all(Array.from({ length: 4 }, () => limiter.check("ip:192.0.2.41")));
    // Three hits still count: two more fit under 5.
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false, false]);
    expect(decisions[2]!.resetMs).toBe(now - 3000 + 60_000 - decisions[2]!.redisTimeMs!);
    expect((await fixture.client.getBuffer(key))![0]).toBe(2);
  });

  it("rebases a ring whose newest hit would not fit 4 bytes after its base, or that lies before it", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 3, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const now = await redisNow();
    // A base more than 2^32 ms ago: its (stale) hits left the window; now's offset would overflow.
    const stale = limiter.key("ip:192.0.2.42");
    const oldBase = now - 2 ** 32 - 5000;
    await fixture.client.set(stale, Buffer.concat([ringHeader({ capacity: 4, head: 2, count: 2, renewedAt: oldBase, oldest: oldBase, base: oldBase }), Buffer.alloc(16)]));
    expect(await limiter.check("ip:192.0.2.42")).toMatchObject({ allowed: true, remaining: 2 });
    const rebased = decodeRing((await fixture.client.getBuffer(stale))!);
    expect(rebased.base).toBeGreaterThanOrEqual(now);
    expect(rebased.times).toHaveLength(1);
    // Redis' clock stepped back below the base: the two hits made "later" still count (too many, never too few).
    const ahead = limiter.key("ip:192.0.2.43");
    const futureBase = now + 30_000;
    await fixture.client.set(ahead, Buffer.concat([ringHeader({ capacity: 4, head: 2, count: 2, renewedAt: futureBase, oldest: futureBase, base: futureBase }), Buffer.alloc(16)]));
    const decisions = await Promise.all(Array.from({ length: 3 }, () => limiter.check("ip:192.0.2.43")));
    expect(decisions.map((d) => d.allowed)).toEqual([true, false, false]);
    const ring = decodeRing((await fixture.client.getBuffer(ahead))!);
    expect(ring.base).toBeLessThan(futureBase);
    expect(ring.times.sort((a, b) => a - b).slice(-2)).toEqual([futureBase, futureBase]);
  });

  it("admits exactly the first L checks of one key in the order made, across batches in flight together", async () => {
    const limit = 50;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit, windowMs: 60_000, prefix: freshPrefix() });
    const stallEnded = await stallRedis(fixture.server.url, 0.3);
    const checks: Promise<SlidingWindowDecision>[] = [];
    const burst = async (n: number) => {
      for (let i = 0; i < n; i++) checks.push(limiter.check("ip:192.0.2.80"));
      await sleep(10);
    };
    await burst(1); // the first batch
    await burst(40); // 40 ≥ 32 waiting: the second batch goes at once
    const callsWithOneWaiting = limiter.redisCalls;
    await burst(40); // two in flight: these wait
    await burst(5); // and these join them
    const callsWhileStalled = limiter.redisCalls;
    const decisions = await Promise.all(checks);
    await stallEnded();
    expect([callsWithOneWaiting, callsWhileStalled, limiter.redisCalls]).toEqual([2, 2, 3]);
    // One key across three batches, two of them in flight together: exactly the first L admitted.
    expect(decisions.map((d) => d.allowed)).toEqual(Array.from({ length: 86 }, (_, i) => i < limit));
  });

  it("survives a flushed script cache (NOSCRIPT) by reloading the script", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 2, windowMs: 60_000, prefix: freshPrefix() });
    expect((await limiter.check("ip:10.9.9.9")).allowed).toBe(true);
    await fixture.client.script("FLUSH");
    const afterFlush: SlidingWindowDecision[] = await Promise.all([limiter.check("ip:10.9.9.9"), limiter.check("ip:10.9.9.9")]);
    expect(afterFlush.map((d) => d.allowed).sort()).toEqual([false, true]);
  });

  it("rejects (never hangs) when Redis is unreachable", async () => {
    const dead = createRedisClient("redis://127.0.0.1:1", 200);
    dead.on("error", () => undefined);
    const limiter = new SlidingWindowLimiter(dead, { limit: 2, windowMs: 1000 });
    const started = Date.now();
    await expect(limiter.check("ip:1.1.1.1")).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(1000);
    dead.disconnect();
  });
});
