import { isIP } from "node:net";
import { hostname } from "node:os";
import { z } from "zod";
import { DEFAULT_LATENCY_THRESHOLDS_MS } from "./metrics";
import { APP_PORT } from "./routes";
import { parseApiKeyHashes } from "./apiKeys";
import { parseCidrList } from "./clientIp";

/** Everything the app reads from its environment, validated once at start. */
export interface AppConfig {
  port: number;
  host: string;
  redisUrl: string;
  /** REDIS_CLUSTER=true: REDIS_URL is a cluster's configuration endpoint (ElastiCache cluster mode). */
  redisCluster: boolean;
  rateLimit: { max: number; windowMs: number; fail: "open" | "closed" };
  /** Peers (CIDRs) whose X-Forwarded-For / X-Forwarded-Proto the app believes; empty: none. */
  trustProxyCidrs: string[];
  /** SHA-256 (hex) of every known API key; see app/src/apiKeys.ts. */
  apiKeyHashes: string[];
  websocket: WebSocketLimits;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  redisCommandTimeoutMs: number;
  wsHeartbeatMs: number;
  instanceId: string;
  logLevel: "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";
  accessLog: AccessLogMode;
  /** Prometheus metrics on their own port (app/src/metrics.ts); null with METRICS=off. */
  metrics: MetricsConfig | null;
}

/** Where /metrics is served and which SLO latency thresholds its histograms must have as buckets. */
export interface MetricsConfig {
  port: number;
  host: string;
  latencyThresholdsMs: number[];
}

/** The metrics port by default (the OpenTelemetry Prometheus exporter's conventional port); never the serving port. */
export const METRICS_PORT = 9464;

/** Bounds of the /ws endpoint (see app/src/websocket.ts). */
export interface WebSocketLimits {
  /** Browser origins allowed to open /ws; a request without Origin (not a browser) is allowed. */
  allowedOrigins: string[];
  maxConnections: number;
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
  /** Bytes queued towards one peer before it is closed with 1013 (it stopped reading). */
  sendBufferBytes: number;
}

/**
 * Which requests get an access-log line from the app. nginx in front logs every request (with the
 * same request id, the client IP, status, timings and which app instance answered), so the app's
 * default is to add lines only where it knows more: server errors and slow responses.
 */
export const ACCESS_LOG_MODES = ["all", "errors", "off"] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];

/** Decimal digits only: "1e3", "0x10", "1.5" and "+5" are refused, not read as numbers. */
const integer = (min: number, max: number) =>
  z
    .string()
    .regex(/^[0-9]{1,16}$/, { message: "must be a decimal integer (digits only)" })
    .transform(Number)
    .pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));

/** A comma-separated list (spaces around entries ignored, empty entries dropped). */
const list = () => z.string().transform((value) => value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== ""));

const origin = (value: string): boolean => {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
};

const redisUrl = z.string().refine(
  (value) => {
    try {
      const url = new URL(value);
      return (url.protocol === "redis:" || url.protocol === "rediss:") && url.hostname !== "";
    } catch {
      return false;
    }
  },
  { message: "must be a redis:// or rediss:// URL with a host, e.g. rediss://:password@host:6379" },
);

const envObject = z.object({
    PORT: integer(0, 65535).default(APP_PORT), // 0 = any free port (tests)
    HOST: z.string().refine((value) => isIP(value) !== 0, { message: "must be an IP address to bind (e.g. 0.0.0.0, ::, 127.0.0.1)" }).default("0.0.0.0"),
    REDIS_URL: redisUrl.default("redis://127.0.0.1:6379"),
    REDIS_CLUSTER: z.enum(["true", "false"]).default("false"),
    RATE_LIMIT_MAX: integer(1, 1_000_000_000).default(100),
    RATE_LIMIT_WINDOW_MS: integer(100, 86_400_000).default(60_000),
    RATE_LIMIT_FAIL: z.enum(["open", "closed"]).default("open"),
    TRUST_PROXY_CIDRS: list()
      .refine((cidrs) => parseCidrList(cidrs).problems.length === 0, { message: "must be comma-separated CIDRs, e.g. 10.0.0.0/16,127.0.0.1/32" })
      .default([]),
    API_KEY_HASHES: list()
      .refine((hashes) => parseApiKeyHashes(hashes).problems.length === 0, { message: "must be comma-separated SHA-256 hex digests (64 hex digits each)" })
      .default([]),
    WS_ALLOWED_ORIGINS: list()
      .refine((origins) => origins.every(origin), { message: "must be comma-separated origins, e.g. https://example.com,https://www.example.com" })
      .default([]),
    WS_MAX_CONNECTIONS: integer(1, 100_000).default(1000),
    WS_MAX_MESSAGE_BYTES: integer(1, 1_048_576).default(16_384),
    WS_MAX_MESSAGES_PER_SECOND: integer(1, 100_000).default(50),
    WS_SEND_BUFFER_BYTES: integer(1024, 16_777_216).default(65_536),
    SHUTDOWN_DELAY_MS: integer(0, 300_000).default(10_000),
    SHUTDOWN_TIMEOUT_MS: integer(1000, 600_000).default(30_000),
    // Above the load balancer's idle timeout (ALB default 60 s) so the balancer, not the app,
    // closes idle keep-alive connections: it never reuses a socket the app just closed.
    KEEPALIVE_TIMEOUT_MS: integer(1000, 3_600_000).default(65_000),
    HEADERS_TIMEOUT_MS: integer(1000, 3_700_000).optional(),
    REDIS_COMMAND_TIMEOUT_MS: integer(10, 60_000).default(500),
    WS_HEARTBEAT_MS: integer(50, 3_600_000).default(30_000),
    INSTANCE_ID: z.string().min(1).max(128).optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    ACCESS_LOG: z.enum(ACCESS_LOG_MODES).default("errors"),
    METRICS: z.enum(["on", "off"]).default("on"),
    METRICS_PORT: integer(0, 65535).default(METRICS_PORT),
    METRICS_HOST: z.string().refine((value) => isIP(value) !== 0, { message: "must be an IP address to bind (e.g. 0.0.0.0, ::, 127.0.0.1)" }).optional(),
    METRICS_LATENCY_THRESHOLDS_MS: list()
      .refine((values) => values.every((v) => /^[0-9]{1,5}$/.test(v) && Number(v) >= 1 && Number(v) <= 60_000), { message: "must be comma-separated milliseconds from 1 to 60000, e.g. 300,1000" })
      .transform((values) => values.map(Number))
      .default([...DEFAULT_LATENCY_THRESHOLDS_MS]),
  });

/** Every variable's value when unset (shown in cross-field errors instead of `undefined`). */
const DEFAULTS: Record<string, unknown> = envObject.parse({});

const envSchema = envObject.superRefine((env, ctx) => {
    if (env.HEADERS_TIMEOUT_MS !== undefined && env.HEADERS_TIMEOUT_MS <= env.KEEPALIVE_TIMEOUT_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["HEADERS_TIMEOUT_MS"],
        message: `must be above KEEPALIVE_TIMEOUT_MS (${env.KEEPALIVE_TIMEOUT_MS})`,
      });
    }
    if (env.SHUTDOWN_TIMEOUT_MS <= env.SHUTDOWN_DELAY_MS) {
      ctx.addIssue({
        code: "custom",
        path: ["SHUTDOWN_TIMEOUT_MS"],
        message: `must be above SHUTDOWN_DELAY_MS (${env.SHUTDOWN_DELAY_MS})`,
      });
    }
    if (env.METRICS === "on" && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
      ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: `must differ from PORT (${env.PORT}): /metrics must not be reachable where requests are served` });
    }
    if (env.WS_SEND_BUFFER_BYTES < env.WS_MAX_MESSAGE_BYTES) {
      ctx.addIssue({
        code: "custom",
        path: ["WS_SEND_BUFFER_BYTES"],
        message: `must be at least WS_MAX_MESSAGE_BYTES (${env.WS_MAX_MESSAGE_BYTES}): one echoed message must fit`,
      });
    }
  });

/** Thrown for invalid environment; the message names every offending variable and value. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid environment:\n  ${problems.join("\n  ")}`);
    this.name = "ConfigError";
  }
}

const SECRET_KEYS = new Set(["REDIS_URL", "API_KEY_HASHES"]);

/** Pure: validates an environment map and returns the typed config, or throws ConfigError. */
export function loadConfig(env: Record<string, string | undefined>): AppConfig {
  // Empty strings mean "unset" (a common Kubernetes/compose artefact), not zero.
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") cleaned[key] = value.trim();
  }
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => {
        const key = String(issue.path[0] ?? "");
        const shown = SECRET_KEYS.has(key)
          ? "<redacted>"
          : key in cleaned
            ? JSON.stringify(cleaned[key])
            : `${JSON.stringify(String(DEFAULTS[key]))} (default)`;
        return `${key}=${shown}: ${issue.message}`;
      }),
    );
  }
  const e = parsed.data;
  return {
    port: e.PORT,
    host: e.HOST,
    redisUrl: e.REDIS_URL,
    redisCluster: e.REDIS_CLUSTER === "true",
    rateLimit: { max: e.RATE_LIMIT_MAX, windowMs: e.RATE_LIMIT_WINDOW_MS, fail: e.RATE_LIMIT_FAIL },
    trustProxyCidrs: e.TRUST_PROXY_CIDRS,
    apiKeyHashes: parseApiKeyHashes(e.API_KEY_HASHES).hashes,
    websocket: {
      allowedOrigins: e.WS_ALLOWED_ORIGINS,
      maxConnections: e.WS_MAX_CONNECTIONS,
      maxMessageBytes: e.WS_MAX_MESSAGE_BYTES,
      maxMessagesPerSecond: e.WS_MAX_MESSAGES_PER_SECOND,
      sendBufferBytes: e.WS_SEND_BUFFER_BYTES,
    },
    shutdownDelayMs: e.SHUTDOWN_DELAY_MS,
    shutdownTimeoutMs: e.SHUTDOWN_TIMEOUT_MS,
    keepAliveTimeoutMs: e.KEEPALIVE_TIMEOUT_MS,
    // Node must keep waiting for the next request's headers at least as long as it keeps an idle
    // keep-alive socket open, otherwise a request arriving just before the idle timeout is cut.
    headersTimeoutMs: e.HEADERS_TIMEOUT_MS ?? e.KEEPALIVE_TIMEOUT_MS + 1000,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    wsHeartbeatMs: e.WS_HEARTBEAT_MS,
    instanceId: e.INSTANCE_ID ?? hostname(),
    logLevel: e.LOG_LEVEL,
    accessLog: e.ACCESS_LOG,
    metrics: e.METRICS === "off" ? null : { port: e.METRICS_PORT, host: e.METRICS_HOST ?? e.HOST, latencyThresholdsMs: e.METRICS_LATENCY_THRESHOLDS_MS },
  };
}
