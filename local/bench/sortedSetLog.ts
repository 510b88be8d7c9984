import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";

/**
 * The previous limiter, kept for the benchmark only: an exact sliding-window log as one sorted set
 * per key (score = admission ms, member unique per hit), checked in per-loop-turn batches as it
 * was measured before: every turn's batch is sent at once, where the ring's BatchedScript holds at
 * most two batches in flight. Members keep their old form, so the memory table compares like with like.
 */
const SORTED_SET_LUA = `
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
  if count < limit then
    redis.call('ZADD', key, now, prefix .. i)
    if redis.call('PTTL', key) < window then
      redis.call('PEXPIRE', key, 2 * window)
    end
    allowed = 1
  end
  out[#out + 1] = allowed
end
return out
`;

const COMMAND = "edgestackBenchSortedSet";
const MAX_BATCH = 256;

type Command = (numKeys: number, ...args: (string | number)[]) => Promise<number[]>;

export class SortedSetLog {
  private readonly command: Command;
  private readonly tag = randomBytes(6).toString("base64url");
  private batches = 0;
  private pending: { key: string; resolve: (allowed: boolean) => void; reject: (err: unknown) => void }[] = [];
  private scheduled = false;

  constructor(
    redis: Redis,
    readonly limit: number,
    readonly windowMs: number,
    private readonly prefix: string,
  ) {
    if (!(COMMAND in redis)) redis.defineCommand(COMMAND, { lua: SORTED_SET_LUA });
    this.command = (redis as unknown as Record<string, Command>)[COMMAND]!.bind(redis);
  }

  check(identity: string): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ key: `${this.prefix}:{${identity}}`, resolve, reject });
      if (this.pending.length >= MAX_BATCH) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const keys = batch.map((c) => c.key);
    this.command(keys.length, ...keys, this.limit, this.windowMs, `${this.tag}${(this.batches++).toString(36)}:`).then(
      (reply) => batch.forEach((c, i) => c.resolve(reply[i] === 1)),
      (err: unknown) => batch.forEach((c) => c.reject(err)),
    );
  }
}
