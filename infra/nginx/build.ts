import * as path from "node:path";
import type { StackConfig } from "../config/schema";
import { checkRoutes, HEADERS, HSTS, PORTS, ROUTES, SECURITY_HEADER_LIST, sortedMethods, STATIC_TTL_SECONDS, type RouteEntry } from "@edgestack/contract";
import {
  NGINX_LIVENESS_PATH,
  NGINX_PORTS,
  NGINX_STUB_STATUS_PATH,
  type NginxListenerTls,
  type NginxLocation,
  type NginxModel,
  type NginxPaths,
  type NginxServer,
  type NginxResolver,
  type NginxUpstreamServer,
} from "./model";
import { clusterDnsIp } from "../network/cidr";
import { CLUSTER_FD_LIMIT, NGINX_POD_RESOURCES, nginxCapacity } from "./capacity";
import { nginxStopTiming } from "../config/nginx-stop";
import { APP_CANARY_PODS_DNS_NAME, APP_PODS_DNS_NAME, APP_PODS_SRV_SERVICE } from "../cluster/objects";

/** The parts of the stack config the nginx model is built from. */
export type NginxConfigInput = Pick<
  StackConfig,
  | "stack"
  | "domain"
  | "wwwSubdomain"
  | "originSubdomain"
  | "edgeSubdomain"
  | "vpcCidr"
  | "serviceCidr"
  | "appClusterIp"
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

export interface LocalUpstream {
  /** A loopback IPv4 address (local replicas each have their own, as pods do). */
  host: string;
  port: number;
  /** Default 1. */
  weight?: number;
  /** Default false. */
  backup?: boolean;
}

/**
 * Local service discovery as in the cluster: one DNS name whose A records are the ready replicas
 * (loopback addresses, one per replica, all on `port`), served by a DNS server at `resolver`.
 */
export interface LocalDiscovery {
  name: string;
  /** With config nginxServiceDiscovery dns_srv unused: each SRV record `_http._tcp.<name>` carries its replica's port. */
  port: number;
  /** "127.0.0.1:5353". */
  resolver: string;
}

export type NginxBuildOptions =
  | { mode: "cluster" }
  | {
      mode: "local";
      /** Fixed app replicas on loopback (no service discovery). Either this or `discovery`. */
      upstreams?: LocalUpstream[];
      /** The replicas through DNS, re-resolved like the cluster's headless Service. */
      discovery?: LocalDiscovery;
      /** The canary track's replicas (with config canaryImage): fixed servers or through DNS, like the stable ones. */
      canaryUpstreams?: LocalUpstream[];
      canaryDiscovery?: LocalDiscovery;
      /** Port of the ALB's (X-Forwarded-For) listener. */
      listenPort: number;
      /**
       * Certificate and key files for that listener: TLS as in the cluster (the local ALB stand-in
       * speaks TLS to it). Omitted: plain HTTP (focused tests of nginx's HTTP behaviour only).
       */
      albTls?: { certificate: string; certificateKey: string };
      /** Absolute directory holding pid, logs and temp dirs (the `-p` prefix). */
      prefix: string;
      /** Peers trusted for X-Forwarded-For / PROXY protocol; default ["127.0.0.1/32"]. */
      trustedCidrs?: string[];
      /** Optional extra listeners (omitted when not given). */
      proxyProtocolPort?: number;
      proxyProtocolHttpPort?: number;
      statusPort?: number;
      /** Default 1 (deterministic balancing for tests; nginx shares upstream state through the zone anyway). */
      workerProcesses?: number | "auto";
      /** Hard RLIMIT_NOFILE nginx runs under (sizes worker_connections); default the cluster's (CLUSTER_FD_LIMIT). */
      fdLimit?: number;
      /** The drain nginx's worker_shutdown_timeout is sized to (the local replicas' shutdown delay); default the cluster's. */
      drainSeconds?: number;
      /** Default "warn". */
      errorLogLevel?: NginxModel["errorLogLevel"];
      /** Default null: each line written at once, so tests and people tailing the log see it now. */
      accessLogBuffer?: NginxModel["accessLogBuffer"];
    };

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

/**
 * The loopback address nginx connects to local replicas from (Linux routes all of 127.0.0.0/8 to
 * loopback): the replicas trust exactly this address, so a client on 127.0.0.1 talking to a replica
 * directly is an untrusted peer whose forwarding headers are ignored.
 */
export const LOCAL_NGINX_SOURCE_ADDRESS = "127.0.0.2";

/** The short retries after a timed-out attempt (NginxRetry.afterTimeout): all, with their fallback, within one connect timeout. */
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

/** Paths of the nginxinc/nginx-unprivileged image: /tmp is its writable emptyDir (read-only root filesystem). */
const CLUSTER_PATHS: NginxPaths = {
  pid: "/tmp/nginx.pid",
  errorLog: "/dev/stderr",
  accessLog: "/dev/stdout",
  clientBodyTemp: "/tmp/client_temp",
  proxyTemp: "/tmp/proxy_temp",
  fastcgiTemp: "/tmp/fastcgi_temp",
  uwsgiTemp: "/tmp/uwsgi_temp",
  scgiTemp: "/tmp/scgi_temp",
};

/** Everything directly under the prefix: nginx creates the leaf temp dirs only if their parent exists. */
export function localPaths(prefix: string): NginxPaths {
  const at = (name: string) => path.posix.join(prefix, name);
  return {
    pid: at("nginx.pid"),
    errorLog: at("error.log"),
    accessLog: at("access.log"),
    clientBodyTemp: at("client_body_temp"),
    proxyTemp: at("proxy_temp"),
    fastcgiTemp: at("fastcgi_temp"),
    uwsgiTemp: at("uwsgi_temp"),
    scgiTemp: at("scgi_temp"),
  };
}

/**
 * The nginx model for the stack: "cluster" for the ConfigMap (ports from NGINX_PORTS, upstream the
 * app pods through the headless Service's DNS name and the cluster DNS, VPC CIDR trusted), "local" for loopback replicas under a prefix directory.
 * Locations come from the contract's ROUTES (one per entry, the catch-all as `location /`).
 * The result is not validated here; `renderNginxConf` validates before writing anything.
 */
export function buildNginxModel(config: NginxConfigInput, options: NginxBuildOptions, routes: readonly RouteEntry[] = ROUTES): NginxModel {
  checkRoutes(routes);
  const local = options.mode === "local";
  const serverDefaults = { maxFails: config.nginxMaxFails, failTimeoutSeconds: config.nginxFailTimeoutSeconds };
  // dns_srv: the pods' SRV records (the headless Service's named port), each with its own port.
  const srv = config.nginxServiceDiscovery === "dns_srv";
  const resolving = (host: string, port: number): NginxUpstreamServer => ({
    host,
    port: srv ? null : port,
    service: srv ? APP_PODS_SRV_SERVICE : null,
    weight: 1,
    backup: false,
    resolve: true,
    ...serverDefaults,
  });
  const resolverOf = (address: string): NginxResolver => ({ addresses: [address], validSeconds: config.nginxResolverValidSeconds, timeoutSeconds: 2 });
  const fixed = (upstreams: LocalUpstream[]): NginxUpstreamServer[] =>
    upstreams.map((u) => ({ host: u.host, port: u.port, service: null, weight: u.weight ?? 1, backup: u.backup ?? false, resolve: false, ...serverDefaults }));
  /** A track's servers and resolver: the cluster's pods by DNS name, or the local replicas (fixed or through DNS). */
  const track = (clusterName: string, upstreams: LocalUpstream[] | undefined, discovery: LocalDiscovery | undefined, what: string) => {
    if (!local) return { servers: [resolving(clusterName, PORTS.app)], resolver: resolverOf(clusterDnsIp(config.serviceCidr)) };
    if (discovery !== undefined) {
      if (upstreams !== undefined) throw new Error(`local nginx model: give either ${what}upstreams or ${what}discovery, not both`);
      return { servers: [resolving(discovery.name, discovery.port)], resolver: resolverOf(discovery.resolver) };
    }
    return { servers: fixed(upstreams ?? []), resolver: null };
  };
  const { servers, resolver } = track(APP_PODS_DNS_NAME, local ? options.upstreams : undefined, local ? options.discovery : undefined, "");
  const canaryTrack =
    config.canaryImage === ""
      ? null
      : track(APP_CANARY_PODS_DNS_NAME, local ? options.canaryUpstreams : undefined, local ? options.canaryDiscovery : undefined, "canary");
  if (local && canaryTrack === null && (options.canaryUpstreams !== undefined || options.canaryDiscovery !== undefined)) {
    throw new Error("local nginx model: canary replicas given, but the config has no canaryImage (no canary track)");
  }
  // The fallback: what kube-proxy's ClusterIP is to the pods, one address that reaches a ready pod,
  // never marked down (a single server; max_fails 0). Locally the same ready replicas through their
  // name (no kube-proxy here). See NginxLocation.fallbackUpstream. It is the stable track's: a
  // canary request that finds no live canary pod falls back to it too (stable serves it).
  const fallbackServers: NginxUpstreamServer[] = !local
    ? [{ host: config.appClusterIp, port: PORTS.app, service: null, weight: 1, backup: false, resolve: false, maxFails: 0, failTimeoutSeconds: config.nginxFailTimeoutSeconds }]
    : servers.filter((s) => !s.backup).map((s) => ({ ...s, maxFails: 0 }));

  const trusted = local ? (options.trustedCidrs ?? ["127.0.0.1/32"]) : [config.vpcCidr];
  // The site's names; any other Host gets the listener's default server (421). Locally also loopback.
  const siteNames = [config.domain, `${config.wwwSubdomain}.${config.domain}`, `${config.originSubdomain}.${config.domain}`, `${config.edgeSubdomain}.${config.domain}`];
  const serverNames = local ? ["localhost", "127.0.0.1", ...siteNames] : siteNames;
  const address = local ? "127.0.0.1" : "0.0.0.0";

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

  const ports = local
    ? { http: options.listenPort, proxyProtocolHttps: options.proxyProtocolPort, proxyProtocolHttp: options.proxyProtocolHttpPort, status: options.statusPort }
    : { ...NGINX_PORTS };

  const albTlsFiles = local ? options.albTls : NGINX_ALB_TLS_FILES;
  const nginxServers: NginxServer[] = [
    {
      role: "proxy",
      name: "alb_https",
      listen: { address, port: ports.http, proxyProtocol: false },
      // The ALB reaches nginx over TLS (it does not verify the certificate: a per-stack self-signed one).
      tls: albTlsFiles === undefined ? null : { ...albTlsFiles, protocols: [...ALB_TARGET_TLS.protocols], ciphers: [...ALB_TARGET_TLS.ciphers] },
      serverNames,
      // Cluster: the ALB appends the CloudFront edge's address to X-Forwarded-For, so the viewer's
      // address comes from the header CloudFront's function sets (see render.ts for why it is
      // trustworthy). Local: nginx stands in for the load balancer's hop and keeps X-Forwarded-For.
      realIp: local
        ? { header: HEADERS.forwardedFor, recursive: true, trustedCidrs: trusted }
        : { header: HEADERS.viewerAddress, recursive: false, trustedCidrs: trusted },
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
      realIp: { header: "proxy_protocol", recursive: false, trustedCidrs: [...trusted] },
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
      realIp: { header: "proxy_protocol", recursive: false, trustedCidrs: [...trusted] },
      health: { ...health },
    });
  }
  if (ports.status !== undefined) {
    nginxServers.push({
      role: "status",
      name: "status",
      // Cluster: kubelet probes come from the node (inside the VPC CIDR) to the pod IP, so it binds all
      // addresses but answers liveness to loopback + VPC only and stub_status to loopback only; it is in no Service.
      listen: { address, port: ports.status, proxyProtocol: false },
      stubStatusPath: NGINX_STUB_STATUS_PATH,
      stubStatusAllow: ["127.0.0.1/32"],
      livenessPath: NGINX_LIVENESS_PATH,
      livenessAllow: local ? ["127.0.0.1/32"] : ["127.0.0.1/32", config.vpcCidr],
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
    fdLimit: local ? (options.fdLimit ?? CLUSTER_FD_LIMIT) : CLUSTER_FD_LIMIT,
    maxWorkerConnections: config.nginxWorkerConnections,
  });
  const workerProcesses = local ? (options.workerProcesses ?? capacity.workerProcesses) : capacity.workerProcesses;
  const drainSeconds = local && options.drainSeconds !== undefined ? options.drainSeconds : config.appShutdownDelaySeconds;

  return {
    mode: options.mode,
    stack: config.stack,
    workerProcesses,
    workerConnections: capacity.workerConnections,
    workerRlimitNofile: capacity.workerRlimitNofile,
    // A reload or a pod's stop ends the old workers' connections (WebSockets) after this: no longer
    // than the app's own drain, and within what the grace period leaves after the preStop pause (stop.ts).
    workerShutdownTimeoutSeconds: nginxStopTiming(config, undefined, drainSeconds).workerShutdownTimeoutSeconds,
    errorLogLevel: local ? (options.errorLogLevel ?? "warn") : "warn",
    paths: local ? localPaths(options.prefix) : { ...CLUSTER_PATHS },
    accessLogBuffer: local ? (options.accessLogBuffer ?? null) : { sizeKb: 64, flushSeconds: 1 },
    clientKeepaliveSeconds: config.nginxClientKeepaliveSeconds,
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
    exposeUpstreamAddress: local,
    upstreamBindAddress: local ? LOCAL_NGINX_SOURCE_ADDRESS : null,
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
