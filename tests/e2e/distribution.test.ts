/**
 * Load balancing through nginx, told apart by the X-Instance header each replica sets:
 * round_robin rotates strictly; the dev stack's configured algorithm (least_conn) spreads evenly
 * over equal replicas and, unlike round_robin, keeps serving from the others when one replica stalls.
 */
import { startDataPlane, type DataPlane } from "../../local";
import { getMany, type HttpAnswer } from "../../local/load";
import { setTimeout as sleep } from "node:timers/promises";

const REPLICAS = 3;
// Neither limiter may answer 429 here: this file is about where requests go.
const quietLimits = { nginxRateLimitPerMinute: 600_000, nginxRateLimitBurst: 10_000 } as const;
const quietAppEnv = { RATE_LIMIT_MAX: "1000000", RATE_LIMIT_WINDOW_MS: "1000" };

function countByInstance(answers: HttpAnswer[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const a of answers) {
    expect(a.status).toBe(200);
    const instance = String(a.headers["x-instance"]);
    counts[instance] = (counts[instance] ?? 0) + 1;
  }
  return counts;
}

/**
 * Stops replica 0 (SIGSTOP: it still accepts connections but never answers), sends `total` GETs
 * with 6 workers and waits until progress stops (a second without a completion) or at most 6 are
 * left (one per worker); then resumes it (SIGCONT) and returns every answer. A balancer that keeps
 * picking the stalled replica ends up with every worker waiting on it.
 */
async function completedWhileReplicaStalls(plane: DataPlane, total: number): Promise<{ early: number; answers: HttpAnswer[] }> {
  const pid = plane.replicas[0]!.pid;
  let completed = 0;
  let early: number;
  let run: Promise<HttpAnswer[]>;
  process.kill(pid, "SIGSTOP");
  try {
    run = getMany(`${plane.urls.site}livez`, total, 6, { onAnswer: () => (completed += 1) });
    const deadline = Date.now() + 15_000;
    for (;;) {
      const before = completed;
      await sleep(1000);
      if (completed === before || completed >= total - 6 || Date.now() > deadline) break;
    }
    early = completed;
  } finally {
    process.kill(pid, "SIGCONT");
  }
  return { early, answers: await run };
}

// The replicas found through SRV records here (dnsmasq standing for CoreDNS): the rotation proves every
// record's replica is an upstream server, with the port from the record.
describe("round_robin, replicas discovered by SRV records (nginxServiceDiscovery dns_srv)", () => {
  let plane: DataPlane;
  beforeAll(async () => {
    plane = await startDataPlane({
      replicas: REPLICAS,
      logLevel: "warn",
      configOverrides: { nginxLoadBalancing: "round_robin", nginxServiceDiscovery: "dns_srv", ...quietLimits },
      appEnv: quietAppEnv,
    });
  });

  test("nginx.conf names no replica port: it comes from each SRV record", () => {
    expect(plane.nginxConf).toMatch(/server app-pods\.edgestack\.svc\.cluster\.local service=_http\._tcp [^;]*resolve;/);
    expect(plane.nginxConf).not.toContain("app-pods.edgestack.svc.cluster.local:");
  });
  afterAll(async () => {
    await plane?.stop();
  });

  test("sequential requests rotate over the replicas: each gets exactly 1/N", async () => {
    const answers = await getMany(plane.urls.hello, 90, 1);
    expect(countByInstance(answers)).toEqual({ "replica-0": 30, "replica-1": 30, "replica-2": 30 });
    // Strict rotation: any N consecutive answers come from N different replicas.
    for (let i = 0; i + REPLICAS <= answers.length; i += 1) {
      expect(new Set(answers.slice(i, i + REPLICAS).map((a) => a.headers["x-instance"])).size).toBe(REPLICAS);
    }
  });

  test("a stalled replica still gets its turn, so it soon holds every client", async () => {
    const { early, answers } = await completedWhileReplicaStalls(plane, 300);
    expect(early).toBeLessThan(150);
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});

describe("least_conn (the dev stack's configured algorithm)", () => {
  let plane: DataPlane;
  beforeAll(async () => {
    plane = await startDataPlane({ replicas: REPLICAS, logLevel: "warn", configOverrides: { ...quietLimits }, appEnv: quietAppEnv });
    expect(plane.config.nginxLoadBalancing).toBe("least_conn");
  });
  afterAll(async () => {
    await plane?.stop();
  });

  test("concurrent requests spread over equal replicas: each gets about 1/N", async () => {
    const total = 600;
    const counts = countByInstance(await getMany(plane.urls.hello, total, 6));
    expect(Object.keys(counts).sort()).toEqual(["replica-0", "replica-1", "replica-2"]);
    for (const n of Object.values(counts)) {
      // About 1/3 each (least_conn favours whichever replica is momentarily faster on a busy machine).
      expect(n / total).toBeGreaterThan(0.2);
      expect(n / total).toBeLessThan(0.47);
    }
  });

  test("a stalled replica keeps its few open requests; the others serve everything else", async () => {
    const total = 300;
    const { early, answers } = await completedWhileReplicaStalls(plane, total);
    // At most a few workers wait on the stalled replica; the rest finish the whole run.
    expect(early).toBeGreaterThanOrEqual(total - 5);
    expect(answers).toHaveLength(total);
    expect(answers.every((a) => a.status === 200)).toBe(true);
  });
});
