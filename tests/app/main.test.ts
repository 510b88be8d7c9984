import { spawn, type ChildProcess } from "node:child_process";
import * as path from "node:path";
import autocannon from "autocannon";
import { freePort, waitForPort } from "../../tools/processes/ports";
import { startRedis, type RedisProcess } from "../../tools/processes/redis";

const MAIN = path.resolve(__dirname, "../../app/src/main.ts");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Child {
  proc: ChildProcess;
  output: () => string;
  exit: Promise<number | null>;
}

/** The real process entry, as `npm start` runs it (through tsx instead of a build). */
function runMain(env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", MAIN], {
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  proc.stdout!.on("data", (c: Buffer) => (out += c.toString()));
  proc.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => proc.once("exit", (code) => resolve(code)));
  return { proc, output: () => out, exit };
}

let redis: RedisProcess;
const children: ChildProcess[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill("SIGKILL");
  await redis?.dispose();
});

describe("app process", () => {
  it("refuses to start on invalid environment with a clear message and a non-zero exit", async () => {
    const child = runMain({ PORT: "99999", RATE_LIMIT_FAIL: "sometimes" });
    children.push(child.proc);
    const code = await child.exit;
    expect(code).toBe(78);
    expect(child.output()).toMatch(/PORT="99999"/);
    expect(child.output()).toMatch(/RATE_LIMIT_FAIL="sometimes"/);
  });

  it("on SIGTERM under load: /health 503 at once, no request fails, exit 0", async () => {
    const port = await freePort();
    const child = runMain({
      PORT: String(port),
      HOST: "127.0.0.1",
      REDIS_URL: redis.url,
      RATE_LIMIT_MAX: "1000000",
      SHUTDOWN_DELAY_MS: "1500",
      LOG_LEVEL: "info",
      INSTANCE_ID: "sigterm-test",
    });
    children.push(child.proc);
    await waitForPort(port, 20_000);
    const base = `http://127.0.0.1:${port}`;
    expect((await fetch(`${base}/health`)).status).toBe(200);

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
    expect(result["2xx"]).toBeGreaterThan(500);
    expect(code).toBe(0);
    // It waited the deregistration delay, then stopped promptly despite keep-alive connections.
    expect(stoppedAfter).toBeGreaterThanOrEqual(1400);
    expect(stoppedAfter).toBeLessThan(5000);
    const log = child.output();
    expect(log).toMatch(/"msg":"draining: \/health now 503"/);
    expect(log).toMatch(/"msg":"shutdown complete"/);
    expect(log.indexOf("draining")).toBeLessThan(log.indexOf("closing server"));
  });
  it("flushes the buffered access log on SIGTERM: every request's line is on stdout after exit 0", async () => {
    const port = await freePort();
    const child = runMain({
      PORT: String(port),
      HOST: "127.0.0.1",
      REDIS_URL: redis.url,
      RATE_LIMIT_MAX: "1000000",
      SHUTDOWN_DELAY_MS: "0",
      LOG_LEVEL: "info",
      INSTANCE_ID: "flush-test",
    });
    children.push(child.proc);
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
