/**
 * `npm run bench:redis`: Redis CPU per rate-limit check, the sliding window against the floor.
 *
 * The floor is a script that returns a constant for every key (local/bench/redisFloor.ts) sent
 * through the limiter's own batching with the same keys, the same arguments (limit, window) and the
 * same number of checks in flight: what any limiter that asks Redis per check costs at least. The
 * goal: the sliding window within 2× the floor, measured in the same run.
 *
 * One private redis-server; its CPU time is read from /proc/<pid>/task/<tid>/schedstat (ns) around
 * each measurement, divided by the checks Redis answered (the block cache is off, so every check
 * reaches Redis). With taskset available, Redis runs on CPU 1 and this process (the load) on CPU 0.
 * Each row: a fresh database, a warm-up (not counted), then BENCH_DURATION_MS of checks from
 * BENCH_CONCURRENCY workers; BENCH_ROUNDS rounds, the ring and the floor in alternating order, so
 * drift in the machine's load hits both alike. Printed per row: the medians with their range and
 * the median of the per-round ratios with its range.
 *
 * Rows: the default limit on 1000 clients (a mix that depends on the machine's speed: each client's
 * first L checks are admitted, the rest refused), the same clients each over its limit before the
 * measurement (every check a refusal: the steady state of clients over their limit), many light
 * clients at the default limit (most checks create their field), and a limit no client reaches
 * (every check admitted, fields growing).
 *
 * BENCH_FLOOR3=1 adds the floor in the reply shape the limiter had before (three integers per check
 * instead of one) and prints the contenders' ratios to it too.
 *
 * BENCH_READ_WRITE=1 adds a contender that only HMGETs each check's field and HSETs it to a fixed
 * 16-byte value (local/bench/redisFloor.ts): the least any limiter reading and writing a field per
 * check with batched hash commands costs. BENCH_BEFORE=<git revision> adds that revision's limiter (app/src/rateLimit as committed there,
 * loaded from a temporary copy) as a third contender in the same rounds, so a change is measured
 * before and after in one run; BENCH_ROWS=1,3 runs only those rows (1-based).
 */
import { execFileSync } from "node:child_process";
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import { setImmediate as nextLoopTurn } from "node:timers/promises";
import type { Redis } from "ioredis";
import { loadConfig } from "../../app/src/config";
import { BatchedScript } from "../../app/src/rateLimit/batchedScript";
import { rateLimitKey, SlidingWindowLimiter } from "../../app/src/rateLimit/slidingWindow";
import { createRedisClient } from "../../app/src/redis";
import { cpuNs } from "../processes/cpu";
import { limiterAt, type LimiterClass } from "./limiterAt";
import { ready, startRedis } from "../processes/redis";
import { CONSTANT_SCRIPT_LUA, CONSTANT_THREE_SCRIPT_LUA, READ_WRITE_SCRIPT_LUA } from "./redisFloor";
import { fmt, median, spread } from "./stats";

const DURATION_MS = Number(process.env.BENCH_DURATION_MS ?? 2000);
const WARMUP_MS = Number(process.env.BENCH_WARMUP_MS ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 256);
const WINDOW_MS = 60_000;
const GOAL = 2;
/** RATE_LIMIT_MAX's default, from the app's own schema. */
const DEFAULT_LIMIT = loadConfig({ REDIS_URL: "redis://127.0.0.1:6379" }).rateLimit.max;

interface Row {
  name: string;
  limit: number;
  clients: number;
  /** Each client sends `limit` checks before the warm-up, so every measured check is refused. */
  overLimit?: boolean;
}

const ALL_ROWS: Row[] = [
  { name: `L=${DEFAULT_LIMIT} (default), 1000 clients`, limit: DEFAULT_LIMIT, clients: 1000 },
  { name: `L=${DEFAULT_LIMIT}, 1000 clients over their limit`, limit: DEFAULT_LIMIT, clients: 1000, overLimit: true },
  { name: `L=${DEFAULT_LIMIT} (default), 100,000 light clients`, limit: DEFAULT_LIMIT, clients: 100_000 },
  { name: "L=1,000,000 (every check admitted), 1000 clients", limit: 1_000_000, clients: 1000 },
];
/** BENCH_ROWS=1,3 runs only those rows (1-based), e.g. to profile one of them. */
const ROWS = process.env.BENCH_ROWS === undefined ? ALL_ROWS : process.env.BENCH_ROWS.split(",").map((i) => ALL_ROWS[Number(i) - 1]!);

interface Measurement {
  usPerCheck: number;
  checksPerSec: number;
  checksPerCall: number;
}

type Check = (identity: string) => Promise<unknown>;

/** A check through a script answering a constant, batched like the limiter, with its keys and arguments. */
function floorCheck(client: Redis, limit: number, lua = CONSTANT_SCRIPT_LUA, name = "edgestackBenchFloor", valuesPerCall = 1): { check: Check; calls: () => number } {
  const script = new BatchedScript(client, name, lua, [limit, WINDOW_MS], "grouped", valuesPerCall);
  return {
    check: (identity) => new Promise((resolve, reject) => script.run({ key: rateLimitKey(identity, undefined, 1), field: identity, answer: resolve, fail: reject })),
    calls: () => script.calls,
  };
}

function ringCheck(Limiter: LimiterClass, client: Redis, limit: number): { check: Check; calls: () => number } {
  const limiter = new Limiter(client, { limit, windowMs: WINDOW_MS, blockCacheEntries: 0 });
  return { check: (identity) => limiter.check(identity), calls: () => limiter.redisCalls };
}

/** Keeps CONCURRENCY checks in flight over the row's clients in turn for `ms`; returns the checks made. */
async function drive(check: Check, clients: number, ms: number): Promise<number> {
  let next = 0;
  let done = 0;
  const end = performance.now() + ms;
  const worker = async () => {
    let mine = 0;
    while (performance.now() < end) {
      const k = next++ % clients;
      await check(`ip:10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`);
      done++;
      if (++mine % 64 === 0) await nextLoopTurn();
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  return done;
}

/** Sends `limit` checks for each of `clients` (CONCURRENCY in flight), in the order drive() uses. */
async function fill(check: Check, clients: number, limit: number): Promise<void> {
  let next = 0;
  const total = clients * limit;
  const worker = async () => {
    while (next < total) {
      const k = next++ % clients;
      await check(`ip:10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`);
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
}

type Kind = "ring" | "before" | "readWrite" | "floor3" | "floor";

async function measure(url: string, admin: Redis, redisPid: number, row: Row, kind: Kind, before: LimiterClass | undefined): Promise<Measurement> {
  await admin.flushall();
  const client = await ready(createRedisClient(url, 10_000));
  try {
    const { check, calls } =
      kind === "floor"
        ? floorCheck(client, row.limit)
        : kind === "floor3"
          ? floorCheck(client, row.limit, CONSTANT_THREE_SCRIPT_LUA, "edgestackBenchFloor3", 3)
          : kind === "readWrite"
          ? floorCheck(client, row.limit, READ_WRITE_SCRIPT_LUA, "edgestackBenchReadWrite")
          : ringCheck(kind === "before" ? before! : SlidingWindowLimiter, client, row.limit);
    if (row.overLimit === true) await fill(check, row.clients, row.limit);
    await drive(check, row.clients, WARMUP_MS);
    const [callsBefore, cpuBefore, start] = [calls(), cpuNs(redisPid), performance.now()];
    const checks = await drive(check, row.clients, DURATION_MS);
    const seconds = (performance.now() - start) / 1000;
    return { usPerCheck: (cpuNs(redisPid) - cpuBefore) / 1000 / checks, checksPerSec: checks / seconds, checksPerCall: checks / (calls() - callsBefore) };
  } finally {
    client.disconnect();
  }
}


/** Pins a process to one CPU with taskset; false when taskset is missing or the CPU does not exist. */
function pin(pid: number, cpu: number): boolean {
  try {
    execFileSync("taskset", ["-cp", String(cpu), String(pid)], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

async function main(): Promise<void> {
  const redis = await startRedis();
  const admin = await ready(createRedisClient(redis.url, 10_000));
  const pid = redis.pid!;
  const pinned = pin(pid, 1) && pin(process.pid, 0);
  const loadAtStart = loadavg()[0]!;
  const beforeRevision = process.env.BENCH_BEFORE;
  const before = beforeRevision === undefined ? undefined : await limiterAt(beforeRevision);
  const extras: Kind[] = [
    ...(before === undefined ? [] : (["before"] as const)),
    ...(process.env.BENCH_READ_WRITE === "1" ? (["readWrite"] as const) : []),
    ...(process.env.BENCH_FLOOR3 === "1" ? (["floor3"] as const) : []),
  ];
  const kinds: Kind[] = ["ring", ...extras, "floor"];
  try {
    console.log(`Redis CPU per rate-limit check (schedstat of redis-server ${pid}${pinned ? ", Redis on CPU 1, load on CPU 0" : ", not pinned"}); ${CONCURRENCY} checks in flight, block cache off`);
    console.log(`${ROUNDS} rounds of ${DURATION_MS} ms each after ${WARMUP_MS} ms warm-up (the over-limit row: after L checks per client first), ${kinds.join(", ")} in turn (order reversed every other round); floor: a script returning a constant, same keys, arguments and batching${before === undefined ? "" : `; before: the limiter at ${beforeRevision}`}${extras.includes("readWrite") ? "; readWrite: HMGET + HSET of a 16-byte value per check, nothing else" : ""}${extras.includes("floor3") ? "; floor3: the floor answering three integers per check (the reply shape before), 'to floor3': a contender's ratio to it" : ""}`);
    const toFloor3: Kind[] = extras.includes("floor3") ? ["ring", ...extras.filter((k) => k === "before")] : [];
    const extraColumns =
      extras.map((kind) => `${`${kind} µs/check`.padStart(22)}${`${kind} ratio`.padStart(20)}`).join("") + toFloor3.map((kind) => `${kind} to floor3`.padStart(20)).join("");
    const header = `${"row".padEnd(50)}${"ring µs/check".padStart(22)}${"floor µs/check".padStart(22)}${"ratio".padStart(20)}${"goal".padStart(12)}${"keys/call".padStart(16)}${"ring checks/s".padStart(16)}${extraColumns}`;
    const lines: string[] = [];
    for (const row of ROWS) {
      const runs: Record<Kind, Measurement[]> = { ring: [], before: [], readWrite: [], floor3: [], floor: [] };
      for (let round = 0; round < ROUNDS; round++) {
        for (const kind of round % 2 === 0 ? kinds : [...kinds].reverse()) {
          const m = await measure(redis.url, admin, pid, row, kind, before?.Limiter);
          runs[kind].push(m);
          process.stderr.write(`  round ${round + 1} ${row.name}: ${kind} ${fmt(m.usPerCheck)} µs/check, ${fmt(m.checksPerSec, 0)} checks/s, ${fmt(m.checksPerCall, 1)} keys/call\n`);
        }
      }
      const { ring, floor } = runs;
      const ratiosOf = (ms: Measurement[]) => ms.map((r, i) => r.usPerCheck / floor[i]!.usPerCheck);
      const ratios = ratiosOf(ring);
      const ringUs = ring.map((m) => m.usPerCheck);
      const floorUs = floor.map((m) => m.usPerCheck);
      const ratio = median(ratios);
      lines.push(
        `${row.name.padEnd(50)}${`${fmt(median(ringUs))} (${spread(ringUs)})`.padStart(22)}${`${fmt(median(floorUs))} (${spread(floorUs)})`.padStart(22)}` +
          `${`${fmt(ratio)}× (${spread(ratios)})`.padStart(20)}${`${ratio <= GOAL ? "met" : "MISSED"} ≤ ${GOAL}×`.padStart(12)}` +
          `${`${fmt(median(ring.map((m) => m.checksPerCall)), 0)} / ${fmt(median(floor.map((m) => m.checksPerCall)), 0)}`.padStart(16)}${fmt(median(ring.map((m) => m.checksPerSec)), 0).padStart(16)}` +
          extras
            .map((kind) => {
              const us = runs[kind].map((m) => m.usPerCheck);
              const ratios = ratiosOf(runs[kind]);
              return `${`${fmt(median(us))} (${spread(us)})`.padStart(22)}${`${fmt(median(ratios))}× (${spread(ratios)})`.padStart(20)}`;
            })
            .join("") +
          toFloor3
            .map((kind) => {
              const ratios = runs[kind].map((r, i) => r.usPerCheck / runs.floor3[i]!.usPerCheck);
              return `${fmt(median(ratios))}× (${spread(ratios)})`.padStart(20);
            })
            .join(""),
      );
    }
    console.log(header);
    for (const line of lines) console.log(line);
    console.log(`load average (1 min): ${fmt(loadAtStart)} at start, ${fmt(loadavg()[0]!)} at end on ${ROUNDS} rounds; ratios are per round (each contender and the floor measured back to back)`);
  } finally {
    before?.dispose();
    admin.disconnect();
    await redis.dispose();
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
