/**
 * Redis down for 20 s under load, through the cluster-shaped local path (dnsmasq + readiness loop +
 * nginx resolving the replicas), with /health polled as the load balancers would (every 250 ms,
 * through nginx) and readiness probed as kubelet would: no 502/504 ever, every replica stays in DNS,
 * the API follows the fail mode (200 fail-open; fast 503 + Retry-After fail-closed), and everything
 * recovers when redis-server returns, with nothing restarted.
 */
import { replicaLogTails, startDataPlane, type DataPlane } from "../../local";
import { eventually, httpGet, runLoad, UNREACHABLE_LIMITS } from "../../local/load";
import { setTimeout as sleep } from "node:timers/promises";

const OUTAGE_MS = 20_000;

describe.each([
  ["open", 200],
  ["closed", 503],
] as const)("rateLimitFailMode %s", (failMode, apiStatusWhileDown) => {
  let plane: DataPlane;
  beforeAll(async () => {
    plane = await startDataPlane({
      replicas: 3,
      logLevel: "warn",
      configOverrides: { ...UNREACHABLE_LIMITS.configOverrides, rateLimitFailMode: failMode },
      appEnv: { ...UNREACHABLE_LIMITS.appEnv },
    });
  });
  afterAll(async () => {
    await plane?.stop();
  });

  test(`redis stopped ${OUTAGE_MS / 1000} s under load: 0 responses 502/504, /api ${apiStatusWhileDown}, recovery without restarts`, async () => {
    const appAndNginxPids = () => [...plane.replicas.filter((r) => r.running).map((r) => r.pid), plane.nginx.pid];
    const before = appAndNginxPids();
    const logFrom = plane.nginx.readFile("error.log").length;
    const health: Record<string, number> = {};
    const readySizes = new Set<number>();
    const apiSamples: { status: number; retryAfter: unknown; ms: number }[] = [];
    let outage = true;

    const result = await runLoad({
      url: plane.urls.hello,
      connections: 8,
      durationMs: OUTAGE_MS + 3000,
      during: async () => {
        await sleep(1000);
        await plane.stopRedis();
        const end = Date.now() + OUTAGE_MS;
        // The load balancers' target check through nginx, and what the DNS name lists.
        const lb = (async () => {
          while (Date.now() < end) {
            const a = await httpGet(plane.urls.health).catch(() => ({ status: 0 }));
            health[a.status] = (health[a.status] ?? 0) + 1;
            readySizes.add(plane.readyAddresses().length);
            await sleep(250);
          }
        })();
        const api = (async () => {
          await sleep(3000); // past the limiter's first timeouts: the steady outage
          while (Date.now() < end - 1000) {
            const t = Date.now();
            const a = await httpGet(plane.urls.hello);
            apiSamples.push({ status: a.status, retryAfter: a.headers["retry-after"], ms: Date.now() - t });
            await sleep(500);
          }
        })();
        await Promise.all([lb, api]);
        outage = false;
        await plane.startRedis();
      },
    });
    expect(outage).toBe(false);

    const bad = Object.entries(result.statuses).filter(([code]) => code === "502" || code === "504");
    if (bad.length > 0 || result.errors > 0) console.error(`${JSON.stringify(result)}\n${replicaLogTails(plane)}\n${plane.nginx.readFile("error.log").slice(-3000)}`);
    expect(bad).toEqual([]);
    expect(result.errors + result.timeouts).toBe(0);
    expect(result.responses).toBeGreaterThan(500);
    // Every answer during and around the outage is the fail mode's.
    expect(Object.keys(result.statuses).sort()).toEqual(failMode === "open" ? ["200"] : ["200", "503"]);

    // /health as the load balancers see it: always 200 (degraded), never an nginx error.
    expect(health).toEqual({ "200": expect.any(Number) });
    expect(health["200"]).toBeGreaterThan(40);
    // The readiness loop never took a replica out: the Service never emptied.
    expect([...readySizes]).toEqual([3]);
    expect(plane.nginx.readFile("error.log").slice(logFrom)).not.toMatch(/no live upstreams/);

    expect(apiSamples.length).toBeGreaterThan(10);
    for (const s of apiSamples) {
      expect(s.status).toBe(apiStatusWhileDown);
      if (failMode === "closed") expect(s.retryAfter).toBe("1");
      // Fast either way: the limiter never waits for a dead Redis.
      expect(s.ms).toBeLessThan(500);
    }

    // Recovered by itself: the limiter decides again, same processes as before.
    const after = await eventually(() => httpGet(plane.urls.hello), (a) => a.status === 200 && a.headers["ratelimit"] !== undefined, 10_000, "limiter back");
    expect(after.headers["ratelimit"]).toMatch(/^"default";r=\d+;t=\d+$/);
    // Every replica reconnects on its own backoff: /health (answered by any of them) reports ok once each has.
    const h = await eventually(() => httpGet(plane.urls.health), (r) => { const b = JSON.parse(r.body) as { status?: string; redis?: string }; return b.status === "ok" && b.redis === "ok"; }, 10_000, "health ok");
    expect(JSON.parse(h.body)).toMatchObject({ status: "ok", redis: "ok" });
    expect(appAndNginxPids()).toEqual(before);
    expect(before).toHaveLength(4);
  }, 90_000);
});
