import { isIP } from "node:net";
import { z } from "zod";
import { APP_METRICS_PORT, APP_PORT } from "./http";

/**
 * The app's environment, defined once: every variable the app reads, its bounds and its default
 * (APP_ENV), the schema the app parses its environment with (appEnvSchema), and the one function
 * that produces an environment from settings (appEnvironment) for the Kubernetes Deployment and the
 * local replicas alike. The stack's config schema takes its bounds for the app's keys from APP_ENV
 * and checks, at program start, the environment the Deployment will hand the app with this schema.
 */

/** Numeric variables: inclusive bounds and the default (undefined: optional, derived by the app). */
export const APP_ENV = {
  PORT: { min: 0, max: 65_535, default: APP_PORT }, // 0 = any free port (tests)
  RATE_LIMIT_MAX: { min: 1, max: 1_000_000, default: 100 },
  RATE_LIMIT_WINDOW_MS: { min: 100, max: 86_400_000, default: 60_000 },
  WS_MAX_CONNECTIONS: { min: 1, max: 100_000, default: 1000 },
  WS_MAX_CONNECTIONS_PER_CLIENT: { min: 1, max: 10_000, default: 20 },
  WS_MAX_MESSAGE_BYTES: { min: 1, max: 1_048_576, default: 16_384 },
  WS_MAX_MESSAGES_PER_SECOND: { min: 1, max: 100_000, default: 50 },
  WS_SEND_BUFFER_BYTES: { min: 1024, max: 16_777_216, default: 65_536 },
  SHUTDOWN_DELAY_MS: { min: 0, max: 300_000, default: 10_000 },
  SHUTDOWN_TIMEOUT_MS: { min: 1000, max: 600_000, default: 30_000 },
  // Above the load balancer's idle timeout (ALB default 60 s) so the balancer, not the app,
  // closes idle keep-alive connections: it never reuses a socket the app just closed.
  KEEPALIVE_TIMEOUT_MS: { min: 1000, max: 3_600_000, default: 65_000 },
  HEADERS_TIMEOUT_MS: { min: 1000, max: 3_700_000, default: undefined },
  REDIS_COMMAND_TIMEOUT_MS: { min: 10, max: 60_000, default: 500 },
  WS_HEARTBEAT_MS: { min: 50, max: 3_600_000, default: 30_000 },
  METRICS_PORT: { min: 0, max: 65_535, default: APP_METRICS_PORT }, // 0 = any free port (tests)
  /** Each entry of METRICS_LATENCY_THRESHOLDS_MS (an SLO latency threshold, a histogram bucket). */
  METRICS_LATENCY_THRESHOLD_MS: { min: 1, max: 60_000, default: undefined },
} as const;

/** The SLO latency thresholds the app's histograms have as buckets when unset (the stack's default SLO thresholds; a test keeps them equal). */
export const DEFAULT_LATENCY_THRESHOLDS_MS = [300, 1000] as const;
export const METRICS_MODES = ["on", "off"] as const;

/**
 * After its shutdown delay the app stops accepting, lets in-flight requests finish and closes its
 * WebSockets and Redis: the pod's grace period must leave it at least this long for that, or the
 * kubelet's SIGKILL cuts requests mid-answer.
 */
export const APP_DRAIN_SECONDS = 5;
/** The app's hard stop sits this long inside the pod's grace period, so it exits (and logs why) before SIGKILL. */
export const APP_STOP_MARGIN_MS = 500;

export const RATE_LIMIT_FAIL_MODES = ["open", "closed"] as const;
export const LOG_LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"] as const;
/**
 * Which requests get an access-log line from the app. nginx in front logs every request (with the
 * same request id, the client IP, status, timings and which app instance answered), so the app's
 * default is to add lines only where it knows more: server errors and slow responses.
 */
export const ACCESS_LOG_MODES = ["all", "errors", "off"] as const;
export type AccessLogMode = (typeof ACCESS_LOG_MODES)[number];
export type LogLevel = (typeof LOG_LEVELS)[number];

/** An IPv4 or IPv6 CIDR ("10.0.0.0/16", "fd00::/8") or a bare address (a /32 or /128). */
export function isCidr(value: string): boolean {
  const [address = "", bits, ...rest] = value.split("/");
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (bits === undefined) return true;
  return /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 6 ? 128 : 32);
}

/** A browser origin: scheme, host and optional port, nothing else ("https://example.com"). */
export function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "https:" || url.protocol === "http:") && url.origin === value;
  } catch {
    return false;
  }
}

/** SHA-256 hex digest of an API key (either case). */
export const API_KEY_HASH_PATTERN = /^[0-9a-fA-F]{64}$/;

/** Decimal digits only: "1e3", "0x10", "1.5" and "+5" are refused, not read as numbers. */
const integer = (name: keyof typeof APP_ENV) => {
  const { min, max } = APP_ENV[name];
  return z
    .string()
    .regex(/^[0-9]{1,16}$/, { message: "must be a decimal integer (digits only)" })
    .transform(Number)
    .pipe(z.number().min(min, { message: `must be at least ${min}` }).max(max, { message: `must be at most ${max}` }));
};
const withDefault = (name: Exclude<keyof typeof APP_ENV, "HEADERS_TIMEOUT_MS" | "METRICS_LATENCY_THRESHOLD_MS">) => integer(name).default(APP_ENV[name].default);

/** A comma-separated list (spaces around entries ignored, empty entries dropped). */
const list = () => z.string().transform((value) => value.split(",").map((entry) => entry.trim()).filter((entry) => entry !== ""));

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

/** An absolute path of a file to read a secret variable from. */
const secretFilePath = () => z.string().refine((value) => value.startsWith("/"), { message: "must be an absolute path" }).optional();

/** The release tracks: the stable Deployment and the canary (nginx splits between them). */
export const RELEASE_TRACKS = ["stable", "canary"] as const;
export type ReleaseTrack = (typeof RELEASE_TRACKS)[number];

/** Every variable the app reads, each with its bounds and default (the cross-field rules are in appEnvSchema). */
export const appEnvObject = z.object({
  PORT: withDefault("PORT"),
  HOST: z.string().refine((value) => isIP(value) !== 0, { message: "must be an IP address to bind (e.g. 0.0.0.0, ::, 127.0.0.1)" }).default("0.0.0.0"),
  REDIS_URL: redisUrl.default("redis://127.0.0.1:6379"),
  /** A file holding REDIS_URL (a mounted Secret): the AUTH token never sits in the environment. Not with REDIS_URL. */
  REDIS_URL_FILE: secretFilePath(),
  REDIS_CLUSTER: z.enum(["true", "false"]).default("false"),
  RATE_LIMIT_MAX: withDefault("RATE_LIMIT_MAX"),
  RATE_LIMIT_WINDOW_MS: withDefault("RATE_LIMIT_WINDOW_MS"),
  RATE_LIMIT_FAIL: z.enum(RATE_LIMIT_FAIL_MODES).default("open"),
  TRUST_PROXY_CIDRS: list()
    .refine((cidrs) => cidrs.every(isCidr), { message: "must be comma-separated CIDRs, e.g. 10.0.0.0/16,127.0.0.1/32" })
    .default([]),
  /** A file holding API_KEY_HASHES (a mounted Secret). Not with API_KEY_HASHES. */
  API_KEY_HASHES_FILE: secretFilePath(),
  API_KEY_HASHES: list()
    .refine((hashes) => hashes.every((h) => API_KEY_HASH_PATTERN.test(h)), { message: "must be comma-separated SHA-256 hex digests (64 hex digits each)" })
    .default([]),
  WS_ALLOWED_ORIGINS: list()
    .refine((origins) => origins.every(isOrigin), { message: "must be comma-separated origins, e.g. https://example.com,https://www.example.com" })
    .default([]),
  WS_MAX_CONNECTIONS: withDefault("WS_MAX_CONNECTIONS"),
  WS_MAX_CONNECTIONS_PER_CLIENT: withDefault("WS_MAX_CONNECTIONS_PER_CLIENT"),
  WS_MAX_MESSAGE_BYTES: withDefault("WS_MAX_MESSAGE_BYTES"),
  WS_MAX_MESSAGES_PER_SECOND: withDefault("WS_MAX_MESSAGES_PER_SECOND"),
  WS_SEND_BUFFER_BYTES: withDefault("WS_SEND_BUFFER_BYTES"),
  SHUTDOWN_DELAY_MS: withDefault("SHUTDOWN_DELAY_MS"),
  SHUTDOWN_TIMEOUT_MS: withDefault("SHUTDOWN_TIMEOUT_MS"),
  KEEPALIVE_TIMEOUT_MS: withDefault("KEEPALIVE_TIMEOUT_MS"),
  // Unset: KEEPALIVE_TIMEOUT_MS + 1 s (the app derives it).
  HEADERS_TIMEOUT_MS: integer("HEADERS_TIMEOUT_MS").optional(),
  REDIS_COMMAND_TIMEOUT_MS: withDefault("REDIS_COMMAND_TIMEOUT_MS"),
  WS_HEARTBEAT_MS: withDefault("WS_HEARTBEAT_MS"),
  INSTANCE_ID: z.string().min(1).max(128).optional(),
  /** The release track the replica serves (its Deployment: app or app-canary); on every log line. */
  TRACK: z.enum(RELEASE_TRACKS).default("stable"),
  LOG_LEVEL: z.enum(LOG_LEVELS).default("info"),
  ACCESS_LOG: z.enum(ACCESS_LOG_MODES).default("errors"),
  METRICS: z.enum(METRICS_MODES).default("on"),
  METRICS_PORT: withDefault("METRICS_PORT"),
  // Unset: HOST.
  METRICS_HOST: z.string().refine((value) => isIP(value) !== 0, { message: "must be an IP address to bind (e.g. 0.0.0.0, ::, 127.0.0.1)" }).optional(),
  METRICS_LATENCY_THRESHOLDS_MS: list()
    .refine(
      (values) => values.every((v) => /^[0-9]{1,16}$/.test(v) && Number(v) >= APP_ENV.METRICS_LATENCY_THRESHOLD_MS.min && Number(v) <= APP_ENV.METRICS_LATENCY_THRESHOLD_MS.max),
      { message: `must be comma-separated milliseconds from ${APP_ENV.METRICS_LATENCY_THRESHOLD_MS.min} to ${APP_ENV.METRICS_LATENCY_THRESHOLD_MS.max}, e.g. 300,1000` },
    )
    .transform((values) => values.map(Number))
    .default([...DEFAULT_LATENCY_THRESHOLDS_MS]),
});

export type AppEnvName = keyof z.input<typeof appEnvObject>;
/** The variable names, in schema order. */
export const APP_ENV_NAMES = Object.keys(appEnvObject.shape) as AppEnvName[];
/** Variables whose values are secret (never shown in an error). */
export const APP_SECRET_ENV = new Set<AppEnvName>(["REDIS_URL", "API_KEY_HASHES"]);
/** Each secret variable's file variable: `<NAME>_FILE` holds the path of a file (a mounted Secret) with its value. */
export const SECRET_FILE_ENV = { REDIS_URL: "REDIS_URL_FILE", API_KEY_HASHES: "API_KEY_HASHES_FILE" } as const satisfies Partial<Record<AppEnvName, AppEnvName>>;

/**
 * Replaces every `<NAME>_FILE` of SECRET_FILE_ENV by `<NAME>` with the file's content (trailing
 * newline dropped), so secrets reach the app as mounted files rather than environment variables.
 * Setting both, or a file that can't be read, is a problem naming the variable (never the value).
 */
export function resolveSecretFiles(env: Record<string, string | undefined>, read: (path: string) => string): { ok: true; env: Record<string, string | undefined> } | { ok: false; problems: string[] } {
  const out = { ...env };
  const problems: string[] = [];
  for (const [name, fileName] of Object.entries(SECRET_FILE_ENV)) {
    const file = env[fileName]?.trim();
    if (file === undefined || file === "") continue;
    if (env[name] !== undefined && env[name]!.trim() !== "") {
      problems.push(`${fileName}=${JSON.stringify(file)}: set ${name} or ${fileName}, not both`);
      continue;
    }
    if (!file.startsWith("/")) {
      problems.push(`${fileName}=${JSON.stringify(file)}: must be an absolute path`);
      continue;
    }
    try {
      out[name] = read(file).replace(/\r?\n$/, "");
    } catch (err) {
      problems.push(`${fileName}=${JSON.stringify(file)}: can't be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
      continue;
    }
    delete out[fileName];
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, env: out };
}

/** The app's environment schema: every variable's bounds plus the rules between variables. */
export const appEnvSchema = appEnvObject.superRefine((env, ctx) => {
  if (env.HEADERS_TIMEOUT_MS !== undefined && env.HEADERS_TIMEOUT_MS <= env.KEEPALIVE_TIMEOUT_MS) {
    ctx.addIssue({ code: "custom", path: ["HEADERS_TIMEOUT_MS"], message: `must be above KEEPALIVE_TIMEOUT_MS (${env.KEEPALIVE_TIMEOUT_MS})` });
  }
  if (env.SHUTDOWN_TIMEOUT_MS <= env.SHUTDOWN_DELAY_MS) {
    ctx.addIssue({ code: "custom", path: ["SHUTDOWN_TIMEOUT_MS"], message: `must be above SHUTDOWN_DELAY_MS (${env.SHUTDOWN_DELAY_MS})` });
  }
  if (env.METRICS === "on" && env.METRICS_PORT !== 0 && env.METRICS_PORT === env.PORT) {
    ctx.addIssue({ code: "custom", path: ["METRICS_PORT"], message: `must differ from PORT (${env.PORT}): /metrics must not be reachable where requests are served` });
  }
  if (env.WS_SEND_BUFFER_BYTES < env.WS_MAX_MESSAGE_BYTES) {
    ctx.addIssue({ code: "custom", path: ["WS_SEND_BUFFER_BYTES"], message: `must be at least WS_MAX_MESSAGE_BYTES (${env.WS_MAX_MESSAGE_BYTES}): one echoed message must fit` });
  }
});

export type AppEnv = z.output<typeof appEnvSchema>;

/** Every variable's value when unset (shown in errors instead of `undefined`). */
const DEFAULTS: Record<string, unknown> = appEnvObject.parse({});

/**
 * Parses an environment map with the schema: the typed values, or one problem line per offending
 * variable (`NAME="value": message`, secrets redacted). Empty strings mean "unset" (a common
 * Kubernetes/compose artefact), not zero. Pure.
 */
export function parseAppEnvironment(env: Record<string, string | undefined>): { ok: true; env: AppEnv } | { ok: false; problems: string[] } {
  const cleaned: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    if (value !== undefined && value.trim() !== "") cleaned[key] = value.trim();
  }
  const parsed = appEnvSchema.safeParse(cleaned);
  if (parsed.success) return { ok: true, env: parsed.data };
  return {
    ok: false,
    problems: parsed.error.issues.map((issue) => {
      const key = String(issue.path[0] ?? "");
      const shown = APP_SECRET_ENV.has(key as AppEnvName)
        ? "<redacted>"
        : key in cleaned
          ? JSON.stringify(cleaned[key])
          : `${JSON.stringify(String(DEFAULTS[key]))} (default)`;
      return `${key}=${shown}: ${issue.message}`;
    }),
  };
}

/** What the app is run with; appEnvironment turns it into the environment variables. */
export interface AppSettings {
  port: number;
  /** Address to bind; default 0.0.0.0. */
  host?: string;
  /** Unset in the cluster: it comes from a Secret (see redisUrlFile). */
  redisUrl?: string;
  /** A file holding the Redis URL (REDIS_URL_FILE): the cluster's mounted Secret, the local data plane's private file. */
  redisUrlFile?: string;
  /** REDIS_URL is a cluster's configuration endpoint (ElastiCache cluster mode). */
  redisCluster: boolean;
  rateLimitMax: number;
  rateLimitWindowMs: number;
  rateLimitFailMode: (typeof RATE_LIMIT_FAIL_MODES)[number];
  /** Peers whose forwarding headers the app believes (the proxies in front of it). */
  trustProxyCidrs: readonly string[];
  /** Browser origins allowed to open /ws; empty: none besides non-browser clients. */
  wsAllowedOrigins: readonly string[];
  /** WebSockets one client address may hold open at once; unset: the app's default. */
  wsMaxConnectionsPerClient?: number;
  /** Ping interval of open WebSockets (keeps them inside the proxy's read timeout); unset: the app's default. */
  wsHeartbeatMs?: number;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  keepAliveTimeoutMs: number;
  headersTimeoutMs: number;
  /** Unset in the cluster: the pod's name (a field reference). */
  instanceId?: string;
  /** Unset: stable. */
  track?: ReleaseTrack;
  logLevel?: LogLevel;
  /** The /metrics port (never `port`); unset: the app's default. */
  metricsPort?: number;
  /** The SLO latency thresholds (ms) the request histograms must have as buckets; unset: the app's default. */
  metricsLatencyThresholdsMs?: readonly number[];
}

/**
 * The environment variables for `settings`, exactly as the app reads them. Pure; the Deployment and
 * the local replicas both call it, and the stack checks its result with appEnvSchema at program start.
 */
export function appEnvironment(s: AppSettings): Partial<Record<AppEnvName, string>> {
  return {
    PORT: String(s.port),
    ...(s.host === undefined ? {} : { HOST: s.host }),
    ...(s.redisUrl === undefined ? {} : { REDIS_URL: s.redisUrl }),
    ...(s.redisUrlFile === undefined ? {} : { REDIS_URL_FILE: s.redisUrlFile }),
    RATE_LIMIT_MAX: String(s.rateLimitMax),
    RATE_LIMIT_WINDOW_MS: String(s.rateLimitWindowMs),
    RATE_LIMIT_FAIL: s.rateLimitFailMode,
    REDIS_CLUSTER: String(s.redisCluster),
    TRUST_PROXY_CIDRS: s.trustProxyCidrs.join(","),
    WS_ALLOWED_ORIGINS: s.wsAllowedOrigins.join(","),
    ...(s.wsMaxConnectionsPerClient === undefined ? {} : { WS_MAX_CONNECTIONS_PER_CLIENT: String(s.wsMaxConnectionsPerClient) }),
    ...(s.wsHeartbeatMs === undefined ? {} : { WS_HEARTBEAT_MS: String(s.wsHeartbeatMs) }),
    SHUTDOWN_DELAY_MS: String(s.shutdownDelayMs),
    SHUTDOWN_TIMEOUT_MS: String(s.shutdownTimeoutMs),
    KEEPALIVE_TIMEOUT_MS: String(s.keepAliveTimeoutMs),
    HEADERS_TIMEOUT_MS: String(s.headersTimeoutMs),
    ...(s.instanceId === undefined ? {} : { INSTANCE_ID: s.instanceId }),
    ...(s.track === undefined ? {} : { TRACK: s.track }),
    ...(s.logLevel === undefined ? {} : { LOG_LEVEL: s.logLevel }),
    ...(s.metricsPort === undefined ? {} : { METRICS_PORT: String(s.metricsPort) }),
    ...(s.metricsLatencyThresholdsMs === undefined ? {} : { METRICS_LATENCY_THRESHOLDS_MS: s.metricsLatencyThresholdsMs.join(",") }),
  };
}
