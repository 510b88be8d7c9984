import autocannon from "autocannon";
import { LineBudget, RefusalCounter, REQUEST_LOG_LINES_PER_SECOND } from "../../app/src/logBudget";
import { freePort, waitForPort } from "../../local/processes/ports";
import { startRedis, type RedisProcess } from "../../local/processes/redis";
import { killAppProcesses, runAppMain } from "../harness/appProcess";
import { waitUntil } from "../harness/wait";

describe("LineBudget", () => {
  it("writes at most the budget per second and reports what it dropped in the next second", () => {
    let now = 10_000;
    const out: string[] = [];
    const budget = new LineBudget(3, (l) => out.push(l), () => now);
    for (let i = 0; i < 10; i++) budget.offer(`line ${i}\n`);
    expect(out).toEqual(["line 0\n", "line 1\n", "line 2\n"]);
    expect(budget.pendingSuppressed).toBe(7);
    now += 1000;
    budget.offer(() => "later\n");
    expect(out.slice(3).map((l) => l.includes('"suppressed":7') || l)).toEqual([true, "later\n"]);
  });
});

describe("RefusalCounter", () => {
  it("reports counts per status and key class once, and nothing when nothing was refused", () => {
    const reports: Record<string, number>[] = [];
    const counter = new RefusalCounter((c) => reports.push(c), 60_000);
    counter.flush();
    expect(reports).toEqual([]);
    for (let i = 0; i < 5; i++) counter.count(429, "ip");
    counter.count(401, "malformed-key");
    counter.stop();
    expect(reports).toEqual([{ "429:ip": 5, "401:malformed-key": 1 }]);
  });
});

describe("the app process under a 429 flood", () => {
  let redis: RedisProcess;
  beforeAll(async () => {
    redis = await startRedis();
  });
  afterAll(async () => {
    killAppProcesses();
    await redis?.dispose();
  });

  it("100,000 refused requests with ACCESS_LOG=all write a bounded number of lines and one refusal summary", async () => {
    const port = await freePort();
    const child = runAppMain({ PORT: String(port), HOST: "127.0.0.1", REDIS_URL: redis.url, RATE_LIMIT_MAX: "1", LOG_LEVEL: "info", ACCESS_LOG: "all", SHUTDOWN_DELAY_MS: "0", INSTANCE_ID: "flood" });
    await waitForPort(port, 20_000);
    await waitUntil(async () => (await fetch(`http://127.0.0.1:${port}/health`)).status === 200, 10_000);
    const started = Date.now();
    const result = await autocannon({ url: `http://127.0.0.1:${port}/api/hello`, connections: 32, amount: 100_000 });
    const seconds = Math.ceil((Date.now() - started) / 1000) + 1;
    expect(result.non2xx).toBeGreaterThan(99_000);
    child.proc.kill("SIGTERM");
    expect(await child.exit).toBe(0);
    const lines = child.output().split("\n").filter(Boolean);
    // Per second: the access-log budget plus one "suppressed" line; plus start/stop lines and summaries.
    const bound = seconds * (REQUEST_LOG_LINES_PER_SECOND + 1) + 20;
    expect(lines.length).toBeLessThan(bound);
    const summaries = lines.map((l) => JSON.parse(l) as { msg: string; refused?: Record<string, number> }).filter((l) => l.msg === "requests refused");
    const refused = summaries.reduce((n, s) => n + (s.refused?.["429:ip"] ?? 0), 0);
    expect(refused).toBe(result.non2xx);
    console.log(`app: 100000 requests (${result.non2xx} refused) in ${seconds} s → ${lines.length} log lines (bound ${bound})`);
  }, 120_000);
});
