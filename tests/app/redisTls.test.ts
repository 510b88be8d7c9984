/**
 * REDIS_URL=rediss://…: the app process against a redis-server that only speaks TLS and requires
 * AUTH (as ElastiCache with in-transit encryption and an auth token). The server's certificate
 * comes from a private CA that the app trusts through NODE_EXTRA_CA_CERTS; ElastiCache's
 * certificates chain to public roots, which Node trusts without it.
 */
import { freePort, waitForPort } from "../../local/processes/ports";
import { startRedis, type RedisProcess } from "../../local/processes/redis";
import { killAppProcesses, runAppMain } from "../harness/appProcess";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis({ tls: true, password: "tls-test-token" });
});

afterAll(async () => {
  killAppProcesses();
  await redis?.dispose();
});

async function startApp(env: Record<string, string>): Promise<string> {
  const port = await freePort();
  runAppMain({ PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn", REDIS_COMMAND_TIMEOUT_MS: "1000", ...env });
  await waitForPort(port, 20_000);
  return `http://127.0.0.1:${port}`;
}

async function health(base: string): Promise<{ status: number; redis: string }> {
  const res = await fetch(`${base}/health`);
  const body = (await res.json()) as { redis: string };
  return { status: res.status, redis: body.redis };
}

/** /health until it reports Redis `redis` (the client connects in the background after start). */
async function healthBecomes(base: string, redisState: string): Promise<{ status: number; redis: string }> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const answer = await health(base);
    if (answer.redis === redisState || Date.now() > deadline) return answer;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test("the test server speaks TLS only, behind AUTH", () => {
  expect(redis.url).toMatch(/^rediss:\/\/:tls-test-token@127\.0\.0\.1:\d+$/);
  expect(redis.tlsCaFile).toBeDefined();
});

test("rediss:// with an auth token: deep health and the rate limiter work over TLS", async () => {
  const base = await startApp({ REDIS_URL: redis.url, NODE_EXTRA_CA_CERTS: redis.tlsCaFile!, RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_MS: "60000" });
  expect(await healthBecomes(base, "ok")).toEqual({ status: 200, redis: "ok" });
  // Each check is a script call over the TLS connection; the third is refused by Redis' count.
  const statuses: number[] = [];
  for (let i = 0; i < 3; i++) statuses.push((await fetch(`${base}/api/hello`)).status);
  expect(statuses).toEqual([200, 200, 429]);
});

test("a server certificate the app does not trust is refused: /health reports redis error, never a plaintext fallback", async () => {
  const base = await startApp({ REDIS_URL: redis.url, RATE_LIMIT_FAIL: "closed" });
  // Give the client time to try (and fail) the handshake a few times.
  await new Promise((r) => setTimeout(r, 1500));
  // Still serving (200, degraded): the fail-closed limiter answers the API.
  expect(await health(base)).toEqual({ status: 200, redis: "error" });
  expect((await fetch(`${base}/api/hello`)).status).toBe(503);
});

test("the right CA but a wrong auth token: /health reports redis error", async () => {
  const wrong = redis.url.replace("tls-test-token", "not-the-token");
  const base = await startApp({ REDIS_URL: wrong, NODE_EXTRA_CA_CERTS: redis.tlsCaFile! });
  await new Promise((r) => setTimeout(r, 1500));
  expect(await health(base)).toEqual({ status: 200, redis: "error" });
});
