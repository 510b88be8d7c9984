/**
 * The local data plane with `observe` (what `npm run local -- --observe` runs): Prometheus with the
 * rules generated from the stack's SLO spec, scraping the replicas' metrics ports and the nginx
 * exporter, and Alertmanager. Faults under bounded load (a few requests every 50 ms through nginx),
 * asserted in that Prometheus and Alertmanager through their HTTP APIs:
 * - Redis stopped with the limiter failing closed: the API SLI's recorded error ratio rises, the
 *   fast-burn page fires and reaches Alertmanager, and resolves after Redis returns;
 * - every replica killed: AppNoReadyReplica fires and reaches Alertmanager; new replicas resolve it.
 *
 * TEST FACTOR: the rule windows are divided by 60 (`timeScale`), so the page's 1 h / 5 m pair is
 * 1 m / 5 s and its 6 h / 30 m pair 6 m / 30 s; the burn factors (14.4, 6) are unchanged. Scrape and
 * evaluation every second.
 */
import { replicaLogTails, startDataPlane, type DataPlane } from "../../local";
import { UNREACHABLE_LIMITS } from "../../local/load";
import { setTimeout as sleep } from "node:timers/promises";

const TIME_SCALE = 60;

let plane: DataPlane;
let loadRunning = true;
let load: Promise<void>;
const statuses: Record<number, number> = {};

beforeAll(async () => {
  plane = await startDataPlane({
    replicas: 2,
    logLevel: "warn",
    configOverrides: { ...UNREACHABLE_LIMITS.configOverrides, rateLimitFailMode: "closed" },
    appEnv: { ...UNREACHABLE_LIMITS.appEnv },
    observe: { timeScale: TIME_SCALE, interval: "1s" },
  });
  // Bounded load: 4 requests every 50 ms (~80 req/s) through nginx.
  load = (async () => {
    while (loadRunning) {
      await Promise.all(
        Array.from({ length: 4 }, () =>
          fetch(plane.urls.hello, { signal: AbortSignal.timeout(2000) }).then(
            (r) => {
              statuses[r.status] = (statuses[r.status] ?? 0) + 1;
              return r.arrayBuffer();
            },
            () => undefined,
          ),
        ),
      );
      await sleep(50);
    }
  })();
}, 150_000);

afterAll(async () => {
  loadRunning = false;
  await load;
  await plane?.stop();
});

async function query(expr: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${plane.observability!.prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`);
  const body = (await res.json()) as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] } };
  expect(body.status).toBe("success");
  return body.data.result;
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}
const firing = async (alertname: string, labels: Record<string, string> = {}): Promise<boolean> => {
  const res = await fetch(`${plane.observability!.prometheusUrl}/api/v1/alerts`);
  const body = (await res.json()) as { data: { alerts: PromAlert[] } };
  return body.data.alerts.some((a) => a.state === "firing" && a.labels.alertname === alertname && Object.entries(labels).every(([k, v]) => a.labels[k] === v));
};
const received = async (alertname: string): Promise<Record<string, string>[]> => {
  const res = await fetch(`${plane.observability!.alertmanagerUrl}/api/v2/alerts`);
  const alerts = (await res.json()) as { labels: Record<string, string> }[];
  return alerts.filter((a) => a.labels.alertname === alertname).map((a) => a.labels);
};

async function until(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${what}: not within ${timeoutMs} ms\n${replicaLogTails(plane)}`);
    // Prometheus evaluates every second: a tenth of that finds a change without waiting out most of a poll.
    await sleep(100);
  }
  return Date.now() - started;
}

const api = { slo_class: "api", sli: "availability" };

test("scrapes every replica and the nginx exporter; the Watchdog reaches Alertmanager", async () => {
  await until("both replicas and the exporter up", async () => (await query('sum(up{job=~"edgestack-app|edgestack-nginx"})')).some((r) => r.value[1] === "3"), 30_000);
  expect((await query('nginx_up{job="edgestack-nginx"}'))[0]?.value[1]).toBe("1");
  expect(Number((await query('sum(nginx_connections_accepted{job="edgestack-nginx"})'))[0]?.value[1])).toBeGreaterThan(0);
  await until("Watchdog firing", () => firing("Watchdog"), 30_000);
  await until("Watchdog in Alertmanager", async () => (await received("Watchdog")).length > 0, 60_000);
  // Clean traffic recorded: the API's error ratio over the scaled 5 m window is 0.
  await until("API SLI recorded", async () => (await query(`slo:sli_error:ratio_rate5s{slo_class="api",sli="availability"}`)).some((r) => r.value[1] === "0"), 30_000);
}, 150_000);

test("Redis down with the limiter failing closed: the SLI sees the errors, the fast burn pages, Alertmanager receives it, recovery resolves it", async () => {
  await plane.stopRedis();
  try {
    await until("error ratio recorded", async () => (await query(`slo:sli_error:ratio_rate1m{slo_class="api",sli="availability"}`)).some((r) => Number(r.value[1]) > 0.1), 30_000);
    await until("fast burn firing", () => firing("ErrorBudgetFastBurn", api), 30_000);
    await until("page in Alertmanager", async () => (await received("ErrorBudgetFastBurn")).some((l) => l.severity === "page" && l.slo_class === "api"), 30_000);
    expect(statuses[503]).toBeGreaterThan(0);
  } finally {
    await plane.startRedis();
  }
  // Back to 200s: the short windows (5 s and 30 s) clear and the page resolves.
  await until("fast burn resolved", async () => !(await firing("ErrorBudgetFastBurn", api)), 90_000);
}, 180_000);

test("every replica killed: AppNoReadyReplica fires and reaches Alertmanager; new replicas resolve it", async () => {
  await Promise.all(plane.replicas.map((_, i) => plane.killReplica(i)));
  await until("AppNoReadyReplica firing", () => firing("AppNoReadyReplica"), 30_000);
  await until("AppNoReadyReplica in Alertmanager", async () => (await received("AppNoReadyReplica")).length > 0, 30_000);
  await plane.addReplica();
  await until("AppNoReadyReplica resolved", async () => !(await firing("AppNoReadyReplica")), 30_000);
}, 120_000);
