import { appEnvironment, type LogLevel } from "@edgestack/contract";
import { clusterAppSettings } from "../infra/config/app-environment";
import { fields, parseStackConfig, type FieldName, type StackConfig } from "../infra/config/schema";
import { LOCAL_NGINX_SOURCE_ADDRESS } from "./nginx-site";
import { readStackFiles } from "../offline/engine/stack-files";

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
  /** The Redis URL, or a file holding it (REDIS_URL_FILE, as the cluster's mounted Secret): one of the two. */
  redisUrl?: string;
  redisUrlFile?: string;
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
  const cluster = clusterAppSettings(config, [], false);
  const env = appEnvironment({
    ...cluster,
    port: input.port,
    host: input.host ?? "127.0.0.1",
    redisUrl: input.redisUrl,
    redisUrlFile: input.redisUrlFile,
    // Every replica has its own metrics port (the latency thresholds are the cluster's, from the SLO spec).
    metricsPort: input.metricsPort,
    // nginx connects from its own loopback address: a client on 127.0.0.1 is not trusted.
    trustProxyCidrs: [`${LOCAL_NGINX_SOURCE_ADDRESS}/32`],
    // The local site's own origin (the data plane's nginx port), as wsAllowedOrigins defaults to the site's.
    wsAllowedOrigins: input.siteOrigins === undefined ? [] : [...input.siteOrigins, ...config.wsAllowedOrigins],
    shutdownDelayMs: input.shutdownDelayMs,
    shutdownTimeoutMs: Math.max(cluster.shutdownTimeoutMs, input.shutdownDelayMs + 5000),
    instanceId: replicaInstanceId(input.index),
    // Checked by the app itself (LOG_LEVEL is the app's; a bad one stops the replica with its error).
    logLevel: input.logLevel as LogLevel,
  });
  return { ...(env as Record<string, string>), ...input.overrides };
}
