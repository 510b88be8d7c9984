import { readFileSync } from "node:fs";
import { hostname } from "node:os";
import { ConfigError, parseAppEnvironment, resolveSecretFiles, type AccessLogMode, type LogLevel, type ReleaseTrack } from "@edgestack/contract";
import { parseApiKeyHashes } from "./apiKeys";

export { ACCESS_LOG_MODES, type AccessLogMode } from "@edgestack/contract";

/**
 * Everything the app reads from its environment, validated once at start by the contract's
 * environment schema (@edgestack/contract appEnvSchema: the same bounds and defaults the stack checks
 * the Deployment's environment with).
 */
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
  /** The release track (stable or canary), on every log line. */
  track: ReleaseTrack;
  logLevel: LogLevel;
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

/** Bounds of the /ws endpoint (see app/src/websocket.ts). */
export interface WebSocketLimits {
  /** Browser origins allowed to open /ws; a request without Origin (not a browser) is allowed. */
  allowedOrigins: string[];
  maxConnections: number;
  /** Concurrent connections per client address (IPv6: per /64). */
  maxConnectionsPerClient: number;
  maxMessageBytes: number;
  maxMessagesPerSecond: number;
  /** Bytes queued towards one peer before it is closed with 1013 (it stopped reading). */
  sendBufferBytes: number;
}

/** Thrown for invalid environment (the contract's ConfigError): the message names every offending variable and value. */
export { ConfigError };

/**
 * Validates an environment map and returns the typed config, or throws ConfigError. A secret given as
 * a file (REDIS_URL_FILE, API_KEY_HASHES_FILE: a mounted Secret) is read with `read` first.
 */
export function loadConfig(env: Record<string, string | undefined>, read: (path: string) => string = (p) => readFileSync(p, "utf8")): AppConfig {
  const files = resolveSecretFiles(env, read);
  if (!files.ok) throw new ConfigError(files.problems, "invalid environment");
  const parsed = parseAppEnvironment(files.env);
  if (!parsed.ok) throw new ConfigError(parsed.problems, "invalid environment");
  const e = parsed.env;
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
      maxConnectionsPerClient: e.WS_MAX_CONNECTIONS_PER_CLIENT,
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
    track: e.TRACK,
    logLevel: e.LOG_LEVEL,
    accessLog: e.ACCESS_LOG,
    metrics: e.METRICS === "off" ? null : { port: e.METRICS_PORT, host: e.METRICS_HOST ?? e.HOST, latencyThresholdsMs: e.METRICS_LATENCY_THRESHOLDS_MS },
  };
}
