import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import { METRIC_NAMES } from "../../../app/src/metrics";
import { parseStackConfig } from "../../../infra/config/schema";
import { alertmanagerConfig, ampAlertManagerDefinition, APP_METRICS, burnRateWindows, prometheusRules, promDuration, renderAlertmanagerConfig, renderRules, type AlertingRule, type RuleFile } from "../../../infra/observability/rules";
import { sloSpec, type SloSpec } from "../../../infra/config/slo";
import { observabilityTool } from "../../../local/processes/observability-tools";

const spec = sloSpec(parseStackConfig({ "aws:region": "eu-west-1", "edgestack:domain": "example.com", "edgestack:ciDeployRoleArn": "arn:aws:iam::123456789012:role/edgestack-deploy" }, "dev"));
const links = { runbookUrl: "https://runbooks.example/edgestack", dashboardUrl: "https://dashboards.example/edgestack" };
const rules = prometheusRules(spec, links);
const alerts = rules.groups.flatMap((g) => g.rules).filter((r): r is AlertingRule => "alert" in r);

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "edgestack-rules-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("burn-rate windows", () => {
  it("are the SRE workbook's for a 30-day window: page 1h/5m ×14.4 and 6h/30m ×6, ticket 1d/2h ×3 and 3d/6h ×1", () => {
    expect(burnRateWindows(30).map((w) => [w.severity, promDuration(w.longSeconds), promDuration(w.shortSeconds), w.factor])).toEqual([
      ["page", "1h", "5m", 14.4],
      ["page", "6h", "30m", 6],
      ["ticket", "1d", "2h", 3],
      ["ticket", "3d", "6h", 1],
    ]);
  });

  it("scale their factors with the window (the same budget share burnt in the same time)", () => {
    expect(burnRateWindows(28).map((w) => w.factor)).toEqual([13.44, 5.6, 2.8, 0.933333]);
    expect(burnRateWindows(90).map((w) => w.factor)).toEqual([43.2, 18, 9, 3]);
  });
});

describe("the generated rules", () => {
  it("read the app's own metric names", () => {
    for (const [key, name] of Object.entries(APP_METRICS)) expect(METRIC_NAMES[key as keyof typeof METRIC_NAMES]).toBe(name);
  });

  it("give every alert a severity, a runbook and a dashboard, and include an always-firing Watchdog", () => {
    for (const a of alerts) {
      expect(["page", "ticket", "none"]).toContain(a.labels.severity);
      expect(a.annotations.runbook_url).toBe(`${links.runbookUrl}#${a.alert.toLowerCase()}`);
      expect(a.annotations.dashboard_url).toBe(links.dashboardUrl);
      expect(a.annotations.summary).toBeTruthy();
    }
    expect(alerts.map((a) => a.alert)).toEqual(expect.arrayContaining(["ErrorBudgetFastBurn", "ErrorBudgetSlowBurn", "AppNoReadyReplica", "NginxDown", "RateLimiterFailingOpen", "RedisCommandErrors", "RateLimitRefusalSpike", "Watchdog"]));
    expect(alerts.find((a) => a.alert === "Watchdog")!.expr).toBe("vector(1)");
    // One page and one ticket alert per route class and SLI.
    expect(alerts.filter((a) => a.alert === "ErrorBudgetFastBurn")).toHaveLength(spec.classes.length * 2);
  });

  it("pass promtool check rules", () => {
    const file = path.join(dir, "check.yml");
    writeFileSync(file, renderRules(rules));
    const result = spawnSync(observabilityTool("promtool"), ["check", "rules", file], { encoding: "utf8" });
    expect(result.stderr + result.stdout).toMatch(/SUCCESS/);
    expect(result.status).toBe(0);
  });

  it("route pages and tickets to their own receivers, and serve as an AMP alert manager definition", () => {
    const config = alertmanagerConfig({ page: {}, ticket: {}, watchdog: {} });
    const file = path.join(dir, "alertmanager.yml");
    writeFileSync(file, renderAlertmanagerConfig(config));
    const amtool = spawnSync(observabilityTool("amtool"), ["check-config", file], { encoding: "utf8" });
    expect(amtool.stdout + amtool.stderr).toMatch(/SUCCESS/);
    const definition = parse(ampAlertManagerDefinition(config)) as { alertmanager_config: string };
    expect(parse(definition.alertmanager_config)).toEqual(config);
    const routes = (config.route as { routes: { receiver: string; matchers: string[] }[] }).routes;
    expect(routes.map((r) => [r.receiver, r.matchers])).toEqual([
      ["watchdog", ['alertname="Watchdog"']],
      ["page", ['severity="page"']],
      ["ticket", ['severity="ticket"']],
    ]);
  });
});

// ── promtool test rules on synthetic series (one sample a minute) ─────────────────────────────────

/** A counter's promtool series text from (per-minute increase, minutes) segments. */
function counter(segments: [perMinute: number, minutes: number][]): string {
  let value = 0;
  const parts: string[] = [];
  for (const [perMinute, minutes] of segments) {
    parts.push(`${value}+${perMinute}x${minutes - 1}`);
    value += perMinute * minutes;
  }
  return parts.join(" ");
}

const DAY_MIN = 1440;
const job = "edgestack-app";
const requestSeries = (contract: string, route: string, code: string) => `${APP_METRICS.requests}{job="${job}",route="${route}",contract="${contract}",method="GET",code="${code}"}`;

/** API traffic at 1000 requests a minute: a clean day, then `errorSegments` of (5xx per minute, minutes). */
function apiTraffic(errorSegments: [number, number][]): { series: string; values: string }[] {
  const total = DAY_MIN + errorSegments.reduce((n, [, m]) => n + m, 0);
  return [
    { series: requestSeries("api", "/api/hello", "2xx"), values: counter([[1000, DAY_MIN], ...errorSegments.map(([errors, m]): [number, number] => [1000 - errors, m])]) },
    { series: requestSeries("api", "/api/hello", "5xx"), values: counter([[0, DAY_MIN], ...errorSegments]) },
    // Every latency bucket full: the latency SLIs stay quiet in these scenarios.
    { series: `${APP_METRICS.duration}_bucket{job="${job}",route="/api/hello",contract="api",le="0.3"}`, values: counter([[1000, total]]) },
    { series: `${APP_METRICS.duration}_count{job="${job}",route="/api/hello",contract="api"}`, values: counter([[1000, total]]) },
    { series: `${APP_METRICS.ready}{job="${job}",instance="a"}`, values: `1x${total}` },
    { series: `nginx_up{job="edgestack-nginx",instance="a"}`, values: `1x${total}` },
  ];
}

const at = (minutes: number) => promDuration(minutes * 60);

interface ExpectedAlert {
  alertname: string;
  labels: Record<string, string>;
}

/** The exp_alerts promtool wants: labels and annotations exactly as the rule defines them. */
function expected(file: RuleFile, alertname: string, match: Record<string, string>): { exp_labels: Record<string, string>; exp_annotations: Record<string, string> }[] {
  const rule = file.groups.flatMap((g) => g.rules).find((r): r is AlertingRule => "alert" in r && r.alert === alertname && Object.entries(match).every(([k, v]) => r.labels[k] === v))!;
  return [{ exp_labels: { ...rule.labels }, exp_annotations: { ...rule.annotations } }];
}

function promtoolTest(name: string, file: RuleFile, series: { series: string; values: string }[], checks: { minutes: number; alertname: string; firing: ExpectedAlert | null }[]): { ok: boolean; output: string } {
  const rulesFile = path.join(dir, `${name}.rules.yml`);
  writeFileSync(rulesFile, renderRules(file));
  const test = {
    rule_files: [rulesFile],
    evaluation_interval: "1m",
    tests: [
      {
        interval: "1m",
        input_series: series,
        alert_rule_test: checks.map((c) => ({
          eval_time: at(c.minutes),
          alertname: c.alertname,
          exp_alerts: c.firing === null ? [] : expected(file, c.alertname, c.firing.labels),
        })),
      },
    ],
  };
  const testFile = path.join(dir, `${name}.test.yml`);
  writeFileSync(testFile, stringify(test, { lineWidth: 0 }));
  const result = spawnSync(observabilityTool("promtool"), ["test", "rules", testFile], { encoding: "utf8" });
  return { ok: result.status === 0, output: result.stdout + result.stderr };
}

const apiAvailability = { slo_class: "api", sli: "availability" };
const page = (labels: Record<string, string>): ExpectedAlert => ({ alertname: "ErrorBudgetFastBurn", labels: { ...labels, severity: "page" } });
const ticket = (labels: Record<string, string>): ExpectedAlert => ({ alertname: "ErrorBudgetSlowBurn", labels: { ...labels, severity: "ticket" } });
/** Only the API class's recording and alert rules, so each check names exactly one alert. */
const apiOnly: SloSpec = { ...spec, classes: spec.classes.filter((c) => c.routeClass === "api") };
const apiRules = prometheusRules(apiOnly, links);

describe("promtool test rules: the SRE workbook's scenarios on a 99.9% / 30-day API objective", () => {
  it("a fast burn (2% errors, 20× the budget) pages once the 1 h window has seen enough, and resolves after recovery", () => {
    const run = promtoolTest("fast-burn", apiRules, apiTraffic([[20, 120], [0, 60]]), [
      { minutes: DAY_MIN + 30, alertname: "ErrorBudgetFastBurn", firing: null }, // 1 h ratio 1% < 1.44%
      { minutes: DAY_MIN + 50, alertname: "ErrorBudgetFastBurn", firing: page(apiAvailability) },
      { minutes: DAY_MIN + 119, alertname: "ErrorBudgetFastBurn", firing: page(apiAvailability) },
      // Stopped at 2 h: the 1 h/5 m pair clears within 5 minutes, the 6 h/30 m pair (6 h at 0.67% > 0.6%)
      // once the 30 m window's ratio falls under 0.6%, ~18 minutes later.
      { minutes: DAY_MIN + 130, alertname: "ErrorBudgetFastBurn", firing: page(apiAvailability) },
      { minutes: DAY_MIN + 145, alertname: "ErrorBudgetFastBurn", firing: null },
      { minutes: DAY_MIN + 50, alertname: "AppNoReadyReplica", firing: null },
    ]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.ok).toBe(true);
  });

  it("a slow burn (0.5% errors, 5× the budget) opens a ticket and never pages", () => {
    const run = promtoolTest("slow-burn", apiRules, apiTraffic([[5, 12 * 60]]), [
      { minutes: DAY_MIN + 4 * 60, alertname: "ErrorBudgetSlowBurn", firing: null }, // 3 d ratio 0.07% < 0.1%
      { minutes: DAY_MIN + 8 * 60, alertname: "ErrorBudgetSlowBurn", firing: ticket(apiAvailability) },
      { minutes: DAY_MIN + 8 * 60, alertname: "ErrorBudgetFastBurn", firing: null },
      { minutes: DAY_MIN + 12 * 60 - 1, alertname: "ErrorBudgetFastBurn", firing: null },
    ]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.ok).toBe(true);
  });

  it("a budget-safe blip (10% errors for 5 minutes) fires nothing", () => {
    const run = promtoolTest("blip", apiRules, apiTraffic([[100, 5], [0, 8 * 60]]), [
      ...[3, 5, 10, 30, 60, 120, 400].flatMap((m) => [
        { minutes: DAY_MIN + m, alertname: "ErrorBudgetFastBurn", firing: null },
        { minutes: DAY_MIN + m, alertname: "ErrorBudgetSlowBurn", firing: null },
      ]),
    ]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.ok).toBe(true);
  });

  it("the test itself can fail: claiming the blip pages is refused by promtool", () => {
    const run = promtoolTest("blip-wrong", apiRules, apiTraffic([[100, 5], [0, 60]]), [{ minutes: DAY_MIN + 10, alertname: "ErrorBudgetFastBurn", firing: page(apiAvailability) }]);
    expect(run.ok).toBe(false);
  });

  it("a latency burn (20% of requests over 300 ms, 20× the 1% budget) pages on the latency SLI", () => {
    const total = DAY_MIN + 120;
    const series = apiTraffic([[0, 120]]).filter((s) => !s.series.includes("_bucket"));
    series.push({ series: `${APP_METRICS.duration}_bucket{job="${job}",route="/api/hello",contract="api",le="0.3"}`, values: counter([[1000, DAY_MIN], [800, 120]]) });
    const run = promtoolTest("latency", apiRules, series, [
      { minutes: total - 10, alertname: "ErrorBudgetFastBurn", firing: { alertname: "ErrorBudgetFastBurn", labels: { slo_class: "api", sli: "latency", severity: "page" } } },
    ]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.ok).toBe(true);
  });

  it("symptoms: no ready replica pages; the limiter failing open and Redis errors open tickets; the Watchdog always fires", () => {
    const minutes = 30;
    const series = [
      { series: `${APP_METRICS.ready}{job="${job}",instance="a"}`, values: `1x9 0x${minutes - 10}` },
      { series: `nginx_up{job="edgestack-nginx",instance="a"}`, values: `1x${minutes}` },
      { series: `${APP_METRICS.limiter}{job="${job}",decision="fail_open"}`, values: counter([[0, 10], [600, minutes - 10]]) },
      { series: `${APP_METRICS.limiter}{job="${job}",decision="admitted"}`, values: counter([[600, 10], [0, minutes - 10]]) },
      { series: `${APP_METRICS.redisErrors}{job="${job}",command="evalsha"}`, values: counter([[0, 10], [600, minutes - 10]]) },
      { series: `${APP_METRICS.redisDuration}_count{job="${job}",command="evalsha"}`, values: counter([[600, minutes]]) },
    ];
    const labelsOf = (alertname: string) => ({ alertname, labels: alerts.find((a) => a.alert === alertname)!.labels });
    const run = promtoolTest("symptoms", rules, series, [
      { minutes: 9, alertname: "AppNoReadyReplica", firing: null },
      { minutes: 12, alertname: "AppNoReadyReplica", firing: labelsOf("AppNoReadyReplica") },
      { minutes: 9, alertname: "RateLimiterFailingOpen", firing: null },
      { minutes: 20, alertname: "RateLimiterFailingOpen", firing: labelsOf("RateLimiterFailingOpen") },
      { minutes: 20, alertname: "RedisCommandErrors", firing: labelsOf("RedisCommandErrors") },
      { minutes: 20, alertname: "NginxDown", firing: null },
      { minutes: 1, alertname: "Watchdog", firing: labelsOf("Watchdog") },
    ]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.ok).toBe(true);
  });

  it("a refusal spike opens a ticket", () => {
    const series = [
      { series: `${APP_METRICS.limiter}{job="${job}",decision="admitted"}`, values: counter([[600, 40]]) },
      { series: `${APP_METRICS.limiter}{job="${job}",decision="refused"}`, values: counter([[0, 10], [600, 30]]) },
      { series: `${APP_METRICS.ready}{job="${job}",instance="a"}`, values: `1x40` },
    ];
    const rule = alerts.find((a) => a.alert === "RateLimitRefusalSpike")!;
    const run = promtoolTest("refusals", rules, series, [
      { minutes: 9, alertname: "RateLimitRefusalSpike", firing: null },
      { minutes: 30, alertname: "RateLimitRefusalSpike", firing: { alertname: rule.alert, labels: rule.labels } },
    ]);
    expect(run.output).toMatch(/SUCCESS/);
    expect(run.ok).toBe(true);
  });
});

// ── sloth: the same SLO, the same windows and factors ─────────────────────────────────────────────

/** The SLO spec as a sloth (prometheus/v1) document, with the same SLI queries as ours. */
function slothSpec(s: SloSpec): string {
  return stringify({
    version: "prometheus/v1",
    service: "edgestack",
    slos: s.classes.flatMap((c) => [
      {
        name: `${c.routeClass}-availability`,
        objective: c.availability * 100,
        sli: {
          events: {
            error_query: `sum(rate(${APP_METRICS.requests}{contract=~"${c.contractRoutes.join("|")}",code="5xx"}[{{.window}}]))`,
            total_query: `sum(rate(${APP_METRICS.requests}{contract=~"${c.contractRoutes.join("|")}"}[{{.window}}]))`,
          },
        },
        alerting: { name: "ErrorBudgetBurn", page_alert: { labels: { severity: "page" } }, ticket_alert: { labels: { severity: "ticket" } } },
      },
    ]),
  });
}

/** {severity, short/long windows, factor} of every burn condition in an alert's expression. */
function conditions(alerts: { expr: string; labels: Record<string, string> }[]): string[] {
  const out: string[] = [];
  const seconds = (d: string) => Number(d.slice(0, -1)) * { s: 1, m: 60, h: 3600, d: 86400 }[d.slice(-1) as "s"];
  for (const a of alerts) {
    const found = [...a.expr.matchAll(/ratio_rate(\w+)\{[^}]*\} > \(([\d.]+) \*/g)].map((m) => ({ window: m[1]!, factor: Number(m[2]) }));
    expect(found.length % 2).toBe(0);
    for (let i = 0; i < found.length; i += 2) {
      const [x, y] = [found[i]!, found[i + 1]!];
      expect(x.factor).toBe(y.factor);
      const [short, long] = seconds(x.window) < seconds(y.window) ? [x.window, y.window] : [y.window, x.window];
      out.push(`${a.labels.severity} ${long}/${short} ×${Number(x.factor.toPrecision(4))}`);
    }
  }
  return out.sort();
}

describe("sloth", () => {
  it.each([30, 28])("generates alerts with the same windows and burn factors as ours for a %i-day window", (days) => {
    const s: SloSpec = { ...apiOnly, windowDays: days };
    const input = path.join(dir, `sloth-${days}.yml`);
    const output = path.join(dir, `sloth-${days}.out.yml`);
    writeFileSync(input, slothSpec(s));
    execFileSync(observabilityTool("sloth"), [`--default-slo-period=${days}d`, "-i", input, "-o", output], { stdio: "pipe" });
    const theirs = (parse(readFileSync(output, "utf8")) as { groups: { rules: { alert?: string; expr: string; labels: Record<string, string> }[] }[] }).groups
      .flatMap((g) => g.rules)
      .filter((r) => r.alert !== undefined);
    const ours = prometheusRules(s, links)
      .groups.flatMap((g) => g.rules)
      .filter((r): r is AlertingRule => "alert" in r && r.labels.sli === "availability");
    expect(theirs).toHaveLength(2);
    const slothConditions = conditions(theirs);
    expect(slothConditions).toHaveLength(4);
    expect(conditions(ours)).toEqual(slothConditions);
  });
});
