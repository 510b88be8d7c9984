import { setTimeout as sleep } from "node:timers/promises";
import { createRedisClient } from "../../../app/src/redis";
import { bucketOf, decodeHits, offsetBytes, SlidingWindowLimiter, type SlidingWindowDecision } from "../../../app/src/rateLimit/slidingWindow";
import { privateRedis, stallRedis } from "../../harness/redis";

const fixture = privateRedis();
let prefixCounter = 0;
const freshPrefix = () => `t${prefixCounter++}`;
/** Redis' clock (ms). */
const redisNow = async () => {
  const [seconds, micros] = await fixture.client.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
};
/** The hits a client's field in a bucket (default: the current one) holds (as last written), in ms. */
async function storedHits(limiter: SlidingWindowLimiter, identity: string, at?: number): Promise<number[]> {
  const bucket = bucketOf(at ?? (await redisNow()), limiter.windowMs);
  const value = await fixture.client.hgetBuffer(limiter.bucketKey(identity, bucket), identity);
  return value === null ? [] : decodeHits(value, bucket, limiter.windowMs);
}
/** Windows whose offsets take 3 bytes and 4 bytes. */
const WIDTHS = [
  { width: 3, windowMs: 60_000 },
  { width: 4, windowMs: 2 ** 24 },
];

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
    expect(await storedHits(limiter, "ip:198.51.100.1")).toHaveLength(100);
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

  it("keeps every client of a node in one group, a field each, and spreads clients over hash tags on a cluster", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 1, windowMs: 60_000, prefix: freshPrefix() });
    expect(limiter.key("ip:1.2.3.4")).toMatch(/^t\d+:\{0\}$/);
    expect(limiter.key("key:{evil}")).toBe(limiter.key("ip:1.2.3.4"));
    const [a, b, again] = await Promise.all([limiter.check("ip:1.2.3.4"), limiter.check("key:{evil}"), limiter.check("ip:1.2.3.4")]);
    expect([a.allowed, b.allowed, again.allowed]).toEqual([true, true, false]);
    expect(limiter.redisCalls).toBe(1);
    expect(await storedHits(limiter, "key:{evil}")).toHaveLength(1);
    const grouped = new SlidingWindowLimiter(fixture.client, { limit: 1, windowMs: 60_000, prefix: "g", groups: 64 });
    const tags = new Set(Array.from({ length: 1000 }, (_, i) => grouped.key(`ip:10.0.${i >> 8}.${i & 255}`)));
    expect(tags.size).toBe(64);
    for (const tag of tags) expect(tag).toMatch(/^g:\{\d+\}$/);
  });

  it("expires a bucket when nothing can read it any more: at the start of the bucket two after it", async () => {
    const windowMs = 1000;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 100, windowMs, prefix: freshPrefix() });
    const first = await limiter.check("ip:203.0.113.50");
    // An admitted hit is the newest: the whole quota is back one window later.
    expect(first).toMatchObject({ allowed: true, resetMs: windowMs });
    const bucket = bucketOf(first.redisTimeMs!, windowMs);
    const before = await redisNow();
    const ttl = await fixture.client.pttl(limiter.bucketKey("ip:203.0.113.50", bucket));
    const after = await redisNow();
    // PEXPIREAT at the start of bucket + 2, seen from somewhere between the two clock reads.
    expect(ttl).toBeLessThanOrEqual((bucket + 2) * windowMs - before + 1);
    expect(ttl).toBeGreaterThanOrEqual((bucket + 2) * windowMs - after - 1);
    expect(ttl).toBeGreaterThan(windowMs - 20); // at least the rest of this window and all of the next
  });

  it("carries the hits still inside the window into the next bucket, oldest first, dropping the others", async () => {
    const windowMs = 600;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 100, windowMs, prefix: freshPrefix(), blockCacheEntries: 0 });
    // The stored hits always equal the log's hits inside the window. The case under test needs the timing below to
    // land as planned (the next check in the following bucket, some hits carried and some dropped); a loaded
    // machine may oversleep, so the scenario is retried with a fresh client until it does.
    for (let attempt = 1; ; attempt++) {
      const id = `ip:198.51.100.${90 + attempt}`;
      const admit = async (n: number) => (await Promise.all(Array.from({ length: n }, () => limiter.check(id)))).map((d) => d.redisTimeMs!);
      // Start right after a bucket begins, then hits at ~0, ~250 and ~500 ms, and one in the next bucket.
      const now = await redisNow();
      await sleep((bucketOf(now, windowMs) + 1) * windowMs - now + 5);
      const times = [...(await admit(3))];
      await sleep(250);
      times.push(...(await admit(3)));
      await sleep(250);
      times.push(...(await admit(3)));
      await sleep(300); // past the bucket's end: the first three hits have left the window
      const [next] = await admit(1);
      const inside = times.filter((t) => t > next! - windowMs);
      expect(await storedHits(limiter, id)).toEqual([...inside, next]);
      const asPlanned = bucketOf(next!, windowMs) === bucketOf(times[0]!, windowMs) + 1 && inside.length >= 3 && inside.length < 9;
      if (asPlanned || attempt === 3) {
        expect({ nextBucket: bucketOf(next!, windowMs) - bucketOf(times[0]!, windowMs), carried: inside.length >= 3, dropped: inside.length < 9 }).toEqual({ nextBucket: 1, carried: true, dropped: true });
        return;
      }
    }
  });

  it.each([50, 300])("answers every check exactly as a full log would, across buckets (L=%i)", async (limit) => {
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

  it.each(WIDTHS)("stores $width bytes per admitted hit for a $windowMs ms window", async ({ width, windowMs }) => {
    expect(offsetBytes(windowMs)).toBe(width);
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 1000, windowMs, prefix: freshPrefix() });
    const decisions = await Promise.all(Array.from({ length: 1100 }, () => limiter.check("ip:192.0.2.200")));
    expect(decisions.filter((d) => d.allowed)).toHaveLength(1000);
    // The bucket of the last admission: if the burst crossed a bucket's end, the hits were carried into it.
    const last = decisions.filter((d) => d.allowed).at(-1)!.redisTimeMs!;
    expect(await fixture.client.hstrlen(limiter.bucketKey("ip:192.0.2.200", bucketOf(last, windowMs)), "ip:192.0.2.200")).toBe(width * 1000);
    const hits = await storedHits(limiter, "ip:192.0.2.200", last);
    expect(hits).toEqual(decisions.filter((d) => d.allowed).map((d) => d.redisTimeMs!));
  });

  it("reads a key written under another limit correctly", async () => {
    const prefix = freshPrefix();
    const at10 = new SlidingWindowLimiter(fixture.client, { limit: 10, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    for (let i = 0; i < 10; i++) expect((await at10.check("ip:192.0.2.30")).allowed).toBe(true);
    // Lowered to 5: the 10 hits already made still count, so nothing more gets in.
    const at5 = new SlidingWindowLimiter(fixture.client, { limit: 5, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    const refused = await at5.check("ip:192.0.2.30");
    expect(refused).toMatchObject({ allowed: false, remaining: 0 });
    // Raised to 20: the 10 hits still count, so exactly 10 more are admitted.
    const at20 = new SlidingWindowLimiter(fixture.client, { limit: 20, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    const raised = await Promise.all(Array.from({ length: 30 }, () => at20.check("ip:192.0.2.30")));
    expect(raised.filter((d) => d.allowed)).toHaveLength(10);
    // Refused under a lowered limit: the reset is when enough hits leave for one more to fit.
    const at19 = new SlidingWindowLimiter(fixture.client, { limit: 19, windowMs: 60_000, prefix, blockCacheEntries: 0 });
    const hits = await storedHits(at19, "ip:192.0.2.30");
    const lowered = await at19.check("ip:192.0.2.30");
    expect(lowered).toMatchObject({ allowed: false, remaining: 0 });
    expect(lowered.resetMs).toBe(hits[1]! + 60_000 - lowered.redisTimeMs!);
  });

  it("refuses a client already refused in this bucket from its gate (the hit whose leaving frees a slot), per limit", async () => {
    const windowMs = 60_000;
    const prefix = freshPrefix();
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 2, windowMs, prefix, blockCacheEntries: 0 });
    const id = "ip:192.0.2.60";
    const decisions = [await limiter.check(id)];
    await sleep(20);
    decisions.push(...(await Promise.all([limiter.check(id), limiter.check(id)])));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    const bucket = bucketOf(decisions[2]!.redisTimeMs!, windowMs);
    const gateKey = `${limiter.bucketKey(id, bucket)}:2`;
    const hits = await storedHits(limiter, id, decisions[2]!.redisTimeMs!);
    // The gate holds the oldest hit (the one whose leaving frees a slot), encoded like the log; it expires with its bucket.
    expect(decodeHits((await fixture.client.hgetBuffer(gateKey, id))!, bucket, windowMs)).toEqual([hits[0]]);
    const ttl = await fixture.client.pttl(gateKey);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual((bucket + 1) * windowMs - decisions[2]!.redisTimeMs!);
    if (bucketOf(await redisNow(), windowMs) !== bucket) return; // the bucket ended meanwhile: the gate is no longer read
    // A later refusal is answered from the gate (moved 1 s later here, so its answer shows), with the log untouched.
    const gateHit = Buffer.alloc(3);
    gateHit.writeUIntBE(hits[0]! + 1000 - (bucket - 1) * windowMs, 0, 3);
    await fixture.client.hset(gateKey, id, gateHit);
    const gated = await limiter.check(id);
    if (bucketOf(gated.redisTimeMs!, windowMs) !== bucket) return;
    expect(gated).toMatchObject({ allowed: false, remaining: 0, resetMs: hits[0]! + 1000 + windowMs - gated.redisTimeMs! });
    expect(await storedHits(limiter, id, gated.redisTimeMs!)).toEqual(hits);
    // Another limit reads the log, not this limit's gate: raised to 3, one more fits.
    const raised = new SlidingWindowLimiter(fixture.client, { limit: 3, windowMs, prefix, blockCacheEntries: 0 });
    expect(await raised.check(id)).toMatchObject({ allowed: true, remaining: 0 });
    // A gate whose hit has left the window (or an unreadable one) is ignored: the log decides (3 hits
    // under limit 2: a slot is free once the second one leaves).
    await fixture.client.hset(gateKey, id, Buffer.alloc(3));
    const fromLog = await limiter.check(id);
    expect(fromLog).toMatchObject({ allowed: false, remaining: 0, resetMs: hits[1]! + windowMs - fromLog.redisTimeMs! });
    await fixture.client.hset(gateKey, id, "x");
    const unreadable = await limiter.check(id);
    expect(unreadable).toMatchObject({ allowed: false, remaining: 0, resetMs: hits[1]! + windowMs - unreadable.redisTimeMs! });
    // Refused from the log again: the gate is rewritten.
    expect(decodeHits((await fixture.client.hgetBuffer(gateKey, id))!, bucket, windowMs)).toEqual([hits[1]]);
  });

  it("counts an unreadable field as empty and rewrites it", async () => {
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 2, windowMs: 60_000, prefix: freshPrefix(), blockCacheEntries: 0 });
    const bucket = bucketOf(await redisNow(), 60_000);
    await fixture.client.hset(limiter.bucketKey("ip:192.0.2.50", bucket), "ip:192.0.2.50", "12345"); // not a whole number of offsets
    const decisions = await Promise.all(Array.from({ length: 3 }, () => limiter.check("ip:192.0.2.50")));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    expect(await storedHits(limiter, "ip:192.0.2.50")).toHaveLength(2);
  });

  it("records a hit made while Redis' clock is behind the newest stored hit at that newest time (too many, never too few)", async () => {
    const windowMs = 60_000;
    const limiter = new SlidingWindowLimiter(fixture.client, { limit: 3, windowMs, prefix: freshPrefix(), blockCacheEntries: 0 });
    const now = await redisNow();
    const bucket = bucketOf(now, windowMs);
    const ahead = Math.min(now + 5000, (bucket + 1) * windowMs - 1);
    const offset = Buffer.alloc(3);
    offset.writeUIntBE(ahead - (bucket - 1) * windowMs, 0, 3);
    await fixture.client.hset(limiter.bucketKey("ip:192.0.2.43", bucket), "ip:192.0.2.43", offset);
    const decisions = await Promise.all(Array.from({ length: 3 }, () => limiter.check("ip:192.0.2.43")));
    expect(decisions.map((d) => d.allowed)).toEqual([true, true, false]);
    if (bucketOf(decisions[0]!.redisTimeMs!, windowMs) === bucket) expect(await storedHits(limiter, "ip:192.0.2.43")).toEqual([ahead, ahead, ahead]);
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
