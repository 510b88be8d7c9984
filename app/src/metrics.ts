import { createServer, type IncomingMessage, type Server } from "node:http";
import type { Duplex } from "node:stream";
import { performance } from "node:perf_hooks";
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry, type Metric } from "prom-client";
import type { RedisClient } from "./redis";

/**
 * The app's Prometheus metrics (prom-client), served on a port of their own (METRICS_PORT) that no
 * Service, nginx location or load balancer routes.
 *
 * No label ever takes a client-controlled value: the route is the router's template (or
 * "unmatched"), the contract entry is the template's, the method is one of METHODS or "OTHER", the
 * status is its class. So the series count is bounded by the route table, whatever paths, methods,
 * Host headers or subprotocols clients send (tests/app/metrics.test.ts sends 10,000 distinct paths).
 *
 * The names are the rule generator's inputs (infra/observability/rules.ts); a test checks the two agree.
 */
export const METRIC_NAMES = {
  requests: "edgestack_http_requests_total",
  duration: "edgestack_http_request_duration_seconds",
  limiter: "edgestack_rate_limit_decisions_total",
  redisDuration: "edgestack_redis_command_duration_seconds",
  redisErrors: "edgestack_redis_command_errors_total",
  websockets: "edgestack_websocket_connections",
  ready: "edgestack_app_ready",
} as const;

/** Methods kept as themselves in the `method` label; anything else is "OTHER". */
export const METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"] as const;
export const OTHER_METHOD = "OTHER";

/** The route labels of a request: the router's template and the contract entry it belongs to. */
export interface RouteLabels {
  readonly route: string;
  readonly contract: string;
}

/** A path no route matched (404, 405, a bad URL, an upgrade on another path). */
export const UNMATCHED: RouteLabels = Object.freeze({ route: "unmatched", contract: "none" });

/** What the limiter decided: admitted, refused (429), a malformed key (401), or Redis failed and the fail mode answered. */
export const LIMITER_DECISIONS = ["admitted", "refused", "malformed_key", "fail_open", "fail_closed"] as const;
export type LimiterDecisionLabel = (typeof LIMITER_DECISIONS)[number];

/** Redis commands kept as themselves in the `command` label; anything else is "other". */
const REDIS_COMMANDS = new Set(["evalsha", "eval", "script", "mget", "get", "set", "ping", "quit", "info", "cluster", "auth", "select"]);

/** Latency buckets (seconds) every histogram has, before the SLO thresholds are added. */
export const BASE_BUCKETS_SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;
export { DEFAULT_LATENCY_THRESHOLDS_MS } from "@edgestack/contract";
const REDIS_BUCKETS_SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1];

/** The request-duration buckets: the base ones plus every SLO threshold, ascending, distinct. */
export function latencyBuckets(thresholdsMs: readonly number[]): number[] {
  return [...new Set([...BASE_BUCKETS_SECONDS, ...thresholdsMs.map((ms) => ms / 1000)])].sort((a, b) => a - b);
}

/** Status classes by `Math.floor(status / 100) - 1`; anything outside 100–599 is "other". */
const STATUS_CLASSES = ["1xx", "2xx", "3xx", "4xx", "5xx", "other"] as const;
const OTHER_STATUS = STATUS_CLASSES.length - 1;
const statusIndex = (status: number): number => (status >= 100 && status < 600 ? Math.floor(status / 100) - 1 : OTHER_STATUS);
/** The `method` label's values by index: METHODS, then OTHER. */
const METHOD_LABELS: readonly string[] = [...METHODS, OTHER_METHOD];
const METHOD_INDEX = new Map<string, number>(METHODS.map((m, i) => [m, i]));

/**
 * What a request records for one route (its labels), in plain numbers: answered requests by method
 * and status class since the last scrape, and the duration histogram (non-cumulative bucket
 * counts, sum, count). prom-client hashes a child's labels on every inc()/observe() (~3.6 µs a
 * request for the two, measured on Node 20 against ~0.1 µs for this), so the request path only
 * adds numbers and every scrape hands them over (see AppMetrics).
 */
class RouteSeries {
  readonly requests = new Array<number>(METHOD_LABELS.length * STATUS_CLASSES.length).fill(0);
  readonly buckets: number[];
  sum = 0;
  count = 0;

  constructor(
    readonly labels: RouteLabels,
    bucketCount: number,
  ) {
    this.buckets = new Array<number>(bucketCount).fill(0);
  }
}

export interface AppMetricsOptions {
  /** SLO latency thresholds (ms): each becomes a bucket boundary, so the latency SLI is exact. */
  latencyThresholdsMs: readonly number[];
  /** Collect Node's process metrics (event-loop delay, GC, heap, CPU). Default true. */
  defaultMetrics?: boolean;
}

/** The app's metrics registry and the few calls the request path makes into it. */
export class AppMetrics {
  readonly registry = new Registry();
  private readonly redisDuration: Histogram<"command">;
  private readonly redisErrors: Counter<"command">;
  /** The request duration buckets' upper bounds (seconds), ascending. */
  private readonly upperBounds: readonly number[];
  /** A route's series by its labels object, and by its label values (routes registered twice share one). */
  private readonly routes = new Map<RouteLabels, RouteSeries>();
  private readonly routesByName = new Map<string, RouteSeries>();
  /** Limiter decisions since the last scrape, by LIMITER_DECISIONS index. */
  private readonly decisions = new Array<number>(LIMITER_DECISIONS.length).fill(0);
  private openWebSockets: () => number = () => 0;
  private isReady: () => boolean = () => true;

  constructor(options: AppMetricsOptions) {
    const registers = [this.registry];
    const routes = this.routesByName;
    // Per-request figures are plain numbers (RouteSeries); each scrape adds them to prom-client's
    // counters (one inc per series that moved) and reads the histograms as they stand.
    new Counter({
      name: METRIC_NAMES.requests,
      help: "HTTP requests answered, by route template, contract entry, method and status class.",
      labelNames: ["route", "contract", "method", "code"],
      registers,
      collect() {
        for (const series of routes.values()) {
          series.requests.forEach((n, i) => {
            if (n === 0) return;
            series.requests[i] = 0;
            const { route, contract } = series.labels;
            this.inc({ route, contract, method: METHOD_LABELS[Math.floor(i / STATUS_CLASSES.length)]!, code: STATUS_CLASSES[i % STATUS_CLASSES.length]! }, n);
          });
        }
      },
    });
    this.upperBounds = latencyBuckets(options.latencyThresholdsMs);
    this.registry.registerMetric(routeHistogram(METRIC_NAMES.duration, "Time from a request's arrival to its answer (WebSocket: to the 101), by route template.", this.upperBounds, routes));
    const decisions = this.decisions;
    const limiterDecisions = new Counter({
      name: METRIC_NAMES.limiter,
      help: "Rate-limiter decisions: admitted, refused (429), malformed_key (401), fail_open / fail_closed (Redis failed).",
      labelNames: ["decision"],
      registers,
      collect() {
        decisions.forEach((n, i) => {
          if (n === 0) return;
          decisions[i] = 0;
          this.labels(LIMITER_DECISIONS[i]!).inc(n);
        });
      },
    });
    // Every decision exported from the start (0), so rates over it exist before the first refusal.
    for (const decision of LIMITER_DECISIONS) limiterDecisions.labels(decision).inc(0);
    this.redisDuration = new Histogram({ name: METRIC_NAMES.redisDuration, help: "Redis command latency as the app sees it, failures included.", labelNames: ["command"], buckets: REDIS_BUCKETS_SECONDS, registers });
    this.redisErrors = new Counter({ name: METRIC_NAMES.redisErrors, help: "Redis commands that failed (timeout, connection down, error reply).", labelNames: ["command"], registers });
    this.redisErrors.labels("evalsha").inc(0);
    const openWebSockets = () => this.openWebSockets();
    new Gauge({
      name: METRIC_NAMES.websockets,
      help: "Open WebSocket connections.",
      registers,
      collect() {
        this.set(openWebSockets());
      },
    });
    const isReady = () => this.isReady();
    new Gauge({
      name: METRIC_NAMES.ready,
      help: "1 while this replica can serve (its readiness), 0 from SIGTERM on.",
      registers,
      collect() {
        this.set(isReady() ? 1 : 0);
      },
    });
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 10 });
  }

  /** One answered request (or WebSocket handshake). */
  request(labels: RouteLabels, method: string | undefined, status: number, seconds: number): void {
    const series = this.routes.get(labels) ?? this.addRoute(labels);
    series.requests[(METHOD_INDEX.get(method ?? "") ?? METHODS.length) * STATUS_CLASSES.length + statusIndex(status)]!++;
    const bounds = this.upperBounds;
    let b = 0;
    while (b < bounds.length && seconds > bounds[b]!) b++;
    // Past the last bound: counted in count (+Inf) only.
    if (b < bounds.length) series.buckets[b]!++;
    series.sum += seconds;
    series.count++;
  }

  private addRoute(labels: RouteLabels): RouteSeries {
    const name = `${labels.route}\u0000${labels.contract}`;
    let series = this.routesByName.get(name);
    if (series === undefined) {
      series = new RouteSeries({ route: labels.route, contract: labels.contract }, this.upperBounds.length);
      this.routesByName.set(name, series);
    }
    this.routes.set(labels, series);
    return series;
  }

  limiter(decision: LimiterDecisionLabel): void {
    this.decisions[LIMITER_DECISION_INDEX.get(decision)!]!++;
  }

  /** Reports readiness from `ready` at each scrape. */
  reportReadiness(ready: () => boolean): void {
    this.isReady = ready;
  }

  /** Counts the open WebSockets from `count` at each scrape. */
  countWebSockets(count: () => number): void {
    this.openWebSockets = count;
  }

  /** Times every command the client sends and counts the failed ones (one wrapper around sendCommand). */
  instrumentRedis(client: RedisClient): void {
    const original = client.sendCommand.bind(client) as (command: RedisCommandLike, ...rest: unknown[]) => unknown;
    const duration = this.redisDuration;
    const errors = this.redisErrors;
    (client as unknown as { sendCommand: typeof original }).sendCommand = (command, ...rest) => {
      const name = REDIS_COMMANDS.has(command.name) ? command.name : "other";
      const started = performance.now();
      const result = original(command, ...rest);
      command.promise.then(
        () => duration.labels(name).observe((performance.now() - started) / 1000),
        () => {
          duration.labels(name).observe((performance.now() - started) / 1000);
          errors.labels(name).inc();
        },
      );
      return result;
    };
  }

  /**
   * Counts WebSocket handshakes on `server`'s upgrade event: the status is read from the first bytes
   * written to the socket (`HTTP/1.1 101`, or a refusal's status line), the latency up to then.
   * Must be attached before the WebSocket endpoint's own upgrade listener.
   */
  observeUpgrades(server: Server, labelsFor: (path: string) => RouteLabels): void {
    server.on("upgrade", (req: IncomingMessage, socket: Duplex) => {
      const started = performance.now();
      const labels = labelsFor((req.url ?? "").split("?")[0]);
      const write = socket.write;
      const end = socket.end;
      let seen = false;
      const observe = (chunk: unknown) => {
        if (seen) return;
        seen = true;
        socket.write = write;
        socket.end = end;
        const head = typeof chunk === "string" ? chunk.slice(0, 16) : Buffer.isBuffer(chunk) ? chunk.subarray(0, 16).toString("latin1") : "";
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(head);
        this.request(labels, req.method, match === null ? 0 : Number(match[1]), (performance.now() - started) / 1000);
      };
      socket.write = function (this: Duplex, chunk: unknown, ...rest: unknown[]) {
        observe(chunk);
        return (write as (...a: unknown[]) => boolean).call(this, chunk, ...rest);
      } as typeof socket.write;
      socket.end = function (this: Duplex, ...args: unknown[]) {
        observe(typeof args[0] === "function" ? undefined : args[0]);
        return (end as (...a: unknown[]) => Duplex).apply(this, args);
      } as typeof socket.end;
    });
  }
}

const LIMITER_DECISION_INDEX = new Map<string, number>(LIMITER_DECISIONS.map((d, i) => [d, i]));

/**
 * The request-duration histogram as a registry metric over RouteSeries: the same exposition as a
 * prom-client Histogram (cumulative `_bucket{le}` series, `+Inf`, `_sum`, `_count`, by route and
 * contract), read at scrape time from numbers the request path keeps.
 */
function routeHistogram(name: string, help: string, upperBounds: readonly number[], routes: Map<string, RouteSeries>): Metric {
  const get = async () => {
    const values: { labels: Record<string, string | number>; value: number; metricName: string }[] = [];
    for (const series of routes.values()) {
      const { route, contract } = series.labels;
      let cumulative = 0;
      upperBounds.forEach((le, i) => {
        cumulative += series.buckets[i]!;
        values.push({ labels: { le, route, contract }, value: cumulative, metricName: `${name}_bucket` });
      });
      values.push({ labels: { le: "+Inf", route, contract }, value: series.count, metricName: `${name}_bucket` });
      values.push({ labels: { route, contract }, value: series.sum, metricName: `${name}_sum` });
      values.push({ labels: { route, contract }, value: series.count, metricName: `${name}_count` });
    }
    return { name, help, type: "histogram", values, aggregator: "sum" };
  };
  const reset = () => {
    for (const series of routes.values()) {
      series.buckets.fill(0);
      series.sum = 0;
      series.count = 0;
    }
  };
  return { name, help, type: "histogram", aggregator: "sum", get, reset } as unknown as Metric;
}

interface RedisCommandLike {
  name: string;
  promise: Promise<unknown>;
}

/** `GET /metrics` on its own server; anything else is 404. */
export function createMetricsServer(metrics: AppMetrics): Server {
  return createServer((req, res) => {
    const path = (req.url ?? "").split("?")[0];
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain; charset=utf-8" });
      res.end("not found\n");
      return;
    }
    metrics.registry.metrics().then(
      (text) => {
        res.writeHead(200, { "content-type": metrics.registry.contentType, "cache-control": "no-store" });
        res.end(text);
      },
      () => {
        res.writeHead(500);
        res.end();
      },
    );
  });
}
