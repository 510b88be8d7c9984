/**
 * `npm run bench:app`: the app's speed goals, measured side by side in one run on one Redis.
 *
 * HTTP (autocannon, 50 connections, 4 s per scenario and round after a 1 s warm-up; every server
 * is its own child process so the load generator does not share its event loop; scenarios are
 * interleaved over 2 rounds and the best round counts, because the 2-core machine is shared):
 *   bare node:http (the limit) · app without limiter · app + sliding window on 1000 distinct keys ·
 *   app + sliding window on one hot key · the app with rate-limiter-flexible instead (distinct/hot).
 * Limiter only (checks/s, 256 concurrent checks, 3 s each): ours vs RateLimiterRedis.
 * Window-edge exactness: admitted hits of two bursts 100 ms apart across a window edge.
 *
 * Child mode (internal): `tsx tools/bench/app.ts --serve <kind> <port> <redisUrl>`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import * as http from "node:http";
import { performance } from "node:perf_hooks";
import autocannon from "autocannon";
import { RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { loadConfig } from "../../app/src/config";
import type { RateLimitDecision } from "../../app/src/rateLimit/headers";
import { SlidingWindowLimiter } from "../../app/src/rateLimit/slidingWindow";
import { createRedisClient } from "../../app/src/redis";
import type { Redis } from "ioredis";
import { createApp, type RequestLimiter } from "../../app/src/server";
import { freePort, waitForPort } from "../processes/ports";
import { startRedis } from "../processes/redis";

const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 4);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 2);
const CONNECTIONS = 50;
const DISTINCT_KEYS = 1000;
const HOT_LIMIT = 100;
const WINDOW_MS = 60_000;

type ServerKind = "bare" | "app-nolimit" | "app-limit" | "app-rlf";

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
  if (kind === "bare") {
    const server = http.createServer((req, res) => {
      if (req.url === "/api/hello") {
        const body = JSON.stringify({ message: "hello", instance: "bench", clientIp: req.socket.remoteAddress, requestId: randomUUID() });
        res.writeHead(200, { "content-type": "application/json; charset=utf-8", "content-length": Buffer.byteLength(body) });
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
    TRUST_PROXY_HOPS: "1",
    SHUTDOWN_DELAY_MS: "0",
    INSTANCE_ID: "bench",
    // Access logs off, as the bare server has none (nginx keeps the access log in front).
    LOG_LEVEL: "warn",
  });
  const limiter = kind === "app-nolimit" ? null : kind === "app-rlf" ? rlfLimiter(await ready(createRedisClient(redisUrl, 500)), limit, WINDOW_MS, "rlf") : undefined;
  await createApp(config, { limiter }).listen();
}

interface HttpResult {
  name: string;
  rps: number;
  p99: number;
  ok2xx: number;
  non2xx: number;
  errors: number;
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
  stop(): Promise<void>;
}

async function startServer(kind: ServerKind, redisUrl: string, limit: number): Promise<RunningServer> {
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, ["--import", "tsx", __filename, "--serve", kind, String(port), redisUrl, String(limit)], {
    stdio: ["ignore", "ignore", "inherit"],
  });
  await waitForPort(port, 20_000);
  return {
    port,
    async stop() {
      child.kill("SIGKILL");
      if (child.exitCode === null && child.signalCode === null) await new Promise((resolve) => child.once("exit", resolve));
    },
  };
}

async function measureHttp(name: string, port: number, keys: number, warmup: boolean): Promise<HttpResult> {
  const requests = xffRequests(keys);
  if (warmup) await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: 1, requests });
  const r = await autocannon({ url: `http://127.0.0.1:${port}`, connections: CONNECTIONS, duration: DURATION_S, requests });
  return { name, rps: r.requests.average, p99: r.latency.p99, ok2xx: r["2xx"], non2xx: r.non2xx, errors: r.errors + r.timeouts };
}

/** ioredis with enableOfflineQueue: false rejects commands until connected. */
function ready(client: Redis): Promise<Redis> {
  return client.status === "ready" ? Promise.resolve(client) : new Promise((resolve) => client.once("ready", () => resolve(client)));
}

interface CheckResult {
  name: string;
  checksPerSec: number;
  admitted: number;
  redisCalls?: number;
}

/** Keeps `concurrency` checks in flight for `durationMs` and counts completions. */
async function runChecks(name: string, check: (key: string) => Promise<boolean>, keyOf: (i: number) => string, durationMs = 3000, concurrency = 256): Promise<CheckResult> {
  let done = 0;
  let admitted = 0;
  let i = 0;
  const end = performance.now() + durationMs;
  const worker = async () => {
    while (performance.now() < end) {
      if (await check(keyOf(i++))) admitted++;
      done++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { name, checksPerSec: done / ((performance.now() - start) / 1000), admitted };
}

/** Two bursts of 2×limit, 100 ms apart, straddling the end of the first window. */
async function edgeTest(check: (key: string) => Promise<boolean>, key: string, limit: number, windowMs: number): Promise<number> {
  await check(key); // opens the window (fixed-window limiters start it at the first hit)
  const burst = async () => (await Promise.all(Array.from({ length: 2 * limit }, () => check(key)))).filter(Boolean).length;
  await new Promise((r) => setTimeout(r, windowMs - 50));
  const first = await burst();
  await new Promise((r) => setTimeout(r, 100));
  const second = await burst();
  return first + second;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<void> {
  const redis = await startRedis();
  const admin = createRedisClient(redis.url, 2000);
  await ready(admin);
  const results: (HttpResult | undefined)[] = [];
  try {
    const scenarios: [string, ServerKind, number, number][] = [
      ["bare node:http", "bare", 1, DISTINCT_KEYS],
      ["app, no limiter", "app-nolimit", 1, DISTINCT_KEYS],
      ["app + sliding window, 1000 keys", "app-limit", 1_000_000_000, DISTINCT_KEYS],
      ["app + rate-limiter-flexible, 1000 keys", "app-rlf", 1_000_000_000, DISTINCT_KEYS],
      ["app + sliding window, 1 hot key", "app-limit", HOT_LIMIT, 1],
      ["app + rate-limiter-flexible, 1 hot key", "app-rlf", HOT_LIMIT, 1],
    ];
    await admin.flushall();
    const servers = await Promise.all(scenarios.map(([, kind, limit]) => startServer(kind, redis.url, limit)));
    try {
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < scenarios.length; k++) {
          const [name, , , keys] = scenarios[k]!;
          const r = await measureHttp(name, servers[k]!.port, keys, round === 0);
          if (results[k] === undefined || r.rps > results[k]!.rps) results[k] = r;
          process.stderr.write(`  round ${round + 1}: ${name}: ${fmt(r.rps)} req/s\n`);
        }
      }
    } finally {
      await Promise.all(servers.map((s) => s.stop()));
    }
    const bare = results[0]!.rps;
    const measured = results as HttpResult[];
    console.log(`\nHTTP GET /api/hello — ${CONNECTIONS} connections, best of ${ROUNDS} rounds × ${DURATION_S} s, Redis ${redis.url}`);
    console.log(`${"scenario".padEnd(42)}${"req/s".padStart(10)}${"p99 ms".padStart(8)}${"vs bare".padStart(9)}${"2xx".padStart(10)}${"non-2xx".padStart(10)}${"errors".padStart(8)}`);
    for (const r of measured) {
      console.log(
        `${r.name.padEnd(42)}${fmt(r.rps).padStart(10)}${fmt(r.p99).padStart(8)}${(fmt(r.rps / bare, 2) + "×").padStart(9)}${String(r.ok2xx).padStart(10)}${String(r.non2xx).padStart(10)}${String(r.errors).padStart(8)}`,
      );
    }

    // Limiter-only throughput: the same Redis, one ioredis client each.
    await admin.flushall();
    const oursDistinct = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: 1_000_000_000, windowMs: WINDOW_MS, prefix: "ours-d" });
    const oursHot = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: HOT_LIMIT, windowMs: WINDOW_MS, prefix: "ours-h" });
    const theirsDistinct = rlfLimiter(await ready(createRedisClient(redis.url, 2000)), 1_000_000_000, WINDOW_MS, "rlf-d");
    const theirsHot = rlfLimiter(await ready(createRedisClient(redis.url, 2000)), HOT_LIMIT, WINDOW_MS, "rlf-h");
    const asBool = (l: RequestLimiter) => (key: string) => l.check(key).then((d) => d.allowed);
    const distinctKey = (i: number) => `ip:10.0.${(i % DISTINCT_KEYS) >> 8}.${i % 256}`;
    const checks = [
      await runChecks("sliding window, 1000 keys", asBool(oursDistinct), distinctKey),
      await runChecks("rate-limiter-flexible, 1000 keys", asBool(theirsDistinct), distinctKey),
      { ...(await runChecks("sliding window, 1 hot key", asBool(oursHot), () => "ip:hot")), redisCalls: oursHot.redisCalls },
      await runChecks("rate-limiter-flexible, 1 hot key", asBool(theirsHot), () => "ip:hot"),
    ];
    console.log(`\nLimiter only — 256 concurrent checks, 3 s each`);
    console.log(`${"limiter".padEnd(42)}${"checks/s".padStart(12)}${"vs RLF".padStart(9)}${"admitted".padStart(12)}`);
    for (let k = 0; k < checks.length; k++) {
      const c = checks[k]!;
      const ref = checks[k - (k % 2) + 1]!.checksPerSec;
      const extra = c.redisCalls !== undefined ? `  (${c.redisCalls} script calls to Redis)` : "";
      console.log(`${c.name.padEnd(42)}${fmt(c.checksPerSec).padStart(12)}${(fmt(c.checksPerSec / ref, 2) + "×").padStart(9)}${String(c.admitted).padStart(12)}${extra}`);
    }

    // Exactness across a window edge: limit 100 per 1 s.
    const edgeOurs = new SlidingWindowLimiter(await ready(createRedisClient(redis.url, 2000)), { limit: 100, windowMs: 1000, prefix: "edge-o" });
    const edgeTheirs = rlfLimiter(await ready(createRedisClient(redis.url, 2000)), 100, 1000, "edge-r");
    const oursEdge = await edgeTest(asBool(edgeOurs), "ip:edge", 100, 1000);
    const theirsEdge = await edgeTest(asBool(edgeTheirs), "ip:edge", 100, 1000);
    console.log(`\nWindow edge (limit 100 per 1 s; 1 hit, then 200 at t=950 ms and 200 at t=1050 ms):`);
    console.log(`  admitted within those 100 ms — sliding window: ${oursEdge} (ideal 99 + 1 freed = 100), rate-limiter-flexible: ${theirsEdge}`);
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
