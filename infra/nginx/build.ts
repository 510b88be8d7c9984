import type { StackConfig } from "../config/schema";
import { checkRoutes, HSTS, ROUTES, SECURITY_HEADER_LIST, sortedMethods, STATIC_TTL_SECONDS, type RouteEntry } from "@edgestack/contract";
import {
  NGINX_LIVENESS_PATH,
  NGINX_STUB_STATUS_PATH,
  type NginxListenerTls,
  type NginxLocation,
  type NginxModel,
  type NginxPaths,
  type NginxServer,
  type NginxResolver,
  type NginxUpstreamServer,
} from "./model";
import { NGINX_POD_RESOURCES, nginxCapacity } from "./capacity";
import { nginxStopTiming } from "../config/nginx-stop";

/** The parts of the stack config the nginx model is built from. */
export type NginxConfigInput = Pick<
  StackConfig,
  | "stack"
  | "domain"
  | "wwwSubdomain"
  | "originSubdomain"
  | "edgeSubdomain"
  | "nginxResolverValidSeconds"
  | "nginxLoadBalancing"
  | "nginxServiceDiscovery"
  | "nginxWorkerConnections"
  | "nginxRateLimitPerMinute"
  | "nginxRateLimitBurst"
  | "nginxConnLimitPerIp"
  | "nginxUpstreamKeepaliveConnections"
  | "nginxUpstreamKeepaliveRequests"
  | "nginxUpstreamKeepaliveSeconds"
  | "nginxMaxFails"
  | "nginxFailTimeoutSeconds"
  | "nginxNextUpstreamTries"
  | "nginxClientKeepaliveSeconds"
  | "proxyConnectTimeoutSeconds"
  | "proxyReadTimeoutSeconds"
  | "proxySendTimeoutSeconds"
  | "websocketTimeoutSeconds"
  | "websocketReadTimeoutSeconds"
  | "healthCheckTimeoutSeconds"
  | "healthCheckIntervalSeconds"
  | "unhealthyThreshold"
  | "terminationGracePeriodSeconds"
  | "appShutdownDelaySeconds"
  | "wsMaxConnectionsPerClient"
  | "cdnHtmlDefaultTtlSeconds"
  | "staleWhileRevalidateSeconds"
  | "canaryImage"
  | "canaryWeightPercent"
  | "canaryHeader"
  | "canaryCookie"
>;

/** A fixed upstream server (no service discovery). */
export interface FixedUpstream {
  /** An IPv4 address (local replicas each have their own loopback address, as pods do). */
  host: string;
  port: number;
  /** Default 1. */
  weight?: number;
  /** Default false. */
  backup?: boolean;
}

/**
 * Where a track's servers come from: a DNS name re-resolved at run time (the cluster's headless
 * Service, or the local data plane's DNS server), or fixed servers.
 */
export type NginxTarget =
  | {
      kind: "dns";
      /** The name whose A records are the ready replicas (with nginxServiceDiscovery dns_srv: `<srvService>.<name>`'s SRV records). */
      name: string;
      /** The replicas' port (dns_a; with dns_srv each record carries its own). */
      port: number;
      /** The SRV service prefix (`_http._tcp`) for nginxServiceDiscovery dns_srv. */
      srvService: string;
      /** The DNS server's address ("172.20.0.10", "127.0.0.1:5353"). */
      resolver: string;
    }
  | { kind: "fixed"; servers: FixedUpstream[] };

/**
 * Everything that differs between where nginx runs, given by the caller: the cluster's pods
 * (infra/workloads/nginx.ts `clusterNginxSite`) or the local data plane (local/nginx-site.ts). The
 * builder derives the rest from the stack config and the routes alone.
 */
export interface NginxSite {
  /** The rendered file's kind (its comments; the affinity cookie is Secure only in the cluster). */
  mode: NginxModel["mode"];
  /** The address every listener binds. */
  address: string;
  /** The listeners' ports; a listener without one is left out (the HTTP listener is always there). */
  ports: { http: number; proxyProtocolHttps?: number; proxyProtocolHttp?: number; status?: number };
  /** Names served besides the site's own (any other Host gets the default server's 421). */
  extraServerNames: string[];
  /**
   * Certificate and key files of the ALB's listener: TLS as in the cluster (the ALB, and locally its
   * haproxy stand-in, speak TLS to it). null: plain HTTP (focused tests of nginx's HTTP behaviour only;
   * the validator refuses it in cluster mode).
   */
  albTls: { certificate: string; certificateKey: string } | null;
  /** Where the HTTP listener reads the client address, and from which peers; null: the connection's peer (nginx is the edge). */
  httpRealIp: { header: string; recursive: boolean; trustedCidrs: string[] } | null;
  /** Peers whose PROXY header the PROXY-protocol listeners believe. */
  proxyProtocolTrustedCidrs: string[];
  /** Who may read the liveness endpoint of the status listener (stub_status: loopback only). */
  livenessAllow: string[];
  /** The stable track's servers. */
  stable: NginxTarget;
  /** The canary track's (only with config canaryImage; without one, a config with canaryImage gets an empty canary upstream). */
  canary?: NginxTarget;
  /**
   * The fallback a request takes when the pods' upstream has no live server: one fixed address that
   * reaches a ready replica (the cluster's ClusterIP), or "stable": the stable track's own servers,
   * never marked down.
   */
  fallback: { kind: "address"; host: string; port: number } | { kind: "stable" };
  paths: NginxPaths;
  /** Hard RLIMIT_NOFILE nginx runs under (sizes worker_connections). */
  fdLimit: number;
  /** Default: what the pod's CPU limit allows (nginxCapacity). */
  workerProcesses?: number | "auto";
  /** The drain worker_shutdown_timeout is sized to; default the config's appShutdownDelaySeconds. */
  drainSeconds?: number;
  errorLogLevel: NginxModel["errorLogLevel"];
  accessLogBuffer: NginxModel["accessLogBuffer"];
  /** Whether answers name the upstream that served them (local tests and benches see which replica answered). */
  exposeUpstreamAddress: boolean;
  /** The source address nginx connects to the upstreams from; null: the system's choice. */
  upstreamBindAddress: string | null;
}

/** The canary track's upstream (and shared-memory zone). */
export const CANARY_UPSTREAM = "app_canary";

const MIME_TYPES: NginxModel["mimeTypes"] = [
  { type: "text/html", extensions: ["html", "htm"] },
  { type: "text/css", extensions: ["css"] },
  { type: "text/plain", extensions: ["txt"] },
  { type: "application/javascript", extensions: ["js", "mjs"] },
  { type: "application/json", extensions: ["json"] },
  { type: "application/wasm", extensions: ["wasm"] },
  { type: "image/svg+xml", extensions: ["svg"] },
  { type: "image/png", extensions: ["png"] },
  { type: "image/jpeg", extensions: ["jpg", "jpeg"] },
  { type: "image/webp", extensions: ["webp"] },
  { type: "image/x-icon", extensions: ["ico"] },
  { type: "font/woff2", extensions: ["woff2"] },
];

const GZIP_TYPES = ["text/css", "text/plain", "text/javascript", "application/javascript", "application/json", "application/xml", "image/svg+xml"];

/** The short retries after a timed-out attempt (NginxRetry.afterTimeout): all, with their fallback, within one connect timeout. */
/**
 * Requests per client connection. nginx's default (1000) closes a load balancer's pooled connection
 * every 1000 requests, and each reopening costs a TLS handshake on both sides: 8.5 M instructions in
 * nginx's worker, up to ~10 % on top of each of those 1000 requests' own work
 * (docs/benchmarks/2026-12-07-nginx-cost.md). Ten times that still frees a connection's memory now
 * and then, as nginx's limit is there to do.
 */
const CLIENT_KEEPALIVE_REQUESTS = 10_000;

export function retryAfterTimeout(connectTimeoutSeconds: number): NginxModel["retry"]["afterTimeout"] {
  const attemptTimeoutMs = Math.floor((connectTimeoutSeconds * 1000) / 4);
  return { budgetMs: 3 * attemptTimeoutMs, attemptTimeoutMs };
}

/** The upstream a request falls back to when the pods' upstream has no live server for it. */
export const APP_FALLBACK_UPSTREAM = "app_fallback";

/**
 * How long CloudFront may serve the last good HTML while the origin answers errors (stale-if-error):
 * a day-old page beats an error page. An app that must not be served stale sends its own Cache-Control.
 */
export const HTML_STALE_IF_ERROR_SECONDS = 86_400;

/**
 * The Cache-Control nginx gives HTML answers that carry none: CloudFront's default TTL for HTML
 * (`cdnHtmlDefaultTtlSeconds`) as max-age, the configured stale-while-revalidate window (left out at
 * 0), and stale-if-error.
 */
export function htmlDefaultCacheControl(config: Pick<StackConfig, "cdnHtmlDefaultTtlSeconds" | "staleWhileRevalidateSeconds">): string {
  return [
    "public",
    `max-age=${config.cdnHtmlDefaultTtlSeconds}`,
    ...(config.staleWhileRevalidateSeconds > 0 ? [`stale-while-revalidate=${config.staleWhileRevalidateSeconds}`] : []),
    `stale-if-error=${HTML_STALE_IF_ERROR_SECONDS}`,
  ].join(", ");
}

/**
 * Where the cluster's nginx finds the ALB listener's certificate and key: the `kubernetes.io/tls`
 * Secret (keys tls.crt and tls.key) mounted read-only (infra/workloads/nginx.ts).
 */
export const NGINX_ALB_TLS_DIR = "/etc/nginx/edgestack-tls";
export const NGINX_ALB_TLS_FILES = { certificate: `${NGINX_ALB_TLS_DIR}/tls.crt`, certificateKey: `${NGINX_ALB_TLS_DIR}/tls.key` } as const;

/**
 * The ALB → nginx hop's TLS: TLS 1.2 and 1.3, and for 1.2 the forward-secret AEAD suites of the
 * load balancers' own policy (TLS_POLICY, ELBSecurityPolicy-TLS13-1-2-2021-06) without its CBC ones.
 * (TLS 1.3 suites are OpenSSL's, all AEAD and forward-secret.)
 */
export const ALB_TARGET_TLS = {
  protocols: ["TLSv1.2", "TLSv1.3"],
  ciphers: ["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384"],
} as const satisfies Pick<NginxListenerTls, "protocols" | "ciphers">;

/**
 * The nginx model for the stack at `site` (the cluster's pods or the local data plane: ports, paths,
 * upstream targets, trusted peers). Locations come from the contract's ROUTES (one per entry, the
 * catch-all as `location /`). The result is not validated here; `renderNginxConf` validates before
 * writing anything.
 */
export function buildNginxModel(config: NginxConfigInput, site: NginxSite, routes: readonly RouteEntry[] = ROUTES): NginxModel {
  checkRoutes(routes);
  const serverDefaults = { maxFails: config.nginxMaxFails, failTimeoutSeconds: config.nginxFailTimeoutSeconds };
  // dns_srv: the replicas' SRV records (the headless Service's named port), each with its own port.
  const srv = config.nginxServiceDiscovery === "dns_srv";
  /** A track's servers and resolver: a name re-resolved through its DNS server, or fixed servers. */
  const track = (target: NginxTarget): { servers: NginxUpstreamServer[]; resolver: NginxResolver | null } => {
    if (target.kind === "fixed") {
      return {
        servers: target.servers.map((u) => ({ host: u.host, port: u.port, service: null, weight: u.weight ?? 1, backup: u.backup ?? false, resolve: false, ...serverDefaults })),
        resolver: null,
      };
    }
    return {
      servers: [{ host: target.name, port: srv ? null : target.port, service: srv ? target.srvService : null, weight: 1, backup: false, resolve: true, ...serverDefaults }],
      resolver: { addresses: [target.resolver], validSeconds: config.nginxResolverValidSeconds, timeoutSeconds: 2 },
    };
  };
  const { servers, resolver } = track(site.stable);
  if (config.canaryImage === "" && site.canary !== undefined) throw new Error("nginx model: canary replicas given, but the config has no canaryImage (no canary track)");
  const canaryTrack = config.canaryImage === "" ? null : track(site.canary ?? { kind: "fixed", servers: [] });
  // The fallback: what kube-proxy's ClusterIP is to the pods, one address that reaches a ready pod,
  // never marked down (a single server; max_fails 0); or the stable track's servers themselves (no
  // kube-proxy locally). See NginxLocation.fallbackUpstream. It is the stable track's: a canary
  // request that finds no live canary pod falls back to it too (stable serves it).
  const fallbackServers: NginxUpstreamServer[] =
    site.fallback.kind === "address"
      ? [{ host: site.fallback.host, port: site.fallback.port, service: null, weight: 1, backup: false, resolve: false, maxFails: 0, failTimeoutSeconds: config.nginxFailTimeoutSeconds }]
      : servers.filter((s) => !s.backup).map((s) => ({ ...s, maxFails: 0 }));

  // The site's names; any other Host gets the listener's default server (421).
  const siteNames = [config.domain, `${config.wwwSubdomain}.${config.domain}`, `${config.originSubdomain}.${config.domain}`, `${config.edgeSubdomain}.${config.domain}`];
  const serverNames = [...site.extraServerNames, ...siteNames];
  const address = site.address;

  const proxied = (p: Partial<NginxLocation> & Pick<NginxLocation, "path" | "match" | "methods">): NginxLocation => ({
    upstream: "app",
    fallbackUpstream: fallbackServers.length > 0 ? APP_FALLBACK_UPSTREAM : null,
    websocket: false,
    rateLimited: true,
    accessLog: true,
    connectTimeoutSeconds: config.proxyConnectTimeoutSeconds,
    readTimeoutSeconds: config.proxyReadTimeoutSeconds,
    sendTimeoutSeconds: config.proxySendTimeoutSeconds,
    immutableCacheSeconds: null,
    defaultCacheControl: null,
    ...p,
  });
  const location = (r: RouteEntry): NginxLocation => {
    const at = { path: r.path, match: r.match, methods: sortedMethods(r.methods) };
    switch (r.nginx) {
      case "proxy":
        return proxied(at);
      // Health as the load balancers see it (200 while the pod can serve, 503 only while it drains): never rate limited, health-check timeouts.
      case "health":
        return proxied({
          ...at,
          rateLimited: false,
          accessLog: false,
          connectTimeoutSeconds: Math.min(config.proxyConnectTimeoutSeconds, config.healthCheckTimeoutSeconds),
          readTimeoutSeconds: config.healthCheckTimeoutSeconds,
          sendTimeoutSeconds: config.healthCheckTimeoutSeconds,
        });
      // The read timeout bounds the wait for the upgrade's answer and an open socket's silence (the app
      // pings within it: wsHeartbeatMs); the send timeout only runs while a write to the app is blocked.
      case "websocket":
        return proxied({ ...at, websocket: true, readTimeoutSeconds: config.websocketReadTimeoutSeconds, sendTimeoutSeconds: config.websocketTimeoutSeconds });
      case "immutable":
        return proxied({ ...at, immutableCacheSeconds: STATIC_TTL_SECONDS });
      case "html":
        return proxied({ ...at, defaultCacheControl: htmlDefaultCacheControl(config) });
    }
  };
  // A prefix entry also owns its path without the trailing slash (infra/contract.ts `matches`): an exact
  // location serves it like the prefix, where nginx would otherwise redirect "/api" to "/api/" itself.
  // (Appended after the routes' own: exact locations win whatever their order.)
  const locations = [
    ...routes.map(location),
    ...routes.filter((r) => r.match === "prefix" && r.path !== "/" && r.path.endsWith("/")).map((r) => ({ ...location(r), path: r.path.slice(0, -1), match: "exact" as const })),
  ];
  const healthRoute = routes.find((r) => r.key === "health");
  if (healthRoute === undefined) throw new Error(`the routes have no "health" entry (the load balancers' health check)`);
  const health = location(healthRoute);

  const ports = site.ports;

  const nginxServers: NginxServer[] = [
    {
      role: "proxy",
      name: "alb_https",
      listen: { address, port: ports.http, proxyProtocol: false },
      // The ALB reaches nginx over TLS (it does not verify the certificate: a per-stack self-signed one).
      tls: site.albTls === null ? null : { ...site.albTls, protocols: [...ALB_TARGET_TLS.protocols], ciphers: [...ALB_TARGET_TLS.ciphers] },
      serverNames,
      realIp: site.httpRealIp === null ? null : { ...site.httpRealIp, trustedCidrs: [...site.httpRealIp.trustedCidrs] },
      forwardedProto: "header",
      locations,
    },
  ];
  if (ports.proxyProtocolHttps !== undefined) {
    nginxServers.push({
      role: "proxy",
      name: "nlb_tls",
      listen: { address, port: ports.proxyProtocolHttps, proxyProtocol: true },
      // The NLB terminated TLS; its PROXY v2 stream arrives as TCP.
      tls: null,
      serverNames: [...serverNames],
      realIp: { header: "proxy_protocol", recursive: false, trustedCidrs: [...site.proxyProtocolTrustedCidrs] },
      forwardedProto: "https",
      locations: locations.map((l) => ({ ...l })),
    });
  }
  if (ports.proxyProtocolHttp !== undefined) {
    nginxServers.push({
      role: "redirect_https",
      name: "nlb_http",
      listen: { address, port: ports.proxyProtocolHttp, proxyProtocol: true },
      serverNames: [...serverNames],
      realIp: { header: "proxy_protocol", recursive: false, trustedCidrs: [...site.proxyProtocolTrustedCidrs] },
      health: { ...health },
    });
  }
  if (ports.status !== undefined) {
    nginxServers.push({
      role: "status",
      name: "status",
      // Cluster: kubelet probes come from the node (inside the VPC's blocks) to the pod IP, so it binds all
      // addresses but answers liveness to loopback + the VPC only and stub_status to loopback only; it is in no Service.
      listen: { address, port: ports.status, proxyProtocol: false },
      stubStatusPath: NGINX_STUB_STATUS_PATH,
      stubStatusAllow: ["127.0.0.1/32"],
      livenessPath: NGINX_LIVENESS_PATH,
      livenessAllow: [...site.livenessAllow],
    });
  }

  const upstreamCommon = {
    algorithm: config.nginxLoadBalancing,
    zoneSize: "64k",
    keepalive:
      config.nginxUpstreamKeepaliveConnections === 0
        ? null
        : {
            connections: config.nginxUpstreamKeepaliveConnections,
            timeoutSeconds: config.nginxUpstreamKeepaliveSeconds,
            requests: config.nginxUpstreamKeepaliveRequests,
          },
  };
  const capacity = nginxCapacity({
    cpu: NGINX_POD_RESOURCES.limits.cpu,
    memory: NGINX_POD_RESOURCES.limits.memory,
    fdLimit: site.fdLimit,
    maxWorkerConnections: config.nginxWorkerConnections,
  });
  const workerProcesses = site.workerProcesses ?? capacity.workerProcesses;
  const drainSeconds = site.drainSeconds ?? config.appShutdownDelaySeconds;

  return {
    mode: site.mode,
    stack: config.stack,
    workerProcesses,
    workerConnections: capacity.workerConnections,
    workerRlimitNofile: capacity.workerRlimitNofile,
    // A reload or a pod's stop ends the old workers' connections (WebSockets) after this: no longer
    // than the app's own drain, and within what the grace period leaves after the preStop pause (stop.ts).
    workerShutdownTimeoutSeconds: nginxStopTiming(config, undefined, drainSeconds).workerShutdownTimeoutSeconds,
    errorLogLevel: site.errorLogLevel,
    paths: { ...site.paths },
    accessLogBuffer: site.accessLogBuffer === null ? null : { ...site.accessLogBuffer },
    clientKeepaliveSeconds: config.nginxClientKeepaliveSeconds,
    clientKeepaliveRequests: CLIENT_KEEPALIVE_REQUESTS,
    clientMaxBodySize: "1m",
    mimeTypes: MIME_TYPES.map((m) => ({ type: m.type, extensions: [...m.extensions] })),
    gzip: { enabled: true, minLength: 1024, compLevel: 5, types: [...GZIP_TYPES] },
    rateLimit: {
      requestZone: "per_ip_requests",
      requestZoneSize: "10m",
      requestsPerMinute: config.nginxRateLimitPerMinute,
      burst: config.nginxRateLimitBurst,
      connectionZone: "per_ip_connections",
      connectionZoneSize: "10m",
      connectionsPerIp: config.nginxConnLimitPerIp,
      status: 429,
    },
    webSockets: {
      clientZone: "ws_per_client",
      perClient: Math.min(config.wsMaxConnectionsPerClient, capacity.webSocketsPerPod),
      podZone: "ws_per_pod",
      perPod: capacity.webSocketsPerPod,
      zoneSize: "1m",
    },
    // Attempts that fail fast (refused, reset, a 502/504 answer) are retried within one read plus one connect timeout.
    // After a timed-out attempt the retries share one connect timeout: attempts of a quarter of it each,
    // started within three quarters, and a fallback attempt of a quarter, so a request waits at most one
    // read timeout plus one connect timeout however many pods hang (the timed-out pod once more, a
    // second hung one, then a live one).
    retry: {
      tries: config.nginxNextUpstreamTries,
      timeoutSeconds: config.proxyReadTimeoutSeconds + config.proxyConnectTimeoutSeconds,
      afterTimeout: retryAfterTimeout(config.proxyConnectTimeoutSeconds),
    },
    securityHeaders: SECURITY_HEADER_LIST.map((h) => ({ ...h })),
    hsts: { ...HSTS },
    exposeUpstreamAddress: site.exposeUpstreamAddress,
    upstreamBindAddress: site.upstreamBindAddress,
    upstreams: [
      { name: "app", resolver, servers, ...upstreamCommon },
      // The canary track: the same method, pool and passive checks over its own pods.
      ...(canaryTrack === null ? [] : [{ name: CANARY_UPSTREAM, resolver: canaryTrack.resolver, servers: canaryTrack.servers, ...upstreamCommon }]),
      ...(fallbackServers.length > 0
        ? [
            {
              ...upstreamCommon,
              name: APP_FALLBACK_UPSTREAM,
              resolver: fallbackServers.some((s) => s.resolve) ? resolver : null,
              algorithm: "round_robin" as const,
              servers: fallbackServers,
            },
          ]
        : []),
    ],
    canary:
      canaryTrack === null
        ? null
        : { upstream: CANARY_UPSTREAM, weightPercent: config.canaryWeightPercent, header: config.canaryHeader, cookie: config.canaryCookie },
    servers: nginxServers,
  };
}
