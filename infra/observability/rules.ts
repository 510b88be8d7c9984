import { stringify } from "yaml";
import { SCRAPE_JOB_NAMES } from "./scrape";
import type { ClassObjectives, SloSpec } from "../config/slo";

/**
 * Prometheus rules generated from the SLO spec (pure; the text feeds promtool, the local Prometheus
 * and an Amazon Managed Service for Prometheus rule group namespace alike):
 *
 * - recording rules: each class's error ratio per SLI (availability: 5xx share; latency: share
 *   slower than the threshold) over every alert window, and over the SLO window;
 * - multi-window, multi-burn-rate alerts as in the Google SRE workbook ("Alerting on SLOs", table
 *   5-8): page when 2% of the budget burns in 1 h (checked over 1 h and 5 m) or 5% in 6 h (6 h and
 *   30 m), ticket when 10% burns in 1 d (1 d and 2 h) or in 3 d (3 d and 6 h). The burn factor is
 *   budget share × SLO window ÷ long window, so a 30-day window gives the workbook's 14.4, 6, 3 and 1
 *   and any other window scales the same way;
 * - symptom alerts: no ready replica, nginx down, the limiter failing open, Redis errors, a spike
 *   of refusals; and an always-firing Watchdog that proves the alert path end to end.
 *
 * Every alert carries `severity` (page, ticket or none) and runbook and dashboard annotations.
 */

/** The app's metric names (app/src/metrics.ts METRIC_NAMES; tests/infra/observability/rules.test.ts keeps them equal). */
export const APP_METRICS = {
  requests: "edgestack_http_requests_total",
  duration: "edgestack_http_request_duration_seconds",
  limiter: "edgestack_rate_limit_decisions_total",
  redisDuration: "edgestack_redis_command_duration_seconds",
  redisErrors: "edgestack_redis_command_errors_total",
  ready: "edgestack_app_ready",
} as const;

/** The NGINX Prometheus exporter's liveness of nginx (1 while stub_status answers). */
export const NGINX_UP_METRIC = "nginx_up";

export type Severity = "page" | "ticket";

/** One multi-window burn-rate condition: both windows' error ratios above factor × budget. */
export interface BurnRateWindow {
  severity: Severity;
  /** Share of the whole budget that burning at `factor` for `longSeconds` consumes. */
  budgetShare: number;
  longSeconds: number;
  shortSeconds: number;
  factor: number;
}

const HOUR = 3600;
const DAY = 24 * HOUR;

/** The workbook's four conditions for an SLO window of `windowDays`. */
export function burnRateWindows(windowDays: number): BurnRateWindow[] {
  const windowSeconds = windowDays * DAY;
  const of = (severity: Severity, budgetShare: number, longSeconds: number): BurnRateWindow => ({
    severity,
    budgetShare,
    longSeconds,
    // The workbook's short window is a twelfth of the long one: the alert resolves soon after the burn stops.
    shortSeconds: longSeconds / 12,
    factor: Number(((budgetShare * windowSeconds) / longSeconds).toPrecision(6)),
  });
  return [of("page", 0.02, HOUR), of("page", 0.05, 6 * HOUR), of("ticket", 0.1, DAY), of("ticket", 0.1, 3 * DAY)];
}

/** A Prometheus duration for `seconds` (whole units where they fit: 1h, 30m, 3d, 45s). */
export function promDuration(seconds: number): string {
  const s = Math.max(1, Math.round(seconds));
  for (const [unit, size] of [
    ["d", DAY],
    ["h", HOUR],
    ["m", 60],
  ] as const) {
    if (s % size === 0) return `${s / size}${unit}`;
  }
  return `${s}s`;
}

export interface RuleOptions {
  /** Scrape job names of the app's metrics ports and the nginx exporters. */
  jobs?: { app: string; nginx: string };
  /** The runbook page (alerts link `<runbookUrl>#<alert name in lower case>`). */
  runbookUrl: string;
  /** The dashboard every alert links to. */
  dashboardUrl: string;
  /**
   * Divides every window and `for` duration (tests and the local e2e: 60 turns 1 h into 1 m). The
   * burn factors are unchanged: they are ratios of windows. 1 in production.
   */
  timeScale?: number;
  /** Rule evaluation interval (default 30s; scaled runs want a few seconds). */
  evaluationInterval?: string;
  /** Symptom thresholds. */
  symptoms?: Partial<SymptomThresholds>;
}

export interface SymptomThresholds {
  /** Redis command error share that is a problem (default 0.05). */
  redisErrorRatio: number;
  /** Share of limiter decisions that are refusals (default 0.25) … */
  refusalRatio: number;
  /** … at a refusal rate of at least this many per second (default 1): a quiet client at its limit is not a spike. */
  refusalsPerSecond: number;
}

const DEFAULT_SYMPTOMS: SymptomThresholds = { redisErrorRatio: 0.05, refusalRatio: 0.25, refusalsPerSecond: 1 };

export interface RecordingRule {
  record: string;
  expr: string;
  labels?: Record<string, string>;
}

export interface AlertingRule {
  alert: string;
  expr: string;
  for?: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

export interface RuleGroup {
  name: string;
  interval?: string;
  rules: (RecordingRule | AlertingRule)[];
}

export interface RuleFile {
  groups: RuleGroup[];
}

export type SliKind = "availability" | "latency";

/** The recorded error ratio of one SLI over one window. */
export const errorRatioRecord = (windowText: string) => `slo:sli_error:ratio_rate${windowText}`;

/** A `le` matcher for a bucket bound: Prometheus 2 keeps the exporter's text ("1"), Prometheus 3 normalises it ("1.0"). */
function leMatcher(seconds: number): string {
  const text = String(seconds);
  return Number.isInteger(seconds) ? `le=~"${text}|${text}\\\\.0"` : `le="${text}"`;
}

function classSelector(c: ClassObjectives, job: string): string {
  return `job="${job}",contract=~"${c.contractRoutes.join("|")}"`;
}

/** The error-ratio expression of one SLI over `range`. */
function errorRatioExpr(c: ClassObjectives, kind: SliKind, range: string, job: string): string {
  const sel = classSelector(c, job);
  if (kind === "availability") {
    // A class that never answered a 5xx has no 5xx series: its ratio is 0, not missing.
    return `(sum(rate(${APP_METRICS.requests}{${sel},code="5xx"}[${range}])) or vector(0)) / sum(rate(${APP_METRICS.requests}{${sel}}[${range}]))`;
  }
  return (
    `1 - (sum(rate(${APP_METRICS.duration}_bucket{${sel},${leMatcher(c.latency.thresholdMs / 1000)}}[${range}]))` +
    ` / sum(rate(${APP_METRICS.duration}_count{${sel}}[${range}])))`
  );
}

const objectiveOf = (c: ClassObjectives, kind: SliKind) => (kind === "availability" ? c.availability : c.latency.target);
const budgetOf = (c: ClassObjectives, kind: SliKind) => Number((1 - objectiveOf(c, kind)).toPrecision(12));

const title = (text: string) => text.charAt(0).toUpperCase() + text.slice(1);

/** The full rule file for a spec. */
export function prometheusRules(spec: SloSpec, options: RuleOptions): RuleFile {
  const jobs = options.jobs ?? SCRAPE_JOB_NAMES;
  const scale = options.timeScale ?? 1;
  if (!(scale >= 1)) throw new Error(`timeScale: ${scale} must be at least 1`);
  const duration = (seconds: number) => promDuration(seconds / scale);
  const symptoms = { ...DEFAULT_SYMPTOMS, ...options.symptoms };
  const links = (alert: string) => ({ runbook_url: `${options.runbookUrl}#${alert.toLowerCase()}`, dashboard_url: options.dashboardUrl });
  const windows = burnRateWindows(spec.windowDays);
  const ranges = [...new Set(windows.flatMap((w) => [w.shortSeconds, w.longSeconds]))].sort((a, b) => a - b);
  const kinds: SliKind[] = ["availability", "latency"];

  const recordings: RecordingRule[] = [];
  const alerts: AlertingRule[] = [];
  for (const c of spec.classes) {
    for (const kind of kinds) {
      const labels = { slo_class: c.routeClass, sli: kind };
      const sliSelector = `slo_class="${c.routeClass}",sli="${kind}"`;
      for (const seconds of ranges) recordings.push({ record: errorRatioRecord(duration(seconds)), expr: errorRatioExpr(c, kind, duration(seconds), jobs.app), labels });
      // The SLO window's ratio from the shortest window's records (a 30-day rate over raw series is costly).
      const shortest = errorRatioRecord(duration(ranges[0]!));
      const sloWindow = duration(spec.windowDays * DAY);
      recordings.push({ record: errorRatioRecord(sloWindow), expr: `avg_over_time(${shortest}{${sliSelector}}[${sloWindow}])`, labels });
      recordings.push({ record: "slo:objective:ratio", expr: `vector(${objectiveOf(c, kind)})`, labels });
      recordings.push({ record: "slo:error_budget:remaining_ratio", expr: `1 - ${errorRatioRecord(sloWindow)}{${sliSelector}} / ${budgetOf(c, kind)}`, labels });

      for (const severity of ["page", "ticket"] as const) {
        const conditions = windows
          .filter((w) => w.severity === severity)
          .map((w) => {
            const threshold = `(${w.factor} * ${budgetOf(c, kind)})`;
            return `(${errorRatioRecord(duration(w.longSeconds))}{${sliSelector}} > ${threshold} and ${errorRatioRecord(duration(w.shortSeconds))}{${sliSelector}} > ${threshold})`;
          });
        const alert = severity === "page" ? "ErrorBudgetFastBurn" : "ErrorBudgetSlowBurn";
        const objectivePercent = Number((objectiveOf(c, kind) * 100).toPrecision(10));
        const what = kind === "availability" ? `requests answered without a 5xx` : `requests answered within ${c.latency.thresholdMs} ms`;
        alerts.push({
          alert,
          expr: conditions.join(" or "),
          labels: { severity, slo_class: c.routeClass, sli: kind },
          annotations: {
            summary: `${title(c.routeClass)} ${kind}: the error budget is burning ${severity === "page" ? "fast" : "steadily"}`,
            description: `The ${c.routeClass} route class's objective is ${objectivePercent}% of ${what} over ${spec.windowDays} days; at the current error ratio the budget would be gone ${severity === "page" ? "within days" : "before the window ends"}.`,
            ...links(alert),
          },
        });
      }
    }
  }

  const symptomAlerts: AlertingRule[] = [
    {
      alert: "AppNoReadyReplica",
      // No replica scraped as ready: all draining, all dead, or none scraped at all.
      expr: `(sum(${APP_METRICS.ready}{job="${jobs.app}"}) or vector(0)) == 0`,
      for: duration(60),
      labels: { severity: "page" },
      annotations: { summary: "No app replica is ready", description: "Every request through nginx fails with 502/504 while no app replica is ready.", ...links("AppNoReadyReplica") },
    },
    {
      alert: "NginxDown",
      expr: `(sum(${NGINX_UP_METRIC}{job="${jobs.nginx}"}) or vector(0)) == 0`,
      for: duration(120),
      labels: { severity: "page" },
      annotations: { summary: "No nginx replica answers", description: "The nginx exporters see no nginx answering stub_status (or none is scraped).", ...links("NginxDown") },
    },
    {
      alert: "RateLimiterFailingOpen",
      expr: `sum(rate(${APP_METRICS.limiter}{job="${jobs.app}",decision="fail_open"}[${duration(300)}])) > 0`,
      for: duration(300),
      labels: { severity: "ticket" },
      annotations: { summary: "The rate limiter admits without checking (Redis unavailable, fail open)", description: "Requests pass without a rate-limit check: clients are not limited until Redis answers again.", ...links("RateLimiterFailingOpen") },
    },
    {
      alert: "RedisCommandErrors",
      expr:
        `sum(rate(${APP_METRICS.redisErrors}{job="${jobs.app}"}[${duration(300)}])) / sum(rate(${APP_METRICS.redisDuration}_count{job="${jobs.app}"}[${duration(300)}])) > ${symptoms.redisErrorRatio}` +
        ` or (sum(rate(${APP_METRICS.redisErrors}{job="${jobs.app}"}[${duration(300)}])) > 0 and sum(rate(${APP_METRICS.redisDuration}_count{job="${jobs.app}"}[${duration(300)}])) == 0)`,
      for: duration(300),
      labels: { severity: "ticket" },
      annotations: { summary: "Redis commands are failing", description: `More than ${symptoms.redisErrorRatio * 100}% of the app's Redis commands fail (timeouts, connection down, error replies).`, ...links("RedisCommandErrors") },
    },
    {
      alert: "RateLimitRefusalSpike",
      expr:
        `sum(rate(${APP_METRICS.limiter}{job="${jobs.app}",decision="refused"}[${duration(300)}])) / sum(rate(${APP_METRICS.limiter}{job="${jobs.app}"}[${duration(300)}])) > ${symptoms.refusalRatio}` +
        ` and sum(rate(${APP_METRICS.limiter}{job="${jobs.app}",decision="refused"}[${duration(300)}])) > ${symptoms.refusalsPerSecond}`,
      for: duration(600),
      labels: { severity: "ticket" },
      annotations: { summary: "Many requests are refused by the rate limiter", description: `Over ${symptoms.refusalRatio * 100}% of rate-limited requests are refused (429): a client misbehaving, an attack, or a limit set too low.`, ...links("RateLimitRefusalSpike") },
    },
  ];

  const interval = options.evaluationInterval;
  const group = (name: string, rules: RuleGroup["rules"]): RuleGroup => (interval === undefined ? { name, rules } : { name, interval, rules });
  return {
    groups: [
      group("edgestack-slo-recordings", recordings),
      group("edgestack-slo-alerts", alerts),
      group("edgestack-symptoms", symptomAlerts),
      group("edgestack-meta", [
        {
          alert: "Watchdog",
          expr: "vector(1)",
          labels: { severity: "none" },
          annotations: { summary: "Always firing: proves the alert path works", description: "If this alert stops arriving, alerting itself is broken (Prometheus, rule evaluation or Alertmanager).", ...links("Watchdog") },
        },
      ]),
    ],
  };
}

/** The rule file as YAML (Prometheus `rule_files`, promtool, an AMP rule group namespace's data). */
export function renderRules(file: RuleFile): string {
  return stringify(file, { lineWidth: 0 });
}

export interface AlertReceivers {
  /** Receiver bodies besides the name (e.g. `{ sns_configs: [...] }`, `{ webhook_configs: [...] }`; `{}` receives and holds only). */
  page: Record<string, unknown>;
  ticket: Record<string, unknown>;
  watchdog: Record<string, unknown>;
}

/**
 * The Alertmanager configuration: pages and tickets to their own receivers, the Watchdog to its own
 * (repeated often, so its absence is noticed), and a fast burn inhibiting the slow-burn ticket of the same SLI.
 */
export function alertmanagerConfig(receivers: AlertReceivers, options: { groupWait?: string; groupInterval?: string; repeatInterval?: string } = {}): Record<string, unknown> {
  return {
    route: {
      receiver: "ticket",
      group_by: ["alertname", "slo_class", "sli"],
      group_wait: options.groupWait ?? "30s",
      group_interval: options.groupInterval ?? "5m",
      repeat_interval: options.repeatInterval ?? "4h",
      routes: [
        { receiver: "watchdog", matchers: ['alertname="Watchdog"'], repeat_interval: "5m" },
        { receiver: "page", matchers: ['severity="page"'] },
        { receiver: "ticket", matchers: ['severity="ticket"'] },
      ],
    },
    inhibit_rules: [{ source_matchers: ['alertname="ErrorBudgetFastBurn"'], target_matchers: ['alertname="ErrorBudgetSlowBurn"'], equal: ["slo_class", "sli"] }],
    receivers: [
      { name: "page", ...receivers.page },
      { name: "ticket", ...receivers.ticket },
      { name: "watchdog", ...receivers.watchdog },
    ],
  };
}

/** Alertmanager's YAML (a local alertmanager.yml). */
export function renderAlertmanagerConfig(config: Record<string, unknown>): string {
  return stringify(config, { lineWidth: 0 });
}

/** An Amazon Managed Service for Prometheus alert manager definition (the same config under `alertmanager_config`). */
export function ampAlertManagerDefinition(config: Record<string, unknown>): string {
  return stringify({ alertmanager_config: stringify(config, { lineWidth: 0 }) }, { lineWidth: 0 });
}
