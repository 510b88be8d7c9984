import * as http from "node:http";
import { randomBytes } from "node:crypto";
import { WebSocket } from "ws";
import { loadConfig } from "../../app/src/config";
import { Counter, Histogram, Registry } from "prom-client";
import { AppMetrics, latencyBuckets, LIMITER_DECISIONS, METRIC_NAMES, METHODS } from "../../app/src/metrics";
import { createApp } from "../../app/src/server";
import { TEST_APP_ENV, useAppServers } from "../harness/appServer";
import { waitUntil } from "../harness/wait";

const servers = useAppServers();
const start = (env: Record<string, string> = {}) => servers.start(env, { metrics: true });

/** The exposition's samples: `name{labels}` → value. */
async function scrape(metricsBase: string): Promise<Map<string, number>> {
  const res = await fetch(`${metricsBase}/metrics`);
  expect(res.status).toBe(200);
  const samples = new Map<string, number>();
  for (const line of (await res.text()).split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

const series = (samples: Map<string, number>, prefix = "edgestack_") => [...samples.keys()].filter((k) => k.startsWith(prefix));
const sum = (samples: Map<string, number>, name: string, match: (key: string) => boolean = () => true) =>
  [...samples].filter(([k]) => (k === name || k.startsWith(`${name}{`)) && match(k)).reduce((n, [, v]) => n + v, 0);

/** One raw request (any method, Host and headers), resolving with the status or the error. */
function raw(base: string, agent: http.Agent, method: string, path: string, headers: Record<string, string> = {}): Promise<number> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const req = http.request({ host: url.hostname, port: url.port, method, path, headers, agent }, (res) => {
      res.resume();
      res.on("end", () => resolve(res.statusCode ?? 0));
    });
    req.on("error", () => resolve(-1));
    req.end();
  });
}

/** Hostile variety: distinct paths, odd methods, Host headers, WebSocket subprotocols and upgrade paths. */
async function hostileTraffic(base: string, count: number, seed: string): Promise<void> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
  const odd = ["PROPFIND", "PURGE", "MKCOL", "SEARCH", "REPORT", "LINK", "UNLOCK", "M-SEARCH"];
  const prefixes = ["/api/", "/static/", "/", "/ws/", "/health/", "/api/hello/"];
  let next = 0;
  const one = async (i: number) => {
    const token = `${seed}-${i}-${randomBytes(4).toString("hex")}`;
    const path = i % 7 === 0 ? `/api/hello?q=${token}` : `${prefixes[i % prefixes.length]}${token}?q=${token}`;
    const method = i % 5 === 0 ? odd[i % odd.length] : (["GET", "HEAD", "POST", "DELETE"] as const)[i % 4];
    const headers: Record<string, string> = { host: `${token}.example`, "x-request-id": token, "user-agent": token };
    if (i % 50 === 0) Object.assign(headers, { connection: "Upgrade", upgrade: "websocket", "sec-websocket-version": "13", "sec-websocket-key": randomBytes(16).toString("base64"), "sec-websocket-protocol": token });
    await raw(base, agent, method, i % 50 === 0 && i % 100 === 0 ? "/ws" : path, headers);
  };
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next < count) await one(next++);
    }),
  );
  agent.destroy();
}

describe("app metrics", () => {
  it("keeps the series count flat under 10,000 distinct paths, odd methods, Host values and subprotocols", async () => {
    const { base, metricsBase } = await start({ RATE_LIMIT_MAX: "1000000" });
    await hostileTraffic(base, 600, "warm");
    const before = series(await scrape(metricsBase));
    await hostileTraffic(base, 10_000, "flood");
    const samples = await scrape(metricsBase);
    const after = series(samples);
    expect(after).toEqual(before);
    // The requests were all counted, under templates and fixed sets only.
    expect(sum(samples, METRIC_NAMES.requests)).toBeGreaterThanOrEqual(10_600 - 200);
    const labelValues = (label: string) => new Set(after.flatMap((k) => [...k.matchAll(new RegExp(`${label}="([^"]*)"`, "g"))].map((m) => m[1])));
    expect([...labelValues("method")].every((m) => [...METHODS, "OTHER"].includes(m))).toBe(true);
    expect(labelValues("method")).toContain("OTHER");
    expect([...labelValues("route")].sort()).toEqual(expect.arrayContaining(["/api/hello", "unmatched"]));
    for (const route of labelValues("route")) expect(["/livez", "/readyz", "/health", "/static/:name", "/api/hello", "/ws", "unmatched"]).toContain(route);
    for (const code of labelValues("code")) expect(code).toMatch(/^[1-5]xx$/);
    const text = after.join("\n");
    expect(text).not.toMatch(/flood-|warm-|example/);
    expect(after.length).toBeLessThan(400);
  });

  it("serves /metrics on its own port only: the public port answers it 404, the metrics port answers nothing else", async () => {
    const { base, metricsBase } = await start();
    const publicMetrics = await fetch(`${base}/metrics`);
    expect(publicMetrics.status).toBe(404);
    expect(await publicMetrics.text()).not.toContain("edgestack_");
    const metrics = await fetch(`${metricsBase}/metrics`);
    expect(metrics.status).toBe(200);
    expect(metrics.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await metrics.text()).toContain(`# TYPE ${METRIC_NAMES.requests} counter`);
    expect((await fetch(`${metricsBase}/api/hello`)).status).toBe(404);
    expect((await fetch(`${metricsBase}/metrics`, { method: "POST" })).status).toBe(404);
  });

  it("exports the request series exactly as prom-client's own Counter and Histogram fed the same requests would", async () => {
    const thresholds = [300, 750];
    const metrics = new AppMetrics({ latencyThresholdsMs: thresholds, defaultMetrics: false });
    const reference = new Registry();
    const requests = new Counter({ name: "requests", help: "h", labelNames: ["route", "contract", "method", "code"], registers: [reference] });
    const duration = new Histogram({ name: "duration", help: "h", labelNames: ["route", "contract"], buckets: latencyBuckets(thresholds), registers: [reference] });
    const hello = { route: "/api/hello", contract: "api" };
    // A second labels object for the same route (a route registered twice) shares its series.
    const helloAgain = { route: "/api/hello", contract: "api" };
    const unmatched = { route: "unmatched", contract: "none" };
    const seen: [typeof hello, string | undefined, number, number][] = [
      [hello, "GET", 200, 0.004], [helloAgain, "GET", 200, 0.3], [hello, "HEAD", 429, 0.75], [hello, "GET", 503, 0.2500001],
      [unmatched, "BREW", 404, 12], [unmatched, undefined, 999, 0], [hello, "GET", 101, 1], [helloAgain, "DELETE", 405, 0.01],
    ];
    const samples = async () => {
      for (const [labels, method, status, seconds] of seen) metrics.request(labels, method, status, seconds);
      for (const [labels, method, status, seconds] of seen) {
        const code = status >= 100 && status < 600 ? `${Math.floor(status / 100)}xx` : "other";
        requests.inc({ route: labels.route, contract: labels.contract, method: (METHODS as readonly string[]).includes(method ?? "") ? method : "OTHER", code });
        duration.observe({ route: labels.route, contract: labels.contract }, seconds);
      }
      const ours = (await metrics.registry.metrics()).split("\n").filter((l) => l.startsWith(METRIC_NAMES.requests) || l.startsWith(METRIC_NAMES.duration));
      const theirs = (await reference.metrics()).split("\n").filter((l) => /^(requests|duration)/.test(l));
      return [new Set(ours.map((l) => l.replace(METRIC_NAMES.requests, "requests").replace(METRIC_NAMES.duration, "duration"))), new Set(theirs)];
    };
    const [ours, theirs] = await samples();
    expect(ours).toEqual(theirs);
    expect(ours.size).toBeGreaterThan(20);
    // A second scrape after more requests: counters keep counting across scrapes.
    const [again, theirsAgain] = await samples();
    expect(again).toEqual(theirsAgain);
  });

  it("counts requests, latency with the SLO buckets, limiter decisions, Redis commands and errors, WebSockets and event-loop delay", async () => {
    const { base, metricsBase } = await start({ RATE_LIMIT_MAX: "2", RATE_LIMIT_WINDOW_MS: "1000", RATE_LIMIT_FAIL: "closed", METRICS_LATENCY_THRESHOLDS_MS: "300,750" });
    for (let i = 0; i < 3; i++) await fetch(`${base}/api/hello`);
    const ws = new WebSocket(`${base.replace("http", "ws")}/ws`);
    await new Promise((resolve, reject) => ws.once("message", resolve).once("error", reject));
    let samples = await scrape(metricsBase);
    const hello = (code: string) => `${METRIC_NAMES.requests}{route="/api/hello",contract="api",method="GET",code="${code}"}`;
    expect(samples.get(hello("2xx"))).toBe(2);
    expect(samples.get(hello("4xx"))).toBe(1);
    expect(samples.get(`${METRIC_NAMES.requests}{route="/ws",contract="websocket",method="GET",code="1xx"}`)).toBe(1);
    expect(samples.get(`${METRIC_NAMES.websockets}`)).toBe(1);
    for (const le of ["0.3", "0.75", "1"]) expect(samples.has(`${METRIC_NAMES.duration}_bucket{le="${le}",route="/api/hello",contract="api"}`)).toBe(true);
    expect(samples.get(`${METRIC_NAMES.duration}_count{route="/api/hello",contract="api"}`)).toBe(3);
    expect(samples.get(`${METRIC_NAMES.limiter}{decision="admitted"}`)).toBe(2);
    expect(samples.get(`${METRIC_NAMES.limiter}{decision="refused"}`)).toBe(1);
    for (const decision of LIMITER_DECISIONS) expect(samples.has(`${METRIC_NAMES.limiter}{decision="${decision}"}`)).toBe(true);
    expect(samples.get(`${METRIC_NAMES.redisDuration}_count{command="evalsha"}`)).toBeGreaterThanOrEqual(3);
    expect(samples.has("nodejs_eventloop_lag_p99_seconds")).toBe(true);
    ws.close();

    // The refused client is answered in-process until its hits leave the window; then Redis is asked.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await servers.redis.stop();
    expect((await fetch(`${base}/api/hello`)).status).toBe(503);
    samples = await scrape(metricsBase);
    expect(samples.get(`${METRIC_NAMES.limiter}{decision="fail_closed"}`)).toBe(1);
    expect(sum(samples, METRIC_NAMES.redisErrors)).toBeGreaterThanOrEqual(1);
    expect(samples.get(hello("5xx"))).toBe(1);
    await waitUntil(async () => (await scrape(metricsBase)).get(METRIC_NAMES.websockets) === 0, 3000);
  });

  it("METRICS=off serves no metrics port", async () => {
    const config = loadConfig({ ...TEST_APP_ENV, METRICS: "off", REDIS_URL: servers.redis.url });
    const app = servers.track(createApp(config));
    await app.listen();
    expect(app.metrics).toBeNull();
    expect(await app.listenMetrics()).toBeNull();
  });

  it("refuses a metrics port equal to the serving port, naming the variable", () => {
    expect(() => loadConfig({ PORT: "9000", METRICS_PORT: "9000" })).toThrow(/METRICS_PORT="9000": must differ from PORT/);
    expect(() => loadConfig({ METRICS_LATENCY_THRESHOLDS_MS: "300,abc" })).toThrow(/METRICS_LATENCY_THRESHOLDS_MS="300,abc"/);
  });
});
