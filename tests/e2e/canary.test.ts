/**
 * The canary track through the local data plane: real app replicas of both tracks (the canary with
 * TRACK=canary under its own DNS name), nginx splitting and forcing, one limiter over both tracks.
 */
import { startDataPlane, type DataPlane } from "../../local";
import { getMany, httpGet, type HttpAnswer } from "../../local/load";

const CANARY = { canaryImage: "registry.example.com/app:2.0.0", canaryReplicas: 1, canaryWeightPercent: 20 } as const;
const quietLimits = { nginxRateLimitPerMinute: 600_000, nginxRateLimitBurst: 10_000 } as const;
const instances = (answers: HttpAnswer[]) => answers.map((a) => `${a.status} ${String(a.headers["x-instance"])}`);

describe("split and forcing", () => {
  let plane: DataPlane;
  beforeAll(async () => {
    plane = await startDataPlane({ replicas: 2, logLevel: "warn", configOverrides: { ...CANARY, ...quietLimits }, appEnv: { RATE_LIMIT_MAX: "1000000", RATE_LIMIT_WINDOW_MS: "1000" }, observe: { interval: "1s" } });
  });
  afterAll(async () => {
    await plane?.stop();
  });

  test("the canary replica is its own Deployment's: TRACK=canary, under app-canary-pods, its /metrics on the metrics port like a stable one's", async () => {
    expect(plane.canaryReplicas).toHaveLength(1);
    expect(plane.nginxConf).toMatch(/server app-canary-pods\.edgestack\.svc\.cluster\.local:\d+ .* resolve;/);
    const metrics = await fetch(`http://${plane.canaryReplicas[0]!.host}:${plane.metricsPort}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toMatch(/^# (HELP|TYPE) /m);
  });

  test("Prometheus scrapes the canary replica like the stable ones (a healthy target)", async () => {
    const canaryTarget = `${plane.canaryReplicas[0]!.host}:${plane.metricsPort}`;
    const stableTargets = plane.replicas.map((r) => `${r.host}:${plane.metricsPort}`);
    const deadline = Date.now() + 30_000;
    let up = new Set<string>();
    while (Date.now() < deadline) {
      const res = await fetch(`${plane.observability!.prometheusUrl}/api/v1/targets?state=active`);
      const body = (await res.json()) as { data: { activeTargets: { labels: { instance: string }; health: string }[] } };
      up = new Set(body.data.activeTargets.filter((t) => t.health === "up").map((t) => t.labels.instance));
      if ([canaryTarget, ...stableTargets].every((t) => up.has(t))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    expect([...up]).toEqual(expect.arrayContaining([canaryTarget, ...stableTargets]));
  }, 60_000);

  test("20% of 2,000 requests reach the canary (±3 points); forcing by header and cookie is exact", async () => {
    const answers = await getMany(plane.urls.hello, 2000, 8);
    const served = instances(answers);
    expect(served.every((s) => s.startsWith("200 "))).toBe(true);
    const share = (served.filter((s) => s === "200 canary-0").length / served.length) * 100;
    expect(Math.abs(share - 20)).toBeLessThanOrEqual(3);
    expect(new Set(instances(await getMany(plane.urls.hello, 100, 4, { headers: { "X-Canary": "always" } })))).toEqual(new Set(["200 canary-0"]));
    expect(new Set(instances(await getMany(plane.urls.hello, 100, 4, { headers: { Cookie: "edge_canary=never" } }))).has("200 canary-0")).toBe(false);
  });
});

test("one limiter over both tracks: a client's stable requests count against its canary ones", async () => {
  const plane = await startDataPlane({ replicas: 1, logLevel: "warn", configOverrides: { ...CANARY, ...quietLimits }, appEnv: { RATE_LIMIT_MAX: "5", RATE_LIMIT_WINDOW_MS: "60000" } });
  try {
    const stable = [];
    for (let i = 0; i < 5; i++) stable.push(await httpGet(plane.urls.hello, { headers: { "X-Canary": "never" } }));
    expect(instances(stable)).toEqual(Array(5).fill("200 replica-0"));
    const canary = await httpGet(plane.urls.hello, { headers: { "X-Canary": "always" } });
    // Refused by the canary replica itself (the app's limiter, not nginx's).
    expect(instances([canary])).toEqual(["429 canary-0"]);
  } finally {
    await plane.stop();
  }
});
