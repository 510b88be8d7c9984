import * as http from "node:http";
import * as net from "node:net";
import * as path from "node:path";
import { Redis } from "ioredis";
import { WebSocket } from "ws";
import { randomBytes } from "node:crypto";
import { hashApiKey } from "../../app/src/apiKeys";
import type { AppDependencies } from "../../app/src/server";
import { readStaticAssets, staticUrl } from "@edgestack/contract";
import { useAppServers } from "../harness/appServer";
import { waitUntil } from "../harness/wait";
import { setTimeout as sleep } from "node:timers/promises";

const servers = useAppServers();
const start = (env: Record<string, string> = {}, deps: AppDependencies = {}) => servers.start(env, { deps });

const status = async (url: string, init?: RequestInit) => (await fetch(url, init)).status;

describe("health", () => {
  it("stays 200 (degraded) while Redis is down, readiness never follows Redis, and recovers without a restart", async () => {
    const { base } = await start();
    const ok = await fetch(`${base}/health`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ status: "ok", redis: "ok", instance: "test-1" });
    expect(ok.headers.get("cache-control")).toBe("no-store");

    await servers.redis.stop();
    const started = Date.now();
    const down = await fetch(`${base}/health`);
    expect(down.status).toBe(200);
    expect(await down.json()).toMatchObject({ status: "degraded", redis: "error" });
    expect(Date.now() - started).toBeLessThan(1000); // never hangs on a dead Redis
    expect(await status(`${base}/livez`)).toBe(200); // liveness has no dependencies
    expect(await status(`${base}/readyz`)).toBe(200); // the pod can still serve

    await servers.redis.restart();
    await waitUntil(async () => ((await (await fetch(`${base}/health`)).json()) as { redis: string }).redis === "ok", 10_000);
  });
});

describe("API and rate limiting", () => {
  it("returns the instance, client IP and request id, with draft RateLimit headers", async () => {
    const { base } = await start({ RATE_LIMIT_MAX: "3", RATE_LIMIT_WINDOW_MS: "60000" });
    const res = await fetch(`${base}/api/hello`, { headers: { "x-request-id": "req-abc.123" } });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ message: "hello", instance: "test-1", clientIp: "127.0.0.1", protocol: "http", requestId: "req-abc.123" });
    expect(res.headers.get("x-instance")).toBe("test-1");
    expect(res.headers.get("x-request-id")).toBe("req-abc.123");
    expect(res.headers.get("ratelimit-policy")).toBe('"default";q=3;w=60');
    expect(res.headers.get("ratelimit")).toBe('"default";r=2;t=60');

    // A request id that could pollute logs is replaced by a fresh one.
    const odd = await fetch(`${base}/api/hello`, { headers: { "x-request-id": "bad id\twith spaces" } });
    expect(odd.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);

    await fetch(`${base}/api/hello`);
    const limited = await fetch(`${base}/api/hello`);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(59);
    expect(limited.headers.get("ratelimit")).toMatch(/^"default";r=0;t=(59|60)$/);
  });

  it("keys by the proxy-reported client IP; a forged X-Forwarded-For does not change the key", async () => {
    const { base } = await start({ RATE_LIMIT_MAX: "2", TRUST_PROXY_CIDRS: "127.0.0.1/32" });
    const as = (xff: string) => fetch(`${base}/api/hello`, { headers: { "x-forwarded-for": xff } });
    const first = await as("198.51.100.7");
    expect(((await first.json()) as { clientIp: string }).clientIp).toBe("198.51.100.7");
    expect((await as("1.1.1.1, 198.51.100.7")).status).toBe(200);
    // The client rotates the forged part; the proxy-appended entry stays, and so does the key.
    expect((await as("2.2.2.2, 198.51.100.7")).status).toBe(429);
    expect((await as("3.3.3.3, 4.4.4.4, 198.51.100.7")).status).toBe(429);
    // Another real client is unaffected.
    expect((await as("198.51.100.8")).status).toBe(200);
  });

  it("gives a known API key its own bucket; random keys never add to the client's budget", async () => {
    const known = "k".repeat(20) + "nownKey0123456789abc";
    const other = "o".repeat(40);
    const { base } = await start({ RATE_LIMIT_MAX: "3", API_KEY_HASHES: [hashApiKey(known), hashApiKey(other)].join(",") });
    const get = (key?: string) => fetch(`${base}/api/hello`, { headers: key === undefined ? {} : { "x-api-key": key } });
    // The client address's budget: 3, spent by plain requests and unknown keys alike.
    expect((await get()).status).toBe(200);
    expect((await get()).status).toBe(200);
    expect((await get(randomBytes(24).toString("base64url"))).status).toBe(200);
    const randomKeyStatuses = await Promise.all(Array.from({ length: 20 }, () => get(randomBytes(24).toString("base64url")).then((r) => r.status)));
    expect(randomKeyStatuses).toEqual(Array<number>(20).fill(429));
    expect((await get()).status).toBe(429);
    // A known key has its own budget, separate per key.
    expect((await get(known)).status).toBe(200);
    expect((await get(other)).status).toBe(200);
  });

  it("answers 401 for a malformed API key, before touching the limiter", async () => {
    const { base } = await start({ RATE_LIMIT_MAX: "1" });
    for (const bad of ["short", "has spaces in it but is long enough", "x".repeat(129), "<script>alert(1)</script>xxxxxxxx"]) {
      const res = await fetch(`${base}/api/hello`, { headers: { "x-api-key": bad } });
      expect([bad, res.status]).toEqual([bad, 401]);
      expect(await res.json()).toMatchObject({ error: "malformed api key" });
    }
    // Nothing was counted against the client: its one request still fits.
    expect(await status(`${base}/api/hello`)).toBe(200);
  });

  it("ignores X-Forwarded-For/-Proto from an untrusted peer and non-addresses from a trusted one", async () => {
    const direct = await start({ RATE_LIMIT_MAX: "1000" });
    const hello = async (base: string, headers: Record<string, string>) => (await (await fetch(`${base}/api/hello`, { headers })).json()) as { clientIp: string; protocol: string };
    // No trusted proxies (the default): headers change nothing.
    expect(await hello(direct.base, { "x-forwarded-for": "198.51.100.7", "x-forwarded-proto": "https" })).toMatchObject({ clientIp: "127.0.0.1", protocol: "http" });
    // Loopback trusted (nginx in front): believed, but only real addresses and http/https.
    const proxied = await start({ RATE_LIMIT_MAX: "1000", TRUST_PROXY_CIDRS: "127.0.0.1/32" });
    expect(await hello(proxied.base, { "x-forwarded-for": "198.51.100.7", "x-forwarded-proto": "https" })).toMatchObject({ clientIp: "198.51.100.7", protocol: "https" });
    expect(await hello(proxied.base, { "x-forwarded-for": "<script>alert(1)</script>", "x-forwarded-proto": "javascript" })).toMatchObject({ clientIp: "127.0.0.1", protocol: "http" });
  });

  it("200 distinct junk X-Forwarded-For values make no Redis entries beyond the peer's", async () => {
    const { base } = await start({ RATE_LIMIT_MAX: "1000", TRUST_PROXY_CIDRS: "127.0.0.1/32" });
    for (let i = 0; i < 200; i++) await fetch(`${base}/api/hello`, { headers: { "x-forwarded-for": `junk-${i}-${"x".repeat(8000)}` } });
    const admin = new Redis(servers.redis.url);
    const keys = await admin.keys("*");
    // One node: one group; its bucket hashes (two if the requests crossed a window's end) hold the peer alone.
    const fields = new Set((await Promise.all(keys.map((key) => admin.hkeys(key)))).flat());
    admin.disconnect();
    for (const key of keys) expect(key).toMatch(/^rl3:\{0\}:\d+$/);
    expect([...fields]).toEqual(["ip:127.0.0.1"]);
  });

  it("fails open or closed as configured when Redis is down, quickly and without crashing", async () => {
    const open = await start({ RATE_LIMIT_FAIL: "open" });
    const closed = await start({ RATE_LIMIT_FAIL: "closed" });
    expect(await status(`${open.base}/api/hello`)).toBe(200);
    expect(await status(`${closed.base}/api/hello`)).toBe(200);

    await servers.redis.kill();
    const started = Date.now();
    const openRes = await fetch(`${open.base}/api/hello`);
    expect(openRes.status).toBe(200);
    expect(openRes.headers.get("ratelimit")).toBeNull();
    const closedRes = await fetch(`${closed.base}/api/hello`);
    expect(closedRes.status).toBe(503);
    expect(closedRes.headers.get("retry-after")).toBe("1");
    expect(Date.now() - started).toBeLessThan(2000);

    await servers.redis.restart();
    await waitUntil(async () => (await status(`${closed.base}/api/hello`)) === 200, 10_000);
  });

  it("recovers the limiter script after a Redis restart (NOSCRIPT)", async () => {
    const { base } = await start({ RATE_LIMIT_MAX: "5" });
    expect(await status(`${base}/api/hello`)).toBe(200);
    await servers.redis.restart(); // empty script cache, empty data
    await waitUntil(async () => ((await (await fetch(`${base}/health`)).json()) as { redis: string }).redis === "ok", 10_000);
    const res = await fetch(`${base}/api/hello`);
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit")).toBe('"default";r=4;t=60');
  });
});

describe("access log", () => {
  it("writes exactly one JSON line per request with the request id and trusted client IP; 404s carry the id and instance headers too", async () => {
    const lines: string[] = [];
    const { base } = await start({ LOG_LEVEL: "info", ACCESS_LOG: "all", TRUST_PROXY_CIDRS: "127.0.0.1/32" }, { logDestination: { write: (line: string) => void lines.push(line) } });
    const ok = await fetch(`${base}/api/hello`, { headers: { "x-request-id": "log-1", "x-forwarded-for": "203.0.113.9, 198.51.100.7" } });
    expect(ok.status).toBe(200);
    const missing = await fetch(`${base}/nope`, { headers: { "x-request-id": "log-2" } });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("x-request-id")).toBe("log-2");
    expect(missing.headers.get("x-instance")).toBe("test-1");
    await sleep(50);
    const access = lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.msg === "request");
    expect(access).toHaveLength(2);
    expect(access[0]).toEqual({
      level: 30,
      time: expect.any(Number),
      instance: "test-1",
      reqId: "log-1",
      method: "GET",
      url: "/api/hello",
      status: 200,
      ms: expect.any(Number),
      clientIp: "198.51.100.7",
      msg: "request",
    });
    expect(access[1]).toMatchObject({ reqId: "log-2", url: "/nope", status: 404 });
    expect(lines.every((l) => l.endsWith("\n"))).toBe(true);
  });
});

describe("static assets", () => {
  it("serves app/static under content-hashed names with long-lived cache headers and answers revalidation with 304", async () => {
    const { base } = await start();
    const url = staticUrl(readStaticAssets(path.resolve(__dirname, "../../app/static")), "edgestack-v1.svg");
    expect(url).toMatch(/^\/static\/edgestack-v1\.[0-9a-f]{12}\.svg$/);
    const res = await fetch(`${base}${url}`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    expect(res.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const etag = res.headers.get("etag")!;
    expect(await res.text()).toContain("<svg");
    expect(await status(`${base}${url}`, { headers: { "if-none-match": etag } })).toBe(304);
    // One name per content: the unhashed name is not served.
    expect(await status(`${base}/static/edgestack-v1.svg`)).toBe(404);
    expect(await status(`${base}/static/missing.svg`)).toBe(404);
    expect(await status(`${base}/static/..%2Fpackage.json`)).toBe(404);
  });
});

/** One GET over a given agent; resolves with status, body and the socket used. */
function get(port: number, path: string, agent: http.Agent): Promise<{ status: number; body: string; socket: net.Socket }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body, socket: req.socket as net.Socket }));
    });
    req.on("error", reject);
  });
}

describe("graceful shutdown (in process)", () => {
  it("turns /health 503 at once, keeps serving during the delay, finishes in-flight requests and closes idle keep-alive sockets", async () => {
    const { app, base, port } = await start({ SHUTDOWN_DELAY_MS: "400", RATE_LIMIT_MAX: "1000" }, {
      extraRoutes: (http) =>
        http.get("/test/slow", async (ex) => {
          await sleep(600);
          ex.json(200, { slow: "done" });
        }),
    });
    const idleAgent = new http.Agent({ keepAlive: true });
    const idle = await get(port, "/api/hello", idleAgent);
    expect(idle.status).toBe(200);
    const idleClosed = new Promise<void>((resolve) => idle.socket.once("close", () => resolve()));

    const inFlight = get(port, "/test/slow", new http.Agent({ keepAlive: true }));
    await sleep(50);
    const events: string[] = [];
    const shutdown = app.shutdown().then(() => events.push("shutdown done"));

    const health = await fetch(`${base}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: "draining" });
    expect(await status(`${base}/readyz`)).toBe(503); // readiness false at once on SIGTERM
    // The load balancer may still route here during the delay: served normally.
    expect(await status(`${base}/api/hello`)).toBe(200);

    const slow = await inFlight;
    events.push("in-flight done");
    expect(slow).toMatchObject({ status: 200, body: '{"slow":"done"}' });
    await idleClosed;
    await shutdown;
    expect(events).toEqual(["in-flight done", "shutdown done"]);
    // No longer accepting, and Redis was closed last.
    await expect(fetch(`${base}/livez`)).rejects.toThrow();
    await waitUntil(() => app.redis.status === "end", 2000);
    idleAgent.destroy();
  });
});

describe("WebSocket /ws", () => {
  it("echoes messages and keeps a responsive peer, but drops a silent one via the heartbeat", async () => {
    const { app, port } = await start({ WS_HEARTBEAT_MS: "100" });
    const url = `ws://127.0.0.1:${port}/ws`;
    const live = new WebSocket(url);
    const hello = await new Promise<string>((resolve) => live.once("message", (d) => resolve(d.toString())));
    expect(JSON.parse(hello)).toEqual({ type: "hello", instance: "test-1" });
    const echoed = new Promise<string>((resolve) => live.once("message", (d) => resolve(d.toString())));
    live.send("ping?");
    expect(await echoed).toBe("ping?");

    // A peer that never answers pings (a vanished client): autoPong off.
    const silent = new WebSocket(url, { autoPong: false });
    await new Promise((resolve) => silent.once("open", resolve));
    const silentClosedAt = new Promise<number>((resolve) => silent.once("close", () => resolve(Date.now())));
    const openedAt = Date.now();
    expect(await silentClosedAt - openedAt).toBeLessThan(1000);
    await sleep(300);
    expect(live.readyState).toBe(WebSocket.OPEN);
    expect(app.websockets.clients.size).toBe(1);

    const liveClosed = new Promise<number>((resolve) => live.once("close", (code) => resolve(code)));
    await app.shutdown();
    expect(await liveClosed).toBe(1001);
  });

  it("refuses upgrades on other paths", async () => {
    const { port } = await start();
    const ws = new WebSocket(`ws://127.0.0.1:${port}/other`);
    const error = await new Promise<Error>((resolve) => ws.once("error", resolve));
    expect(error.message).toMatch(/404/);
  });
});

describe("the site root", () => {
  it("serves a page linking what the service answers (not a 404), as HTML the edge may cache", async () => {
    const { base } = await start();
    const res = await fetch(`${base}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("cache-control")).toBeNull();
    const body = await res.text();
    for (const link of ['href="/api/hello"', 'href="/health"']) expect(body).toContain(link);
    expect(await status(`${base}/no-such-page`)).toBe(404);
  });
});
