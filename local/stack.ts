import { fields, parseStackConfig, type FieldName, type StackConfig } from "../infra/config/schema";
import { LOCAL_NGINX_SOURCE_ADDRESS } from "../infra/nginx";
import { readStackFiles } from "../infra/config/stack-files";
import { latencyThresholdsMs, sloSpec } from "../infra/observability/slo";

/** A stack-config value as a test or benchmark would set it (validated like the stack file's own). */
export type ConfigOverride = string | number | boolean | string[];
export type ConfigOverrides = Partial<Record<FieldName, ConfigOverride>>;

/**
 * The stack's configuration exactly as `pulumi up` would see it (Pulumi.yaml defaults +
 * Pulumi.<stack>.yaml), with optional overrides applied as raw config strings *before* validation,
 * so an override is checked by the same schema and cross-field rules as the stack file.
 */
export function loadLocalStackConfig(stack: string, overrides: ConfigOverrides = {}, options: { root?: string } = {}): StackConfig {
  const files = readStackFiles(stack, options);
  const raw = { ...files.config };
  for (const [name, value] of Object.entries(overrides)) {
    if (!(name in fields)) throw new Error(`config override ${JSON.stringify(name)}: is not a stack config key (see infra/config/schema.ts)`);
    if (value === undefined) continue;
    raw[`edgestack:${name}`] = Array.isArray(value) ? JSON.stringify(value) : String(value);
  }
  return parseStackConfig(raw, stack);
}

export interface ReplicaEnvInput {
  index: number;
  /** Loopback address the replica binds; default 127.0.0.1. */
  host?: string;
  port: number;
  /** The /metrics port (every replica on its own address, as pods). */
  metricsPort: number;
  redisUrl: string;
  /** See DataPlaneOptions.shutdownDelayMs. */
  shutdownDelayMs: number;
  logLevel: string;
  /** The local site's origins (http://127.0.0.1:<nginx port>…), allowed to open /ws. */
  siteOrigins?: string[];
  /** Applied last: tests and the benchmark tune single variables (e.g. WS_HEARTBEAT_MS). */
  overrides?: Record<string, string>;
}

/** Instance id of replica i, also the app's X-Instance header. */
export const replicaInstanceId = (index: number): string => `replica-${index}`;

/**
 * The app's environment for one local replica, from the same stack keys the cluster's Deployment
 * uses. Pure. Local differences: HOST is loopback, TRUST_PROXY_CIDRS is loopback (nginx is the
 * only proxy in front), and the shutdown delay is the caller's (no load balancer to deregister from).
 */
export function replicaEnv(config: StackConfig, input: ReplicaEnvInput): Record<string, string> {
  const shutdownTimeoutMs = Math.max(config.terminationGracePeriodSeconds * 1000, input.shutdownDelayMs + 5000);
  return {
    PORT: String(input.port),
    HOST: input.host ?? "127.0.0.1",
    METRICS_PORT: String(input.metricsPort),
    METRICS_LATENCY_THRESHOLDS_MS: latencyThresholdsMs(sloSpec(config)).join(","),
    REDIS_URL: input.redisUrl,
    RATE_LIMIT_MAX: String(config.rateLimitMax),
    RATE_LIMIT_WINDOW_MS: String(config.rateLimitWindowMs),
    RATE_LIMIT_FAIL: config.rateLimitFailMode,
    // nginx connects from its own loopback address: a client on 127.0.0.1 is not trusted.
    TRUST_PROXY_CIDRS: `${LOCAL_NGINX_SOURCE_ADDRESS}/32`,
    // The local site's own origin (the data plane's nginx port), as wsAllowedOrigins defaults to the site's.
    ...(input.siteOrigins === undefined ? {} : { WS_ALLOWED_ORIGINS: [...input.siteOrigins, ...config.wsAllowedOrigins].join(",") }),
    SHUTDOWN_DELAY_MS: String(input.shutdownDelayMs),
    SHUTDOWN_TIMEOUT_MS: String(shutdownTimeoutMs),
    KEEPALIVE_TIMEOUT_MS: String(config.appKeepAliveSeconds * 1000),
    HEADERS_TIMEOUT_MS: String(config.appHeadersTimeoutSeconds * 1000),
    INSTANCE_ID: replicaInstanceId(input.index),
    LOG_LEVEL: input.logLevel,
    ...input.overrides,
  };
}
