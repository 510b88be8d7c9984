/**
 * `npm run bench:app`: the app's speed goals, measured side by side in one run on one Redis.
 *
 * HTTP (autocannon): every server is its own child process (the load generator never shares its
 * event loop) and all of them are measured the same way — 50 connections, pipelining 1, the same
 * request list (1000 distinct X-Forwarded-For values, or one for the hot key), BENCH_DURATION_S
 * per measurement. A warm-up round (not counted) comes first; then BENCH_ROUNDS rounds, the
 * scenario order reversed every other round, so drift in the machine's load hits all scenarios
 * alike. Per scenario: the median req/s, the median and range of its per-round ratio to bare (both
 * measured in the same round), the CPU time per request of the server, of the load generator, of
 * Redis and of all three together, the ratio to bare those costs alone allow on shared CPUs
 * ("CPU-bound"), and the load average at start and end.
 *   bare node:http (the limit) · app without limiter (also with ACCESS_LOG=all) · app with a limiter
 *   that admits at once without a store (the rate-limited path's own cost) · app + a script that
 *   does no work, batched like the limiter (the Redis round trip alone) · app + sliding
 *   window on 1000 distinct keys (and the previous sorted-set log, the same-run baseline) ·
 *   app + sliding window on one hot key · the app with rate-limiter-flexible instead (distinct/hot).
 * The app runs with its production logging defaults (LOG_LEVEL info, ACCESS_LOG errors: access
 * lines for 5xx and slow responses, as nginx logs every request), plus one scenario with a line per
 * request (ACCESS_LOG=all); every server's stdout goes to /dev/null, the bare server's included.
 * Limiter only (checks/s, 256 concurrent checks, 3 s each): the ring, the previous sorted-set log,
 * the no-op script and RateLimiterRedis, each with Redis' CPU time and the app side's CPU time per
 * check.
 * Window-edge exactness: admitted hits of two bursts 100 ms apart across a window edge.
 * Memory: bytes per key filled to the limit (10, 100, 1000) for the ring, the sorted set and RLF.
 *
 * Metrics: "METRICS=off" rows beside the no-limiter and sliding-window rows, and the difference in
 * the app's CPU per request (paired per round) printed as the metrics' cost.
 * BENCH_DURATION_S (4), BENCH_ROUNDS (5) tune the HTTP part; BENCH_HTTP_ONLY=1 skips the rest,
 * BENCH_LIMITER_ONLY=1 skips the HTTP part, BENCH_SCENARIOS=kind,… keeps those HTTP kinds (and bare).
 * Child mode (internal): `tsx local/bench/app.ts --serve <kind> <port> <redisUrl> <limit>`.
 */
import { setTimeout as sleep } from "node:timers/promises";
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { availableParallelism, loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setImmediate as nextLoopTurn } from "node:timers/promises";
import autocannon from "autocannon";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { loadConfig } from "../../app/src/config";
import { BatchedScript } from "../../app/src/rateLimit/batchedScript";
import type { RateLimitDecision } from "../../app/src/rateLimit/headers";
import { rateLimitKey, SlidingWindowLimiter } from "../../app/src/rateLimit/slidingWindow";
import { createRedisClient } from "../../app/src/redis";
import type { Redis } from "ioredis";
import { createApp, type RequestLimiter } from "../../app/src/server";
import { cpuMs } from "../processes/cpu";
import { freePort, waitForPort } from "../processes/ports";
import { ready, startRedis, type RedisProcess } from "../processes/redis";
import { SortedSetLog } from "./sortedSetLog";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const WARMUP_S = 2;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONNECTIONS = 50;
const DISTINCT_KEYS = 1000;
const HOT_LIMIT = 100;
/** RATE_LIMIT_MAX's default (from the app's own schema), and how many light clients share it in the limiter-only row. */
const DEFAULT_LIMIT = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).rateLimit.max;
const LIGHT_KEYS = 100_000;
const WINDOW_MS = 60_000;

type ServerKind = "bare" | "app-nolimit" | "app-nolimit-nometrics" | "app-nolimit-logall" | "app-limit-nometrics" | "app-instant" | "app-noop-script" | "app-limit" | "app-zset" | "app-rlf";

/** The previous sorted-set log behind the app's limiter interface (headers: admitted/refused only). */
function sortedSetLimiter(client: Redis, limit: number, windowMs: number): RequestLimiter {
  const log = new SortedSetLog(client, limit, windowMs, "zset");
  return { windowMs, check: (identity) => log.check(identity).then((allowed) => ({ allowed, limit, remaining: 0, resetMs: windowMs })) };
}

/**
 * A limiter that admits at once without Redis: the app's rate-limited path (the awaits, the
 * RateLimit headers) at no store cost, so the rows with Redis show what the store itself adds.
 */
function instantLimiter(limit: number, windowMs: number): RequestLimiter {
  const decision: RateLimitDecision = { allowed: true, limit, remaining: limit - 1, resetMs: windowMs };
  return { windowMs, check: () => Promise.resolve(decision) };
}

/**
 * The store's round trip alone: the limiter's own batching (BatchedScript) with a script that reads
 * Redis' clock and admits every key without touching it. An exact limiter needs an atomic
 * read-and-update per check, which Redis only runs as a script, so any limiter asking Redis per
 * request here costs at least this row.
 */
const NOOP_LUA = `
local t = redis.call('TIME')
local out = {}
for i = 1, #ARGV - 2 do out[i] = 1 end
out[#out + 1] = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
return out
`;

function noopScriptLimiter(client: Redis, limit: number, windowMs: number): RequestLimiter {
  const script = new BatchedScript(client, "edgestackBenchNoop", NOOP_LUA, [limit, windowMs], "grouped", 1);
  return {
    windowMs,
    check: (identity) =>
      new Promise((resolve, reject) =>
        script.run({ key: rateLimitKey(identity, "noop", 1), field: identity, answer: (reply, at) => resolve({ allowed: true, limit, remaining: limit - reply[at]!, resetMs: windowMs }), fail: reject }),
      ),
  };
}

/** rate-limiter-flexible behind the app's limiter interface (same framework, same route). */
function rlfLimiter(client: Redis, limit: number, windowMs: number, keyPrefix: string): RequestLimiter {
  const raw = new RateLimiterRedis({ storeClient: client, points: limit, duration: windowMs / 1000, keyPrefix });
  const toDecision = (res: RateLimiterRes, allowed: boolean): RateLimitDecision => ({
    allowed,
    limit,
    remaining: res.remainingPoints,
    resetMs: res.msBeforeNext,
  });
  return {
    windowMs,
    check: (identity) =>
      raw.consume(identity).then(
        (res) => toDecision(res, true),
        (err: unknown) => {
          if (err instanceof RateLimiterRes) return toDecision(err, false);
          throw err;
        },
      ),
  };
}

async function serve(kind: ServerKind, port: number, redisUrl: string, limit: number): Promise<void> {
  // The parent asks for this process's CPU time around each measurement.
  process.on("message", () => process.send?.(process.cpuUsage()));
  if (kind === "bare") {
    const server = http.createServer((req, res) => {
      if (req.url === "/api/hello") {
        // The app's response byte for byte in shape: same body fields and the same extra headers
        // (X-Request-ID, X-Instance), so the load generator parses the same amount per response
        // (the app's client address, from X-Forwarded-For, is a few bytes longer than 127.0.0.1).
        const requestId = randomUUID();
        const body = JSON.stringify({ message: "hello", instance: "bench", clientIp: req.socket.remoteAddress, protocol: "http", requestId });
        res.writeHead(200, {
          "x-request-id": requestId,
          "x-instance": "bench",
          "content-type": "application/json; charset=utf-8",
          "content-length": Buffer.byteLength(body),
        });
        res.end(body);
      } else {
        res.writeHead(404);
        res.end();
      }
    });
    server.keepAliveTimeout = 65_000;
    server.listen(port, "127.0.0.1");
    return;
  }
  const config = loadConfig({
    PORT: String(port),
    HOST: "127.0.0.1",
    REDIS_URL: redisUrl,
    RATE_LIMIT_MAX: String(limit),
    RATE_LIMIT_WINDOW_MS: String(WINDOW_MS),
    TRUST_PROXY_CIDRS: "127.0.0.1/32",
    SHUTDOWN_DELAY_MS: "0",
    INSTANCE_ID: "bench",
    // LOG_LEVEL and ACCESS_LOG unset: the production defaults (info; access lines for 5xx and
    // slow responses only, nginx logs every request). One scenario shows a line per request.
    ...(kind === "app-nolimit-logall" ? { ACCESS_LOG: "all" } : {}),
    // Metrics are recorded as in production (the scrape itself, every 15 s or so, is not measured);
    // the -nometrics kinds turn them off to price them in the same run.
    METRICS: kind.endsWith("-nometrics") ? "off" : "on",
    METRICS_PORT: "0",
  });
  const limiter =
    kind === "app-nolimit" || kind === "app-nolimit-nometrics" || kind === "app-nolimit-logall"
      ? null
      : kind === "app-instant"
        ? instantLimiter(limit, WINDOW_MS)
        : kind === "app-noop-script"
        ? noopScriptLimiter(await ready(createRedisClient(redisUrl, 500)), limit, WINDOW_MS)
        : kind === "app-rlf"
        ? rlfLimiter(await ready(createRedisClient(redisUrl, 500)), limit, WINDOW_MS, "rlf")
        : kind === "app-zset"
          ? sortedSetLimiter(await ready(createRedisClient(redisUrl, 500)), limit, WINDOW_MS)
          : undefined;
  await createApp(config, { limiter }).listen();
}

interface HttpRun {
  rps: number;
  p99: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
  /** The server process's CPU time (user + system) per answered request, µs. */
  cpuUsPerRequest: number;
  /** The load generator's CPU time per request, µs (this process). */
  clientCpuUsPerRequest: number;
  /** Redis' CPU time per request, µs. */
  redisCpuUsPerRequest: number;
  /** The same for everything the request costs on this machine: load generator + server + Redis. */
  allCpuUsPerRequest: number;
}

function xffRequests(keys: number): autocannon.Request[] {
  return Array.from({ length: keys }, (_, i) => ({
    method: "GET" as const,
    path: "/api/hello",
    headers: { "x-forwarded-for": `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}` },
  }));
}

interface RunningServer {
  port: number;
  /** CPU time used by the server process so far, µs. */
  cpuMicros(): Promise<number>;
  stop(): Promise<void>;
}

async function startServer(kind: ServerKind, redisUrl: string, limit: number): Promise<RunningServer> {
  const port = await freePort();
  // stdout to /dev/null for every server alike (the app's access log included); IPC for CPU time.
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", __filename, "--serve", kind, String(port), redisUrl, String(limit)], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await waitForPort(port, 20_000);
  return {
    port,
    cpuMicros: () =>
      new Promise((resolve) => {
        child.once("message", (usage) => {
          const { user, system } = usage as NodeJS.CpuUsage;
          resolve(user + system);
        });
        child.send("cpu");
      }),
    async stop() {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

/** One autocannon run; every scenario gets exactly these settings. */
async function measureHttp(server: RunningServer, requests: autocannon.Request[], durationS: number, redisPid: number): Promise<HttpRun> {
  const cpuBefore = await server.cpuMicros();
  const [redisBefore, clientBefore] = [cpuMs(redisPid), process.cpuUsage()];
  const r = await autocannon({ url: `http://127.0.0.1:${server.port}`, connections: CONNECTIONS, pipelining: 1, duration: durationS, requests });
  const client = process.cpuUsage(clientBefore);
  const redisMicros = (cpuMs(redisPid) - redisBefore) * 1000;
  const cpu = (await server.cpuMicros()) - cpuBefore;
  const perRequest = (micros: number) => micros / Math.max(1, r.requests.total);
  return {
    rps: r.requests.average,
    p99: r.latency.p99,
    ok2xx: r["2xx"],
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuUsPerRequest: perRequest(cpu),
    clientCpuUsPerRequest: perRequest(client.user + client.system),
    redisCpuUsPerRequest: perRequest(redisMicros),
    allCpuUsPerRequest: perRequest(cpu + client.user + client.system + redisMicros),
  };
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface CheckResult {
  name: string;
  checksPerSec: number;
  admitted: number;
  /** Redis' CPU time per check, µs (the server's process, /proc). */
  redisUsPerCheck: number;
  /** This process's CPU time per check, µs: the app side (client library, limiter, the loop). */
  appUsPerCheck: number;
  redisCalls?: number;
}

/** Keeps `concurrency` checks in flight for `durationMs` and counts completions. */
async function runChecks(name: string, check: (key: string) => Promise<boolean>, keyOf: (i: number) => string, redisPid: number, durationMs = 3000, concurrency = 256): Promise<CheckResult> {
  let done = 0;
  let admitted = 0;
  let i = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    let mine = 0;
    while (performance.now() < end) {
      if (await check(keyOf(i++))) admitted++;
      done++;
      // Answers from the block cache resolve at once: without an event-loop turn now and then the
      // workers would only run microtasks, so a Redis reply in flight would go unread and time out.
      if (++mine % 64 === 0) await nextLoopTurn();
    }
  };
  const [redisBefore, appBefore] = [cpuMs(redisPid), process.cpuUsage()];
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - start) / 1000;
  const app = process.cpuUsage(appBefore);
  process.stderr.write(`  limiter only: ${name}: ${fmt(done / seconds)} checks/s\n`);
  return {
    name,
    checksPerSec: done / seconds,
    admitted,
    redisUsPerCheck: ((cpuMs(redisPid) - redisBefore) * 1000) / done,
    appUsPerCheck: (app.user + app.system) / done,
  };
}

const MEMORY_KEYS = 2000;
const MEMORY_LIMITS = [10, 100, 1000];

interface MemoryRow {
  structure: string;
  limit: number;
  bytesPerKey: number;
  encoding: string;
}

async function usedMemory(client: Redis): Promise<number> {
  const info = await client.info("memory");
  return Number(/used_memory:(\d+)/.exec(info)![1]);
}

/**
 * Bytes per key of each structure: MEMORY_KEYS keys each filled to the limit by real checks (the
 * counter of rate-limiter-flexible by one consume of `limit` points: the same final state), then
 * Redis' used_memory delta ÷ clients. Each structure's script is loaded before the baseline.
 */
async function measureMemory(url: string): Promise<MemoryRow[]> {
  const client = await ready(createRedisClient(url, 10_000));
  const rows: MemoryRow[] = [];
  const identities = Array.from({ length: MEMORY_KEYS }, (_, i) => `ip:10.1.${i >> 8}.${i & 255}`);
  try {
    for (const limit of MEMORY_LIMITS) {
      const ring = new SlidingWindowLimiter(client, { limit, windowMs: WINDOW_MS, prefix: `mr${limit}`, blockCacheEntries: 0 });
      const zset = new SortedSetLog(client, limit, WINDOW_MS, `mz${limit}`);
      const rlf = new RateLimiterRedis({ storeClient: client, points: limit, duration: WINDOW_MS / 1000, keyPrefix: `mf${limit}` });
      // The sliding window keeps every client as a field of one bucket hash (per group; one group on a node).
      const structures: { name: string; fill: (identity: string) => Promise<unknown>; perHit: boolean; key: string; keys: number }[] = [
        { name: "bucket hash (this limiter)", fill: (id) => ring.check(id), perHit: true, key: `${ring.key(identities[0]!)}:*`, keys: 1 },
        { name: "sorted set (previous)", fill: (id) => zset.check(id), perHit: true, key: `mz${limit}:{${identities[0]}}`, keys: MEMORY_KEYS },
        { name: "rate-limiter-flexible", fill: (id) => rlf.consume(id, limit), perHit: false, key: `mf${limit}:${identities[0]}`, keys: MEMORY_KEYS },
      ];
      for (const st of structures) {
        await client.flushall();
        await st.fill("warm-up");
        await client.flushall();
        const before = await usedMemory(client);
        const rounds = st.perHit ? limit : 1;
        for (let r = 0; r < rounds; r++) await Promise.all(identities.map(st.fill));
        const after = await usedMemory(client);
        const keys = await client.dbsize();
        if (keys !== st.keys) throw new Error(`${st.name} at limit ${limit}: ${keys} keys, expected ${st.keys}`);
        const key = st.key.endsWith("*") ? (await client.keys(st.key))[0]! : st.key;
        const encoding = (await client.object("ENCODING", key)) as string;
        rows.push({ structure: st.name, limit, bytesPerKey: (after - before) / MEMORY_KEYS, encoding });
      }
    }
  } finally {
    await client.flushall();
    client.disconnect();
  }
  return rows;
}

/** Two bursts of 2×limit, 100 ms apart, straddling the end of the first window. */
async function edgeTest(check: (key: string) => Promise<boolean>, key: string, limit: number, windowMs: number): Promise<number> {
  await check(key); // opens the window (fixed-window limiters start it at the first hit)
  const burst = async () => (await Promise.all(Array.from({ length: 2 * limit }, () => check(key)))).filter(Boolean).length;
  await sleep(windowMs - 50);
  const first = await burst();
  await sleep(100);
  const second = await burst();
  return first + second;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

/** The HTTP scenarios (autocannon against each server process) and their goal lines. */
async function httpBench(redis: RedisProcess, admin: Redis): Promise<void> {
  const all: { name: string; kind: ServerKind; limit: number; keys: number }[] = [
    { name: "bare node:http", kind: "bare", limit: 1, keys: DISTINCT_KEYS },
    { name: "app, no limiter", kind: "app-nolimit", limit: 1, keys: DISTINCT_KEYS },
    { name: "app, no limiter, METRICS=off", kind: "app-nolimit-nometrics", limit: 1, keys: DISTINCT_KEYS },
    { name: "app, no limiter, ACCESS_LOG=all", kind: "app-nolimit-logall", limit: 1, keys: DISTINCT_KEYS },
    { name: "app + instant limiter (no store)", kind: "app-instant", limit: 1_000_000, keys: DISTINCT_KEYS },
    { name: "app + no-op script, 1000 keys (round trip)", kind: "app-noop-script", limit: 1_000_000, keys: DISTINCT_KEYS },
    { name: "app + sliding window, 1000 keys", kind: "app-limit", limit: 1_000_000, keys: DISTINCT_KEYS },
    { name: "app + sliding window, 1000 keys, METRICS=off", kind: "app-limit-nometrics", limit: 1_000_000, keys: DISTINCT_KEYS },
    { name: "app + sorted set (previous), 1000 keys", kind: "app-zset", limit: 1_000_000, keys: DISTINCT_KEYS },
    { name: "app + rate-limiter-flexible, 1000 keys", kind: "app-rlf", limit: 1_000_000, keys: DISTINCT_KEYS },
    { name: "app + sliding window, 1 hot key", kind: "app-limit", limit: HOT_LIMIT, keys: 1 },
    { name: "app + rate-limiter-flexible, 1 hot key", kind: "app-rlf", limit: HOT_LIMIT, keys: 1 },
  ];
  // BENCH_SCENARIOS=app-limit,app-instant keeps those kinds (bare always: the ratios need it).
  const only = process.env.BENCH_SCENARIOS?.split(",");
  const scenarios = all.filter(({ kind }) => only === undefined || kind === "bare" || only.includes(kind));
  await admin.flushall();
  const loadAtStart = loadavg();
  const runs: HttpRun[][] = scenarios.map(() => []);
  const servers = await Promise.all(scenarios.map(({ kind, limit }) => startServer(kind, redis.url, limit)));
  try {
    const requestLists = scenarios.map(({ keys }) => xffRequests(keys));
    for (let k = 0; k < scenarios.length; k++) await measureHttp(servers[k]!, requestLists[k]!, WARMUP_S, redis.pid!);
    for (let round = 0; round < ROUNDS; round++) {
      const order = scenarios.map((_, k) => k);
      if (round % 2 === 1) order.reverse();
      for (const k of order) {
        const r = await measureHttp(servers[k]!, requestLists[k]!, DURATION_S, redis.pid!);
        runs[k]!.push(r);
        process.stderr.write(`  round ${round + 1}: ${scenarios[k]!.name}: ${fmt(r.rps)} req/s, ${fmt(r.cpuUsPerRequest, 1)} µs CPU/req\n`);
      }
    }
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
  }
  const loadAtEnd = loadavg();
  // Each round's ratio to the bare server of the same round: pairs measurements taken minutes
  // apart less than a ratio of medians does, and the range shows how much the machine wanders.
  const summary = runs.map((rs) => ({
    median: median(rs.map((r) => r.rps)),
    ratios: rs.map((r, round) => r.rps / runs[0]![round]!.rps),
    p99: median(rs.map((r) => r.p99)),
    cpu: median(rs.map((r) => r.cpuUsPerRequest)),
    clientCpu: median(rs.map((r) => r.clientCpuUsPerRequest)),
    redisCpu: median(rs.map((r) => r.redisCpuUsPerRequest)),
    allCpu: median(rs.map((r) => r.allCpuUsPerRequest)),
    // With every process on the same CPUs, req/s can be at most CPU / (all CPU per request):
    // this ratio is what the per-request costs alone allow, whatever the scheduling does.
    cpuBound: median(rs.map((r, round) => runs[0]![round]!.allCpuUsPerRequest / r.allCpuUsPerRequest)),
    ok2xx: rs.reduce((n, r) => n + r.ok2xx, 0),
    non2xx: rs.reduce((n, r) => n + r.non2xx, 0),
    errors: rs.reduce((n, r) => n + r.errors, 0),
  }));
  const range = (values: number[]) => `${fmt(Math.min(...values), 2)}–${fmt(Math.max(...values), 2)}`;
  const load = (l: number[]) => l.map((x) => x.toFixed(2)).join(" ");
  console.log(`\nHTTP GET /api/hello — ${CONNECTIONS} connections, pipelining 1, ${ROUNDS} rounds × ${DURATION_S} s after a ${WARMUP_S} s warm-up, order reversed every other round`);
  console.log(`servers: one child process each, stdout → /dev/null; app logging: production defaults (info, ACCESS_LOG=errors) unless stated; Redis ${redis.url}`);
  console.log(`load average (1/5/15 min) at start: ${load(loadAtStart)}, at end: ${load(loadAtEnd)} on ${availableParallelism()} CPUs`);
  console.log(
    `${"scenario".padEnd(42)}${"median/s".padStart(10)}${"×bare".padStart(7)}${"rounds ×bare".padStart(14)}${"p99 ms".padStart(8)}${"CPU µs/req".padStart(12)}${"gen".padStart(7)}${"Redis".padStart(7)}${"all CPU".padStart(9)}${"CPU-bound ×bare".padStart(17)}${"2xx".padStart(10)}${"non-2xx".padStart(10)}${"errors".padStart(8)}`,
  );
  for (let k = 0; k < scenarios.length; k++) {
    const r = summary[k]!;
    console.log(
      `${scenarios[k]!.name.padEnd(42)}${fmt(r.median).padStart(10)}${(fmt(median(r.ratios), 2) + "×").padStart(7)}${range(r.ratios).padStart(14)}${fmt(r.p99).padStart(8)}${fmt(r.cpu, 1).padStart(12)}${fmt(r.clientCpu, 1).padStart(7)}${fmt(r.redisCpu, 1).padStart(7)}${fmt(r.allCpu, 1).padStart(9)}${(fmt(r.cpuBound, 2) + "×").padStart(17)}${String(r.ok2xx).padStart(10)}${String(r.non2xx).padStart(10)}${String(r.errors).padStart(8)}`,
    );
  }
  const goal = (name: string, scenario: string, target: number) => {
    const k = scenarios.findIndex((sc) => sc.name === scenario);
    if (k < 0) return;
    console.log(
      `  goal ${name}: ${fmt(median(summary[k]!.ratios), 2)}× (median of the rounds' ratios; rounds ${range(summary[k]!.ratios)}; ` +
        `CPU-bound ${fmt(summary[k]!.cpuBound, 2)}×; goal ≥ ${target}×)`,
    );
  };
  goal("API route vs bare", "app, no limiter", 0.85);
  goal("with limiter, 1000 keys, vs bare", "app + sliding window, 1000 keys", 0.85);
  // The metrics' price: app CPU per request with minus without, paired round by round.
  const metricsCost = (withKind: ServerKind, withoutKind: ServerKind, label: string) => {
    const [a, b] = [scenarios.findIndex((sc) => sc.kind === withKind), scenarios.findIndex((sc) => sc.kind === withoutKind)];
    if (a < 0 || b < 0) return;
    const deltas = runs[a]!.map((r, round) => r.cpuUsPerRequest - runs[b]![round]!.cpuUsPerRequest);
    const share = median(runs[a]!.map((r, round) => r.cpuUsPerRequest / runs[b]![round]!.cpuUsPerRequest));
    console.log(`  metrics cost, ${label}: ${fmt(median(deltas), 2)} µs app CPU per request (rounds ${range(deltas)}), ${fmt(share, 3)}× the app's CPU without metrics`);
  };
  metricsCost("app-nolimit", "app-nolimit-nometrics", "no limiter");
  metricsCost("app-limit", "app-limit-nometrics", "sliding window");
  const floor = scenarios.findIndex((sc) => sc.kind === "app-noop-script");
  if (floor >= 0) {
    console.log(
      `  ceiling for any limiter that asks Redis per request on these CPUs (the no-op script row): ${fmt(median(summary[floor]!.ratios), 2)}× ` +
        `(rounds ${range(summary[floor]!.ratios)}; CPU-bound ${fmt(summary[floor]!.cpuBound, 2)}×)`,
    );
  }
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const admin = createRedisClient(redis.url, 2000);
  await ready(admin);
  try {
    if (process.env.BENCH_LIMITER_ONLY !== "1") await httpBench(redis, admin);
    if (process.env.BENCH_HTTP_ONLY === "1") return;

    // Limiter-only throughput: the same Redis, one ioredis client each.
    await admin.flushall();
    const oursDistinct = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: 1_000_000, windowMs: WINDOW_MS, prefix: "ours-d" });
    // The production default (100 a minute) for many light clients: rings read whole, one MGET a batch.
    const oursDefault = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: DEFAULT_LIMIT, windowMs: WINDOW_MS, prefix: "ours-l" });
    const zsetDistinct = new SortedSetLog(await ready(createRedisClient(redis.url, 2000)), 1_000_000, WINDOW_MS, "zset-d");
    const noopDistinct = noopScriptLimiter(await ready(createRedisClient(redis.url, 2000)), 1_000_000, WINDOW_MS);
    const oursHot = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: HOT_LIMIT, windowMs: WINDOW_MS, prefix: "ours-h" });
    const theirsDistinct = rlfLimiter(await ready(createRedisClient(redis.url, 2000)), 1_000_000, WINDOW_MS, "rlf-d");
    const theirsHot = rlfLimiter(await ready(createRedisClient(redis.url, 2000)), HOT_LIMIT, WINDOW_MS, "rlf-h");
    const asBool = (l: RequestLimiter) => (key: string) => l.check(key).then((d) => d.allowed);
    const distinctKey = (i: number) => `ip:10.0.${(i % DISTINCT_KEYS) >> 8}.${i % 256}`;
    const pid = redis.pid!;
    // Reference (rate-limiter-flexible) row of each group is its last row.
    const groups: CheckResult[][] = [
      [
        await runChecks("sliding window (ring), 1000 keys", asBool(oursDistinct), distinctKey, pid),
        await runChecks(`sliding window (ring), L=${DEFAULT_LIMIT}, ${fmt(LIGHT_KEYS)} keys`, asBool(oursDefault), (i) => `ip:10.${(i % LIGHT_KEYS) >> 16}.${((i % LIGHT_KEYS) >> 8) & 255}.${i & 255}`, pid),
        await runChecks("sliding window (sorted set, previous), 1000 keys", (key) => zsetDistinct.check(key), distinctKey, pid),
        await runChecks("no-op script (the round trip alone), 1000 keys", asBool(noopDistinct), distinctKey, pid),
        await runChecks("rate-limiter-flexible, 1000 keys", asBool(theirsDistinct), distinctKey, pid),
      ],
      [
        { ...(await runChecks("sliding window (ring), 1 hot key", asBool(oursHot), () => "ip:hot", pid)), redisCalls: oursHot.redisCalls },
        await runChecks("rate-limiter-flexible, 1 hot key", asBool(theirsHot), () => "ip:hot", pid),
      ],
    ];
    console.log(`\nLimiter only — 256 concurrent checks, 3 s each; CPU per check from /proc (Redis) and process.cpuUsage (app side)`);
    console.log(`${"limiter".padEnd(52)}${"checks/s".padStart(12)}${"vs RLF".padStart(9)}${"Redis µs/check".padStart(16)}${"app µs/check".padStart(14)}${"admitted".padStart(12)}`);
    for (const group of groups) {
      const ref = group[group.length - 1]!.checksPerSec;
      for (const c of group) {
        const extra = c.redisCalls !== undefined ? `  (${c.redisCalls} script calls to Redis)` : "";
        console.log(
          `${c.name.padEnd(52)}${fmt(c.checksPerSec).padStart(12)}${(fmt(c.checksPerSec / ref, 2) + "×").padStart(9)}${fmt(c.redisUsPerCheck, 2).padStart(16)}${fmt(c.appUsPerCheck, 2).padStart(14)}${String(c.admitted).padStart(12)}${extra}`,
        );
      }
    }
    const [ringRow, , , , rlfRow] = groups[0]!;
    console.log(`  goal checks/s on distinct keys vs rate-limiter-flexible: ${fmt(ringRow!.checksPerSec / rlfRow!.checksPerSec, 2)}× (goal ≥ 2×)`);

    // Exactness across a window edge: limit 100 per 1 s.
    const edgeOurs = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: 100, windowMs: 1000, prefix: "edge-o" });
    const edgeTheirs = rlfLimiter(await ready(createRedisClient(redis.url, 2000)), 100, 1000, "edge-r");
    const oursEdge = await edgeTest(asBool(edgeOurs), "ip:edge", 100, 1000);
    const theirsEdge = await edgeTest(asBool(edgeTheirs), "ip:edge", 100, 1000);
    console.log(`\nWindow edge (limit 100 per 1 s; 1 hit, then 200 at t=950 ms and 200 at t=1050 ms):`);
    console.log(`  admitted within those 100 ms — sliding window: ${oursEdge} (ideal 99 + 1 freed = 100), rate-limiter-flexible: ${theirsEdge}`);

    // Memory: bytes per key filled to the limit, for each structure.
    const memory = await measureMemory(redis.url);
    console.log(`\nMemory — ${MEMORY_KEYS} clients each filled to the limit, Redis used_memory delta ÷ clients (goal for the sliding window: ≤ 8·L + 400 B)`);
    console.log(`${"structure".padEnd(26)}${"limit".padStart(7)}${"bytes/key".padStart(11)}${"bytes/hit".padStart(11)}${"encoding".padStart(10)}${"goal".padStart(16)}`);
    for (const row of memory) {
      const ring = row.structure.startsWith("bucket hash");
      const goalText = ring ? `${row.bytesPerKey <= 8 * row.limit + 400 ? "met" : "MISSED"} ≤ ${8 * row.limit + 400}` : "";
      console.log(
        `${row.structure.padEnd(26)}${String(row.limit).padStart(7)}${fmt(row.bytesPerKey).padStart(11)}${fmt(row.bytesPerKey / row.limit).padStart(11)}${row.encoding.padStart(10)}${goalText.padStart(16)}`,
      );
    }
  } finally {
    admin.disconnect();
    await redis.dispose();
  }
  process.exit(0);
}

if (process.argv[2] === "--serve") {
  const [, , , kind, port, redisUrl, limit] = process.argv;
  serve(kind as ServerKind, Number(port), redisUrl!, Number(limit)).catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
} else {
  main().catch((err: unknown) => {
    console.error(err);
    process.exit(1);
  });
}
