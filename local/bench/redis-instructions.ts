/**
 * `npm run bench:redis:instructions`: Redis' user-space instructions per rate-limit check (valgrind's
 * callgrind, Ir of redis-server, every thread) for fixed sequences of checks — figures that do not
 * move with the machine's load, unlike the CPU time of `bench:redis`, whose rounds wander by more
 * than most changes to the script are worth. Not CPU time: the socket's system calls are not
 * counted (they cost the floor and the limiter alike per batch).
 *
 * Contenders (each from an empty database in the same redis-server): the limiter, the floor (a
 * script returning a constant for every check in the limiter's reply shape, local/bench/redisFloor.ts),
 * floor3 (the same answering three integers per check, the shape before), readWrite (one HMGET and
 * one HSET of a fixed value per check) and, with BENCH_BEFORE=<git revision>, that revision's
 * limiter. Checks go in batches of exactly MAX_BATCH (one script call each), clients in turn as in
 * `bench:redis`; the window is an hour, so a run normally stays inside one bucket (a run that
 * crosses a bucket boundary is flagged). Rows:
 * - L=100, 1000 clients: their first 100 checks each (all admitted, counted from an empty
 *   database), then 50 more each (all refused), and the mix of both (150 checks per client);
 * - L=100, 20,000 light clients, 2 checks each (a new field, then an append);
 * - L=1,000,000, 1000 clients, 100 checks each (every check admitted, fields growing).
 */
import { execFileSync, spawn } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import type { Redis } from "ioredis";
import { BatchedScript, MAX_BATCH } from "../../app/src/rateLimit/batchedScript";
import { rateLimitKey, SlidingWindowLimiter } from "../../app/src/rateLimit/slidingWindow";
import { createRedisClient } from "../../app/src/redis";
import { freePort, waitForPort } from "../processes/ports";
import { ready } from "../processes/redis";
import { limiterAt, type LimiterClass } from "./limiterAt";
import { CONSTANT_SCRIPT_LUA, CONSTANT_THREE_SCRIPT_LUA, READ_WRITE_SCRIPT_LUA } from "./redisFloor";
import { fmt } from "./stats";

const WINDOW_MS = 3_600_000;

type Check = (identity: string) => Promise<unknown>;
type Contender = { name: string; make: (client: Redis, limit: number) => Check };

const identity = (k: number) => `ip:10.${k >> 16}.${(k >> 8) & 255}.${k & 255}`;

function scriptCheck(lua: string, name: string, valuesPerCall = 1): Contender["make"] {
  return (client, limit) => {
    const script = new BatchedScript(client, name, lua, [limit, WINDOW_MS], "grouped", valuesPerCall);
    return (id) => new Promise((resolve, reject) => script.run({ key: rateLimitKey(id, undefined, 1), field: id, answer: resolve, fail: reject }));
  };
}

function limiterCheck(Limiter: LimiterClass): Contender["make"] {
  return (client, limit) => {
    const limiter = new Limiter(client, { limit, windowMs: WINDOW_MS, blockCacheEntries: 0 });
    return (id) => limiter.check(id);
  };
}

/** `perClient` checks for each of `clients`, clients in turn, in batches of exactly MAX_BATCH. */
async function send(check: Check, clients: number, perClient: number): Promise<number> {
  const total = clients * perClient;
  for (let next = 0; next < total; ) {
    const wave: Promise<unknown>[] = [];
    for (let j = 0; j < MAX_BATCH && next < total; j++, next++) wave.push(check(identity(next % clients)));
    await Promise.all(wave);
  }
  return total;
}

interface Phase {
  name: string;
  limit: number;
  clients: number;
  /** Checks per client sent before the counted ones (not counted). */
  before: number;
  perClient: number;
}

const ALL_PHASES: Phase[] = [
  { name: "L=100, 1000 clients: first 100 checks each (admitted)", limit: 100, clients: 1000, before: 0, perClient: 100 },
  { name: "L=100, 1000 clients: next 50 each (refused)", limit: 100, clients: 1000, before: 100, perClient: 50 },
  { name: "L=100, 20,000 light clients, 2 checks each", limit: 100, clients: 20_000, before: 0, perClient: 2 },
  { name: "L=1,000,000, 1000 clients, 100 checks each", limit: 1_000_000, clients: 1000, before: 0, perClient: 100 },
];
/** BENCH_PHASES=1,2 counts only those phases (1-based; a phase after others runs on their state only if listed with them). */
const PHASES = process.env.BENCH_PHASES === undefined ? ALL_PHASES : process.env.BENCH_PHASES.split(",").map((i) => ALL_PHASES[Number(i) - 1]!);
/** BENCH_CONTENDERS: a regular expression picking contenders by name (the floor always runs). */
const ONLY = process.env.BENCH_CONTENDERS === undefined ? null : new RegExp(process.env.BENCH_CONTENDERS);
/** BENCH_KEEP_DUMPS=<dir>: callgrind's dump of each counted phase is copied there (for callgrind_annotate). */
const KEEP = process.env.BENCH_KEEP_DUMPS;

/** Fails clearly when a tool scripts/setup.sh installs is missing. */
function requireTool(tool: string, args: string[], debianPackage: string): void {
  try {
    execFileSync(tool, args, { stdio: "ignore" });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") throw new Error(`${tool} is not installed: run scripts/setup.sh (Debian package ${debianPackage})`, { cause: err });
  }
}

async function main(): Promise<void> {
  requireTool("valgrind", ["--version"], "valgrind");
  requireTool("callgrind_control", ["-h"], "valgrind");
  requireTool("redis-server", ["--version"], "redis-server");
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-bench-redis-ir-"));
  const port = await freePort();
  const out = path.join(dir, "callgrind.out");
  const grind = spawn(
    "valgrind",
    ["--tool=callgrind", `--callgrind-out-file=${out}`, "redis-server", "--port", String(port), "--bind", "127.0.0.1", "--dir", dir, "--save", "", "--appendonly", "no", "--lazyfree-lazy-expire", "yes"],
    { stdio: "ignore" },
  );
  const before = process.env.BENCH_BEFORE === undefined ? undefined : await limiterAt(process.env.BENCH_BEFORE);
  const contenders: Contender[] = [
    { name: "limiter", make: limiterCheck(SlidingWindowLimiter) },
    ...(before === undefined ? [] : [{ name: `before (${process.env.BENCH_BEFORE})`, make: limiterCheck(before.Limiter) }]),
    { name: "readWrite", make: scriptCheck(READ_WRITE_SCRIPT_LUA, "edgestackBenchReadWrite") },
    { name: "floor3", make: scriptCheck(CONSTANT_THREE_SCRIPT_LUA, "edgestackBenchFloor3", 3) },
    { name: "floor", make: scriptCheck(CONSTANT_SCRIPT_LUA, "edgestackBenchFloor") },
  ].filter((c) => c.name.startsWith("floor") || ONLY === null || ONLY.test(c.name));
  let dumps = 0;
  try {
    await waitForPort(port, 120_000);
    const counted = async (work: () => Promise<number>): Promise<number> => {
      execFileSync("callgrind_control", ["-z", String(grind.pid)], { stdio: "ignore" });
      const checks = await work();
      execFileSync("callgrind_control", ["-d", String(grind.pid)], { stdio: "ignore" });
      const dump = `${out}.${++dumps}`;
      if (KEEP !== undefined) copyFileSync(dump, path.join(KEEP, `callgrind.${dumps}`));
      const summary = /^summary: (\d+)/m.exec(readFileSync(dump, "utf8"));
      if (summary === null) throw new Error(`no summary in ${out}.${dumps}`);
      return Number(summary[1]) / checks;
    };
    const results = new Map<string, number[]>();
    for (const contender of contenders) {
      // A client of its own: ioredis defines a script command once per client and name.
      const client = await ready(createRedisClient(`redis://127.0.0.1:${port}`, 600_000));
      const perPhase: number[] = [];
      for (const phase of PHASES) {
        await client.flushall();
        const check = contender.make(client, phase.limit);
        const bucket = async () => Math.floor(Number((await client.time())[0]) / (WINDOW_MS / 1000));
        const startBucket = await bucket();
        if (phase.before > 0) await send(check, phase.clients, phase.before);
        perPhase.push(await counted(() => send(check, phase.clients, phase.perClient)));
        if ((await bucket()) !== startBucket) console.log(`  (${contender.name}, ${phase.name}: crossed a bucket boundary; rerun)`);
        process.stderr.write(`  ${contender.name}, ${phase.name}: ${fmt(perPhase.at(-1)!, 0)} instructions/check\n`);
      }
      results.set(contender.name, perPhase);
      client.disconnect();
    }
    const floor = results.get("floor")!;
    const [admitted, refused] = [PHASES.indexOf(ALL_PHASES[0]!), PHASES.indexOf(ALL_PHASES[1]!)];
    const hasMix = admitted >= 0 && refused >= 0;
    const rows = [...PHASES.map((p) => p.name), ...(hasMix ? ["L=100, 1000 clients, 150 checks each (2/3 admitted)"] : [])];
    const withMix = (xs: number[]) => (hasMix ? [...xs, (100 * xs[admitted]! + 50 * xs[refused]!) / 150] : xs);
    console.log(`redis-server instructions per check (callgrind Ir, all threads; batches of ${MAX_BATCH}; ratio to the floor: a script returning a constant, same keys, arguments and batching)`);
    console.log(`${"row".padEnd(58)}${[...results.keys()].map((n) => n.padStart(28)).join("")}`);
    rows.forEach((row, i) => {
      const cells = [...results.values()].map((xs) => {
        const v = withMix(xs)[i]!;
        return `${fmt(v, 0)} (${fmt(v / withMix(floor)[i]!)}×)`.padStart(28);
      });
      console.log(`${row.padEnd(58)}${cells.join("")}`);
    });
  } finally {
    before?.dispose();
    grind.kill("SIGTERM");
    await new Promise((resolve) => grind.once("exit", resolve));
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
