import autocannon from "autocannon";
import { freePort, waitForPort } from "../../local/processes/ports";
import { startRedis, type RedisProcess } from "../../local/processes/redis";
import { killAppProcesses, runAppMain } from "../harness/appProcess";
import { waitUntil } from "../harness/wait";
import { setTimeout as sleep } from "node:timers/promises";

let redis: RedisProcess;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  killAppProcesses();
  await redis?.dispose();
});

describe("app process", () => {
  it("refuses to start on invalid environment with a clear message and a non-zero exit", async () => {
    const child = runAppMain({ PORT: "99999", RATE_LIMIT_FAIL: "sometimes" });
    const code = await child.exit;
    expect(code).toBe(78);
    expect(child.output()).toMatch(/PORT="99999"/);
    expect(child.output()).toMatch(/RATE_LIMIT_FAIL="sometimes"/);
  });

  it.each([
    [{ HOST: "not-a-host" }, /HOST="not-a-host": must be an IP address/],
    [{ RATE_LIMIT_MAX: "1e3" }, /RATE_LIMIT_MAX="1e3": must be a decimal integer/],
    [{ RATE_LIMIT_MAX: "0x10" }, /RATE_LIMIT_MAX="0x10": must be a decimal integer/],
    [{ SHUTDOWN_DELAY_MS: "40000" }, /SHUTDOWN_TIMEOUT_MS="30000" \(default\)/],
    [{ HOST: "192.0.2.1", PORT: "18080" }, /cannot listen on HOST="192.0.2.1" PORT="18080": EADDRNOTAVAIL/],
    [{ HOST: "127.0.0.1", PORT: "0", METRICS_HOST: "192.0.2.1", METRICS_PORT: "19464" }, /cannot listen on METRICS_HOST="192.0.2.1" METRICS_PORT="19464": EADDRNOTAVAIL/],
  ])("exits 78 naming the variable, without a stack trace: %j", async (env, expected) => {
    const child = runAppMain({ REDIS_URL: "redis://127.0.0.1:1", ...env });
    expect(await child.exit).toBe(78);
    expect(child.output()).toMatch(expected);
    expect(child.output()).not.toMatch(/\n\s+at /);
  });

  it("on SIGTERM under load: /health 503 at once, no request fails, exit 0", async () => {
    const port = await freePort();
    const child = runAppMain({
      PORT: String(port),
      HOST: "127.0.0.1",
      REDIS_URL: redis.url,
      RATE_LIMIT_MAX: "1000000",
      SHUTDOWN_DELAY_MS: "1500",
      LOG_LEVEL: "info",
      INSTANCE_ID: "sigterm-test",
    });
    await waitForPort(port, 20_000);
    const base = `http://127.0.0.1:${port}`;
    // Ready once Redis is connected, as a readiness probe sees it.
    await waitUntil(async () => (await fetch(`${base}/health`)).status === 200, 10_000);

    // Load with keep-alive connections, as a load balancer sends it; it stops when the balancer
    // would have deregistered the target (inside the shutdown delay).
    const load = autocannon({ url: `${base}/api/hello`, connections: 20, duration: 2 });
    await sleep(700);
    child.proc.kill("SIGTERM");
    const signalledAt = Date.now();
    await sleep(50);
    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    const result = await load;
    const code = await child.exit;
    const stoppedAfter = Date.now() - signalledAt;

    expect(result.errors).toBe(0);
    expect(result.timeouts).toBe(0);
    expect(result.non2xx).toBe(0);
    // Load was flowing through the signal (its rate is the machine's, not what this test judges).
    expect(result["2xx"]).toBeGreaterThan(100);
    expect(code).toBe(0);
    // It waited the deregistration delay, then stopped promptly despite keep-alive connections.
    expect(stoppedAfter).toBeGreaterThanOrEqual(1400);
    expect(stoppedAfter).toBeLessThan(5000);
    const log = child.output();
    expect(log).toMatch(/"msg":"draining: \/readyz and \/health now 503"/);
    expect(log).toMatch(/"msg":"shutdown complete"/);
    expect(log.indexOf("draining")).toBeLessThan(log.indexOf("closing server"));
  });
  it("flushes the buffered access log on SIGTERM: every request's line is on stdout after exit 0", async () => {
    const port = await freePort();
    const child = runAppMain({
      PORT: String(port),
      HOST: "127.0.0.1",
      REDIS_URL: redis.url,
      RATE_LIMIT_MAX: "1000000",
      SHUTDOWN_DELAY_MS: "0",
      LOG_LEVEL: "info",
      ACCESS_LOG: "all",
      INSTANCE_ID: "flush-test",
    });
    await waitForPort(port, 20_000);
    // More lines than one buffer holds, so some are written while running and the rest only by
    // the flush at shutdown; SIGTERM follows the last response at once (no periodic flush yet).
    const ids = Array.from({ length: 40 }, (_, i) => `flush-${i}`);
    for (const id of ids) {
      const res = await fetch(`http://127.0.0.1:${port}/api/hello`, { headers: { "x-request-id": id } });
      expect(res.status).toBe(200);
      await res.arrayBuffer();
    }
    child.proc.kill("SIGTERM");
    expect(await child.exit).toBe(0);

    const lines = child
      .output()
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const accessLines = lines.filter((line) => line.msg === "request");
    expect(accessLines.map((line) => line.reqId)).toEqual(ids); // one line per request, in order
    expect(accessLines.at(-1)).toMatchObject({ reqId: "flush-39", method: "GET", url: "/api/hello", status: 200, instance: "flush-test" });
    expect(lines.at(-1)).toMatchObject({ msg: "shutdown complete" });
  });
});
