/**
 * Dependencies that hang (SIGSTOP: their sockets stay open, nothing answers) under load, through the
 * cluster-shaped local path: a request costs at most one configured timeout for the dependency it
 * waits on. Redis: the app's command timeout (fail open: 200 without the limiter's headers). The
 * DNS server: nothing a request waits on (nginx keeps the addresses it resolved; its re-resolution
 * times out in the background). A replica: covered by tests/e2e/failover.test.ts (one and two stopped
 * replicas: one read timeout, then short retries on the others, within one read plus one connect timeout).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { startDataPlane, type DataPlane } from "../../local";
import { httpGet, runLoad, UNREACHABLE_LIMITS } from "../../local/load";

const COMMAND_TIMEOUT_MS = 500;
let plane: DataPlane;

beforeAll(async () => {
  plane = await startDataPlane({
    replicas: 2,
    logLevel: "warn",
    configOverrides: { ...UNREACHABLE_LIMITS.configOverrides },
    appEnv: { ...UNREACHABLE_LIMITS.appEnv, REDIS_COMMAND_TIMEOUT_MS: String(COMMAND_TIMEOUT_MS) },
  });
}, 90_000);

afterAll(async () => {
  for (const pid of [plane?.redis.pid, plane?.dns.pid]) if (pid !== undefined) process.kill(pid, "SIGCONT");
  await plane?.stop();
});

/** Samples /api/hello latency every 20 ms while `load` runs. */
async function sampled(during: () => Promise<void>): Promise<{ statuses: Record<string, number>; maxMs: number; errors: number }> {
  const statuses: Record<string, number> = {};
  let maxMs = 0;
  let running = true;
  const probe = (async () => {
    while (running) {
      const t = Date.now();
      const r = await httpGet(plane.urls.hello).catch(() => ({ status: 0 }));
      maxMs = Math.max(maxMs, Date.now() - t);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      await sleep(20);
    }
  })();
  const load = await runLoad({ url: plane.urls.hello, connections: 8, durationMs: 6000, during });
  running = false;
  await probe;
  for (const [k, v] of Object.entries(load.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
  return { statuses, maxMs: Math.max(maxMs, load.latencyMs.max), errors: load.errors + load.timeouts };
}

test(`a stopped redis-server costs a request at most one command timeout (${COMMAND_TIMEOUT_MS} ms), end to end`, async () => {
  const pid = plane.redis.pid!;
  const r = await sampled(async () => {
    await sleep(1000);
    process.kill(pid, "SIGSTOP");
    await sleep(3000);
    process.kill(pid, "SIGCONT");
  });
  console.log(`redis SIGSTOP 3 s: ${JSON.stringify(r)}`);
  expect(r.errors).toBe(0);
  expect(Object.keys(r.statuses)).toEqual(["200"]);
  // Before: up to two timeouts (1,023 ms at a 500 ms timeout). One timeout plus the path's own latency.
  expect(r.maxMs).toBeLessThan(COMMAND_TIMEOUT_MS + 350);
}, 60_000);

test("a stopped DNS server costs requests nothing: nginx keeps the replicas it resolved", async () => {
  const pid = plane.dns.pid!;
  const r = await sampled(async () => {
    await sleep(1000);
    process.kill(pid, "SIGSTOP");
    await sleep(4000);
    process.kill(pid, "SIGCONT");
  });
  console.log(`dnsmasq SIGSTOP 4 s: ${JSON.stringify(r)}`);
  expect(r.errors).toBe(0);
  expect(Object.keys(r.statuses)).toEqual(["200"]);
  expect(r.maxMs).toBeLessThan(COMMAND_TIMEOUT_MS);
}, 60_000);
