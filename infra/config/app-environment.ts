import { APP_ENV, APP_STOP_MARGIN_MS, appEnvironment, parseAppEnvironment, PORTS, type AppEnvName, type AppSettings } from "@edgestack/contract";
import { latencyThresholdsMs, sloSpec, type SloConfig } from "./slo";
import type { FieldName, StackConfig } from "./schema";

/** The stack keys the app's environment is made from. */
export type AppEnvironmentConfig = SloConfig &
  Pick<
  StackConfig,
  | "rateLimitMax"
  | "rateLimitWindowMs"
  | "rateLimitFailMode"
  | "wsAllowedOrigins"
  | "wsMaxConnectionsPerClient"
  | "websocketReadTimeoutSeconds"
  | "domain"
  | "wwwSubdomain"
  | "appShutdownDelaySeconds"
  | "terminationGracePeriodSeconds"
  | "appKeepAliveSeconds"
  | "appHeadersTimeoutSeconds"
>;

/** Origins allowed to open /ws: the configured list, or the site's own https origins. */
export function wsAllowedOrigins(s: Pick<StackConfig, "wsAllowedOrigins" | "domain" | "wwwSubdomain">): string[] {
  return s.wsAllowedOrigins.length > 0 ? [...s.wsAllowedOrigins] : [`https://${s.domain}`, `https://${s.wwwSubdomain}.${s.domain}`];
}

/**
 * The app's ping interval on open WebSockets: a third of nginx's read timeout on /ws, so a healthy
 * socket is never silent that long (two pings may be lost or late) and only a hung pod's sockets time
 * out. nginx's read timer covers both the wait for the upgrade answer and an open socket's silence
 * (nginx's WebSocket proxying docs: "the proxied server can be configured to periodically send
 * WebSocket ping frames to reset the timeout"), so a short one bounds the upgrade without cutting sockets.
 */
export function wsHeartbeatMs(s: Pick<StackConfig, "websocketReadTimeoutSeconds">): number {
  return Math.floor((s.websocketReadTimeoutSeconds * 1000) / 3);
}

/**
 * The app's hard stop (SHUTDOWN_TIMEOUT_MS, counted from SIGTERM): just inside the pod's grace
 * period, so the app exits on its own (and logs why) before the kubelet's SIGKILL; never above the
 * app's own ceiling (a longer grace period then leaves nginx its time, the app stops at its limit).
 */
export function appShutdownTimeoutMs(s: Pick<StackConfig, "terminationGracePeriodSeconds">): number {
  return Math.min(APP_ENV.SHUTDOWN_TIMEOUT_MS.max, Math.max(APP_ENV.SHUTDOWN_TIMEOUT_MS.min, s.terminationGracePeriodSeconds * 1000 - APP_STOP_MARGIN_MS));
}

/**
 * The app's settings in the cluster, from the stack keys: the input of the contract's
 * appEnvironment for the Deployment. `trustProxyCidrs` are the VPC's blocks (nginx, a pod in the
 * VPC, is the one proxy the app trusts); `redisCluster` whether REDIS_URL is a cluster endpoint.
 */
export function clusterAppSettings(c: AppEnvironmentConfig, trustProxyCidrs: readonly string[], redisCluster: boolean): AppSettings {
  return {
    port: PORTS.app,
    redisCluster,
    rateLimitMax: c.rateLimitMax,
    rateLimitWindowMs: c.rateLimitWindowMs,
    rateLimitFailMode: c.rateLimitFailMode,
    trustProxyCidrs,
    wsAllowedOrigins: wsAllowedOrigins(c),
    wsMaxConnectionsPerClient: c.wsMaxConnectionsPerClient,
    wsHeartbeatMs: wsHeartbeatMs(c),
    shutdownDelayMs: c.appShutdownDelaySeconds * 1000,
    shutdownTimeoutMs: appShutdownTimeoutMs(c),
    keepAliveTimeoutMs: c.appKeepAliveSeconds * 1000,
    headersTimeoutMs: c.appHeadersTimeoutSeconds * 1000,
    metricsPort: PORTS.appMetrics,
    // Each SLO latency threshold is a histogram bucket, so the latency SLI is exact.
    metricsLatencyThresholdsMs: latencyThresholdsMs(sloSpec(c)),
  };
}

/** Which stack keys each variable of the Deployment's environment is made from (for error messages). */
export const APP_ENV_SOURCES: Partial<Record<AppEnvName, FieldName[]>> = {
  RATE_LIMIT_MAX: ["rateLimitMax"],
  RATE_LIMIT_WINDOW_MS: ["rateLimitWindowMs"],
  RATE_LIMIT_FAIL: ["rateLimitFailMode"],
  TRUST_PROXY_CIDRS: ["vpcCidr"],
  WS_ALLOWED_ORIGINS: ["wsAllowedOrigins", "domain", "wwwSubdomain"],
  WS_MAX_CONNECTIONS_PER_CLIENT: ["wsMaxConnectionsPerClient"],
  WS_HEARTBEAT_MS: ["websocketReadTimeoutSeconds"],
  SHUTDOWN_DELAY_MS: ["appShutdownDelaySeconds"],
  SHUTDOWN_TIMEOUT_MS: ["terminationGracePeriodSeconds", "appShutdownDelaySeconds"],
  KEEPALIVE_TIMEOUT_MS: ["appKeepAliveSeconds"],
  HEADERS_TIMEOUT_MS: ["appHeadersTimeoutSeconds", "appKeepAliveSeconds"],
  METRICS_LATENCY_THRESHOLDS_MS: ["sloApiLatencyMs", "sloSiteLatencyMs", "sloWebsocketLatencyMs"],
};

/**
 * The environment the Deployment would hand the app, checked with the app's own schema (the one
 * app/src/config.ts parses with): one problem per variable the app would refuse, naming the stack
 * keys it comes from. Empty when the app will start. `trustProxyCidrs`: the VPC's blocks (at program
 * start the configured vpcCidr; once an existing VPC is read, its blocks). Pure.
 */
export function appEnvironmentProblems(c: AppEnvironmentConfig & Pick<StackConfig, "vpcCidr">, trustProxyCidrs: readonly string[], redisCluster = true): string[] {
  const env = appEnvironment(clusterAppSettings(c, trustProxyCidrs, redisCluster));
  const parsed = parseAppEnvironment(env);
  if (parsed.ok) return [];
  return parsed.problems.map((problem) => {
    const name = problem.slice(0, problem.indexOf("=")) as AppEnvName;
    const sources = (APP_ENV_SOURCES[name] ?? []).map((k) => `edgestack:${k} (${JSON.stringify(c[k as keyof typeof c])})`);
    return `${sources.join(", ") || name}: the app would refuse its environment: ${problem}`;
  });
}
