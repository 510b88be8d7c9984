/**
 * The app process (app/src/main.ts) against a real Redis Cluster on loopback, configured as the
 * stack configures it for ElastiCache in cluster mode: REDIS_CLUSTER=true, REDIS_URL = one
 * rediss:// seed (the configuration endpoint) with the AUTH token, TLS on every node. 3 masters,
 * each with a replica; limits must be exact per key across masters, and a CLUSTER FAILOVER of one
 * master under load must not crash or hang the app, nor let any client past its limit.
 */
import { rateLimitKey } from "../../app/src/rateLimit/slidingWindow";
import { freePort, waitForPort } from "../../local/processes/ports";
import { startRedisCluster, type RedisCluster } from "../../local/processes/redisCluster";
import { killAppProcesses, runAppMain, type AppProcess } from "../harness/appProcess";
import { setTimeout as sleep } from "node:timers/promises";

const LIMIT = 5;
/** Requests per client, all at once: LIMIT admitted, the rest refused. */
const BURST = 8;
/** No request may take longer than this, failover or not. */
const ANSWER_WITHIN_MS = 5000;

let cluster: RedisCluster;
let app: AppProcess;
let base: string;

beforeAll(async () => {
  cluster = await startRedisCluster({ masters: 3, replicasPerMaster: 1, password: "cluster-test-token", tls: true });
  const port = await freePort();
  app = runAppMain({
    PORT: String(port),
    HOST: "127.0.0.1",
    LOG_LEVEL: "warn",
    REDIS_URL: cluster.url,
    REDIS_CLUSTER: "true",
    NODE_EXTRA_CA_CERTS: cluster.tlsCaFile!,
    REDIS_COMMAND_TIMEOUT_MS: "1000",
    RATE_LIMIT_MAX: String(LIMIT),
    RATE_LIMIT_WINDOW_MS: "600000",
    // Closed: a check Redis cannot answer is refused (503), never admitted uncounted, so "never
    // more than LIMIT per client" must hold even while a master changes.
    RATE_LIMIT_FAIL: "closed",
    TRUST_PROXY_CIDRS: "127.0.0.1/32",
    SHUTDOWN_DELAY_MS: "0",
  });
  await waitForPort(port, 20_000);
  base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 15_000;
  while ((await health()).status !== 200) {
    if (Date.now() > deadline) throw new Error(`app never became healthy:\n${app.output()}`);
    await sleep(100);
  }
}, 120_000);

afterAll(async () => {
  killAppProcesses();
  await cluster?.dispose();
});

async function health(): Promise<{ status: number; redis?: string }> {
  const res = await fetch(`${base}/health`, { signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
  return { status: res.status, redis: ((await res.json()) as { redis?: string }).redis };
}

/** BURST concurrent requests as one client (its own X-Forwarded-For); the statuses, sorted. */
async function burst(ip: string, count = BURST): Promise<number[]> {
  const statuses = await Promise.all(
    Array.from({ length: count }, async () => {
      const res = await fetch(`${base}/api/hello`, { headers: { "x-forwarded-for": ip }, signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
      await res.arrayBuffer();
      return res.status;
    }),
  );
  return statuses.sort();
}

const admitted = (statuses: number[]) => statuses.filter((s) => s === 200).length;
const exact = [...Array(LIMIT).fill(200), ...Array(BURST - LIMIT).fill(429)];

test("connects through the seed and limits every client exactly, with keys on all three masters", async () => {
  const ips = Array.from({ length: 30 }, (_, i) => `198.51.100.${i + 1}`);
  const results = await Promise.all(ips.map((ip) => burst(ip)));
  expect(results).toEqual(ips.map(() => exact));
  const owners = new Set(await Promise.all(ips.map(async (ip) => (await cluster.masterOf(rateLimitKey(`ip:${ip}`))).port)));
  expect(owners.size).toBe(3);
});

test("CLUSTER FAILOVER of a master under load: no crash, no hang, never past the limit, exact afterwards", async () => {
  // A client whose key lives on the master about to be failed over, part-way through its quota.
  let carried = "";
  const victim = await cluster.masterOf(rateLimitKey("ip:203.0.113.1"));
  for (let i = 1; carried === ""; i++) {
    const ip = `203.0.113.${i}`;
    if ((await cluster.masterOf(rateLimitKey(`ip:${ip}`))).port === victim.port) carried = ip;
  }
  expect(admitted(await burst(carried, 3))).toBe(3);

  // Load: 8 workers, each a stream of fresh clients (every check reaches Redis, all masters).
  const perClient: number[][] = [];
  const healthDuring: number[] = [];
  let stop = false;
  let next = 0;
  const worker = async () => {
    while (!stop) {
      const n = next++;
      perClient.push(await burst(`10.77.${n >> 8}.${n & 255}`));
    }
  };
  const probe = async () => {
    while (!stop) {
      healthDuring.push((await health()).status);
      await sleep(50);
    }
  };
  const load = Promise.all([...Array.from({ length: 8 }, worker), probe()]);
  await sleep(500);
  const promoted = await cluster.failover(victim);
  expect(promoted.port).not.toBe(victim.port);
  await sleep(1000);
  stop = true;
  await load;

  // No crash: the same process still serves; no hang: every request above answered in time.
  expect(app.proc.exitCode).toBeNull();
  expect(perClient.length).toBeGreaterThan(20);
  // Never past the limit, whatever Redis was doing (fail closed: 503 instead of uncounted).
  for (const statuses of perClient) {
    expect(admitted(statuses)).toBeLessThanOrEqual(LIMIT);
    for (const s of statuses) expect([200, 429, 503]).toContain(s);
  }
  for (const s of healthDuring) expect([200, 503]).toContain(s);

  // Afterwards: healthy, the carried client's hits survived on the promoted replica, new clients exact.
  expect(await health()).toEqual({ status: 200, redis: "ok" });
  expect((await cluster.masterOf(rateLimitKey(`ip:${carried}`))).port).toBe(promoted.port);
  expect(admitted(await burst(carried, 5))).toBe(LIMIT - 3);
  const fresh = Array.from({ length: 20 }, (_, i) => `192.0.2.${i + 1}`);
  expect(await Promise.all(fresh.map((ip) => burst(ip)))).toEqual(fresh.map(() => exact));
}, 90_000);
