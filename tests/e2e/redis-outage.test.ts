/**
 * Redis down and back, seen from a client of nginx: /health turns 503 (every replica is degraded,
 * so nginx's retries find no healthy one) and the API follows the configured fail mode; when
 * redis-server is started again on the same port, everything recovers with nothing restarted.
 */
import { startDataPlane, type DataPlane } from "../../tools/local";
import { eventually, httpGet } from "../../tools/local/load";

const status = async (url: string) => (await httpGet(url)).status;

describe.each([
  ["open", 200],
  ["closed", 503],
] as const)("rateLimitFailMode %s", (failMode, apiStatusWhileDown) => {
  let plane: DataPlane;
  beforeAll(async () => {
    plane = await startDataPlane({ replicas: 2, logLevel: "warn", configOverrides: { rateLimitFailMode: failMode } });
  });
  afterAll(async () => {
    await plane?.stop();
  });

  test(`redis stop: /health 503 through nginx, /api ${apiStatusWhileDown}; redis start: both recover without a restart`, async () => {
    const appAndNginxPids = () => [...plane.replicas.filter((r) => r.running).map((r) => r.pid), plane.nginx.pid];
    const before = appAndNginxPids();
    expect(await status(plane.urls.health)).toBe(200);
    expect(await status(plane.urls.hello)).toBe(200);

    await plane.stopRedis();
    const health = await eventually(() => httpGet(plane.urls.health), (a) => a.status === 503, 5000, "/health 503");
    expect(JSON.parse(health.body)).toMatchObject({ status: "degraded", redis: "error" });
    const api = await httpGet(plane.urls.hello);
    expect(api.status).toBe(apiStatusWhileDown);
    if (failMode === "closed") {
      expect(JSON.parse(api.body)).toMatchObject({ error: "rate limiter unavailable" });
      expect(api.headers["retry-after"]).toBe("1");
    } else {
      // Admitted without a limiter decision: no RateLimit headers.
      expect(JSON.parse(api.body)).toMatchObject({ message: "hello" });
      expect(api.headers["ratelimit"]).toBeUndefined();
    }
    // The replicas stayed up (a liveness probe would not restart them).
    expect(await status(`${plane.urls.site}livez`)).toBe(200);

    await plane.startRedis();
    await eventually(() => status(plane.urls.health), (s) => s === 200, 10_000, "/health 200 after redis start");
    const after = await httpGet(plane.urls.hello);
    expect(after.status).toBe(200);
    expect(after.headers["ratelimit"]).toMatch(/^"default";r=\d+;t=\d+$/);
    // Recovered by itself: the same replica and nginx processes as before the outage.
    expect(appAndNginxPids()).toEqual(before);
    expect(before).toHaveLength(3);
  });
});
