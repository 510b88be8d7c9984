/**
 * `npm run bench:http`: the app's server CPU per request, measured so the load generator does not
 * decide the figures. wrk (C, one thread; `scripts/setup.sh` installs it) costs a fraction of a
 * Node server per request; it runs pinned to CPU 0 (with Redis), every server pinned to CPU 1, and
 * the figure is the server process's own CPU time (every thread's /proc schedstat) per answered
 * request — not throughput, which on shared CPUs follows whatever else runs.
 *
 * Servers are the processes of `npm run bench:app` (`local/bench/app.ts --serve <kind>`): bare
 * `node:http` answering the app's response shape, the app without limiter (metrics on, production
 * logging defaults), the app with a no-op script batched like the limiter (the floor for any
 * limiter that asks Redis: a script returning a constant, same keys, arguments and batching), and
 * the app with the sliding window; the limiter rows on 1000 client addresses (X-Forwarded-For from
 * a trusted proxy) with a limit no client reaches, so every check reaches Redis and is admitted.
 * All rows send the same requests (wrk's script rotates the 1000 addresses).
 *
 * A warm-up run per server (not counted), then BENCH_ROUNDS rounds, the row order reversed every
 * other round so drift in the machine's load hits all rows alike. Printed per row: the median
 * server µs per request with its range, the median of the per-round ratios to the round's floor
 * row with its range, req/s, wrk's and Redis' CPU per request. Goals (ratios in the same run): the
 * app without limiter ≤ 1.1× bare node:http; the app with the sliding window ≤ 1.15× the app with
 * the no-op script. BENCH_DURATION_S (4) and BENCH_ROUNDS (5) tune it.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import * as path from "node:path";
import { cpuNs } from "../processes/cpu";
import { freePort, waitForPort } from "../processes/ports";
import { startRedis } from "../processes/redis";
import { fmt, median, spread, wrkClientsScript } from "./stats";
import { CONNECTIONS, DURATION_S, LOAD_CPU, pin, requireWrk, ROUNDS, runWrk, SERVER_CPU, WARMUP_S } from "./wrk";

const CLIENTS = 1000;

interface Row {
  name: string;
  kind: string;
  /** The row whose per-round figure this one's ratio is taken to. */
  floor?: string;
  goal?: number;
}

const ROWS: Row[] = [
  { name: "bare node:http", kind: "bare" },
  { name: "app, no limiter (metrics on)", kind: "app-nolimit", floor: "bare", goal: 1.1 },
  { name: "app + no-op script, 1000 clients", kind: "app-noop-script", floor: "bare" },
  { name: "app + sliding window, 1000 clients", kind: "app-limit", floor: "app-noop-script", goal: 1.15 },
];

/** wrk's request script: the 1000 client addresses in turn, one request each. */
const WRK_SCRIPT = wrkClientsScript(CLIENTS);

interface Measurement {
  requests: number;
  non2xx: number;
  serverUs: number;
  wrkUs: number;
  redisUs: number;
  rps: number;
}

interface Server {
  kind: string;
  port: number;
  pid: number;
  proc: ChildProcess;
}

async function startServer(kind: string, redisUrl: string): Promise<Server> {
  const port = await freePort();
  const app = path.join(__dirname, "app.ts");
  const proc = spawn("taskset", ["-c", String(SERVER_CPU), process.execPath, "--import", "tsx", app, "--serve", kind, String(port), redisUrl, "1000000"], {
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  await waitForPort(port, 30_000);
  // taskset execs node: the pid is the server's; every thread (libuv's pool included) on SERVER_CPU.
  pin(proc.pid!, SERVER_CPU);
  return { kind, port, pid: proc.pid!, proc };
}

/** One wrk run against a server: its own, the server's and Redis' CPU per answered request. */
async function measure(server: Server, scriptFile: string, durationS: number, redisPid: number): Promise<Measurement> {
  const [serverBefore, redisBefore] = [cpuNs(server.pid), cpuNs(redisPid)];
  const run = await runWrk(server.port, scriptFile, durationS);
  const serverNs = cpuNs(server.pid) - serverBefore;
  const redisNs = cpuNs(redisPid) - redisBefore;
  const { requests, non2xx } = run;
  return { requests, non2xx, serverUs: serverNs / 1000 / requests, wrkUs: run.wrkNs / 1000 / requests, redisUs: redisNs / 1000 / requests, rps: requests / run.seconds };
}

async function main(): Promise<void> {
  requireWrk();
  const dir = mkdtempSync(path.join(tmpdir(), "edgestack-bench-http-"));
  const scriptFile = path.join(dir, "clients.lua");
  writeFileSync(scriptFile, WRK_SCRIPT);
  const redis = await startRedis();
  pin(redis.pid!, LOAD_CPU);
  const servers: Server[] = [];
  const loadAtStart = loadavg()[0]!;
  try {
    for (const row of ROWS) servers.push(await startServer(row.kind, redis.url));
    for (const server of servers) await measure(server, scriptFile, WARMUP_S, redis.pid!);
    const runs: Measurement[][] = ROWS.map(() => []);
    for (let round = 0; round < ROUNDS; round++) {
      const order = ROWS.map((_, k) => k);
      if (round % 2 === 1) order.reverse();
      for (const k of order) {
        const m = await measure(servers[k]!, scriptFile, DURATION_S, redis.pid!);
        runs[k]!.push(m);
        process.stderr.write(`  round ${round + 1}: ${ROWS[k]!.name}: ${fmt(m.serverUs, 1)} µs server CPU/req, ${fmt(m.rps, 0)} req/s, wrk ${fmt(m.wrkUs, 1)} µs/req\n`);
      }
    }
    console.log(`Server CPU per request (schedstat of the server process; server on CPU ${SERVER_CPU}, wrk -t1 -c${CONNECTIONS} and Redis on CPU ${LOAD_CPU})`);
    console.log(`${ROUNDS} rounds of ${DURATION_S} s after a ${WARMUP_S} s warm-up per server, row order reversed every other round; ${CLIENTS} client addresses, every check admitted`);
    console.log(`${"row".padEnd(40)}${"server µs/req".padStart(22)}${"ratio".padStart(36)}${"goal".padStart(14)}${"req/s".padStart(10)}${"wrk µs/req".padStart(12)}${"Redis µs/req".padStart(14)}${"non-2xx".padStart(9)}`);
    ROWS.forEach((row, k) => {
      const mine = runs[k]!;
      const us = mine.map((m) => m.serverUs);
      let ratio = "";
      let goal = "";
      if (row.floor !== undefined) {
        const floor = runs[ROWS.findIndex((r) => r.kind === row.floor)]!;
        const ratios = mine.map((m, i) => m.serverUs / floor[i]!.serverUs);
        ratio = `${fmt(median(ratios))}× ${row.floor} (${spread(ratios)})`;
        if (row.goal !== undefined) goal = `${median(ratios) <= row.goal ? "met" : "MISSED"} ≤ ${row.goal}×`;
      }
      console.log(
        `${row.name.padEnd(40)}${`${fmt(median(us), 1)} (${spread(us, 1)})`.padStart(22)}${ratio.padStart(36)}${goal.padStart(14)}` +
          `${fmt(median(mine.map((m) => m.rps)), 0).padStart(10)}${fmt(median(mine.map((m) => m.wrkUs)), 1).padStart(12)}${fmt(median(mine.map((m) => m.redisUs)), 1).padStart(14)}${String(mine.reduce((n, m) => n + m.non2xx, 0)).padStart(9)}`,
      );
    });
    console.log(`load average (1 min): ${fmt(loadAtStart)} at start, ${fmt(loadavg()[0]!)} at end; ratios are per round (rows measured back to back)`);
  } finally {
    for (const server of servers) server.proc.kill("SIGKILL");
    await redis.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
  process.exit(0);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
