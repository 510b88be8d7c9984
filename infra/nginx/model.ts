/**
 * The typed nginx model: plain data that `renderNginxConf` turns into a complete nginx.conf.
 * Built from the stack config by `buildNginxModel` (cluster ConfigMap and local data plane alike);
 * every value in it is checked by `validateNginxModel` before it reaches the file.
 */

import { NGINX_STATUS_PATHS, PORTS, routePath, type HttpMethod } from "@edgestack/contract";

/** Container ports of the nginx pod (the Kubernetes Service/NodePorts and probes target these). */
export const NGINX_PORTS = PORTS.nginx;

/** Shallow liveness of nginx itself on the status port (kubelet liveness/readiness probes). */
export const NGINX_LIVENESS_PATH = NGINX_STATUS_PATHS.liveness;
/** stub_status on the status port, answered to loopback only (an exporter sidecar). */
export const NGINX_STUB_STATUS_PATH = NGINX_STATUS_PATHS.stubStatus;
/**
 * The app's health route, passed through on every public listener (the load balancers' target
 * check): 200 while the pod can serve (its body reports Redis), 503 only while it drains.
 */
export const NGINX_HEALTH_PATH = routePath("health");

/**
 * What makes nginx try the next server and count a failure toward max_fails: only answers that mean
 * the pod is broken. Never http_503: the app's 503s are deliberate (draining /health, fail-closed
 * limiter with Retry-After) and must reach the client instead of marking every pod down.
 */
export const NGINX_NEXT_UPSTREAM = ["error", "timeout", "http_502", "http_504"] as const;

/**
 * The balancing methods of open-source nginx 1.30 (checked against the real binary in
 * tests/infra/nginx/balancing-behaviour.test.ts):
 * - `round_robin`: smooth weighted round robin (each server's `weight`; the canary split's weights too);
 * - `least_conn`: fewest active connections, ties by weight;
 * - `ip_hash`: affinity by client address (IPv4 /24): every client behind one NAT lands on one pod;
 * - `hash`: `hash $request_uri consistent` (ketama: adding a pod moves ~1/n of the keys);
 * - `random`: weighted random;
 * - `random_two_least_conn`: `random two least_conn` (power of two choices);
 * - `cookie_affinity`: `least_conn` for a client's first request, then `sticky cookie`: nginx sets
 *   AFFINITY_COOKIE to a hash of the chosen server's address and sends later requests carrying it there
 *   (while that server is up; a restarted pod at the same address keeps its clients).
 * Not in open-source nginx 1.30 (the binary refuses them): `least_time` and `random two least_time=…`
 * (least response time), `queue`, `ntlm`, and active health checks (`health_check`); see docs/nginx.md.
 */
export const LOAD_BALANCING = ["round_robin", "least_conn", "ip_hash", "hash", "random", "random_two_least_conn", "cookie_affinity"] as const;
export type LoadBalancing = (typeof LOAD_BALANCING)[number];

/**
 * How the upstream finds the app pods by DNS: `dns_a` looks the name up for A records (a server per
 * address, the port from the model); `dns_srv` for SRV records `_<port name>._tcp.<name>` (a server
 * per record, its target's address and the record's port). Both re-resolved while running.
 */
export const NGINX_SERVICE_DISCOVERY = ["dns_a", "dns_srv"] as const;
export type NginxServiceDiscovery = (typeof NGINX_SERVICE_DISCOVERY)[number];

/** The cookie `cookie_affinity` sets (value: nginx's hash of the chosen server's address, no expiry: a browser session). */
export const AFFINITY_COOKIE = "edge_affinity";

export const ERROR_LOG_LEVELS = ["debug", "info", "notice", "warn", "error", "crit"] as const;
export type ErrorLogLevel = (typeof ERROR_LOG_LEVELS)[number];

export interface NginxUpstreamServer {
  /** IPv4 address, or a DNS name (with `resolve`: every address it resolves to is a server). */
  host: string;
  /**
   * Re-resolve `host` through the upstream's resolver while running (nginx >= 1.27.3): each address
   * becomes a server with this entry's parameters, and addresses come and go without a reload.
   * Without it nginx resolves a name once at start.
   */
  resolve: boolean;
  /** null: the port comes from each SRV record (`service`). */
  port: number | null;
  /**
   * Discover the servers from SRV records (`server <host> service=<service> resolve`, open-source
   * nginx >= 1.27.3): nginx looks up `<service>.<host>` (e.g. `_http._tcp.app-pods…`: CoreDNS's
   * records of a headless Service's named port), and each record's target address and port is a
   * server; records of the lowest priority are primaries, the others backups. Needs `resolve` and
   * `port: null`. null: `host` is looked up for A records and `port` is the port.
   */
  service: string | null;
  weight: number;
  /** Passive health check: failures within failTimeoutSeconds that mark the server down (0: never). */
  maxFails: number;
  failTimeoutSeconds: number;
  /** Only used when every primary server is down; not allowed with ip_hash, hash or random. */
  backup: boolean;
}

export interface NginxUpstreamKeepalive {
  /** Idle connections cached per worker. */
  connections: number;
  /** Idle time after which a pooled connection is closed (must be below the app's keep-alive). */
  timeoutSeconds: number;
  /** Requests over one pooled connection before it is recycled. */
  requests: number;
}

/** The DNS server an upstream re-resolves its `resolve` servers through. */
export interface NginxResolver {
  /** IPv4 addresses, optionally with a port ("172.20.0.10", "127.0.0.1:5353"). */
  addresses: string[];
  /** Re-resolve at most this often, whatever the records' TTL (how fast scaling is seen). */
  validSeconds: number;
  timeoutSeconds: number;
}

export interface NginxUpstream {
  /** Upstream block name (also its shared-memory zone). */
  name: string;
  /** Required when a server has `resolve`; null otherwise. */
  resolver: NginxResolver | null;
  algorithm: LoadBalancing;
  /** Shared-memory zone size so balancing state and failures are shared by all workers. */
  zoneSize: string;
  servers: NginxUpstreamServer[];
  /** null: no pooling (`keepalive 0`: a new upstream connection per request; nginx >= 1.29.7 pools by default). */
  keepalive: NginxUpstreamKeepalive | null;
}

export interface NginxHeader {
  name: string;
  value: string;
}

export interface NginxPaths {
  pid: string;
  errorLog: string;
  /** null: access log off. */
  accessLog: string | null;
  clientBodyTemp: string;
  proxyTemp: string;
  fastcgiTemp: string;
  uwsgiTemp: string;
  scgiTemp: string;
}

export interface NginxListen {
  /** IPv4 address to bind ("0.0.0.0" for all). */
  address: string;
  port: number;
  proxyProtocol: boolean;
}

export interface NginxRealIp {
  /**
   * Where the client address comes from when the peer is trusted: "proxy_protocol", or the name of a
   * request header (X-Forwarded-For from a load balancer; X-Viewer-Address, set by CloudFront's
   * viewer-request function, on the cluster's ALB listener).
   */
  header: string;
  /**
   * real_ip_recursive: walk a list header (X-Forwarded-For) from the right past trusted addresses.
   * Off for a header that holds exactly one address and for PROXY protocol.
   */
  recursive: boolean;
  /** Peers allowed to state the client address; any other peer's header is ignored. */
  trustedCidrs: string[];
}

export interface NginxLocation {
  path: string;
  match: "exact" | "prefix";
  /** Name of the upstream to proxy to. */
  upstream: string;
  /**
   * Upstream a request goes to once when `upstream` has no server left for it (nginx's own 502 "no
   * live upstreams": every server marked failed, or a retry after the resolved set changed, which nginx
   * never retries on the new set). One attempt, never for non-idempotent methods; null: the 502 stands.
   */
  fallbackUpstream: string | null;
  /** Pass Upgrade/Connection through (WebSocket). */
  websocket: boolean;
  /** Apply limit_req and limit_conn. */
  rateLimited: boolean;
  accessLog: boolean;
  connectTimeoutSeconds: number;
  readTimeoutSeconds: number;
  sendTimeoutSeconds: number;
  /** Long-lived, versioned assets: `expires` + `Cache-Control: public, immutable` (upstream's hidden). */
  immutableCacheSeconds: number | null;
  /**
   * Exactly the methods the location passes on (its route's, from the contract); any other is
   * answered 405 with these as `Allow`.
   */
  methods: HttpMethod[];
  /**
   * Cache-Control for successful GET/HEAD answers whose upstream sent none (HTML: max-age plus
   * stale-while-revalidate / stale-if-error); an upstream Cache-Control passes unchanged. null: untouched.
   */
  defaultCacheControl: string | null;
}

/** A public listener that proxies to the app. */
export interface NginxProxyServer {
  role: "proxy";
  /** Identifier used in comments (e.g. "alb_http"). */
  name: string;
  listen: NginxListen;
  serverNames: string[];
  realIp: NginxRealIp | null;
  /**
   * X-Forwarded-Proto sent to the app: "header" takes http/https from the load balancer's
   * X-Forwarded-Proto (anything else falls back to the connection's scheme); "https" is fixed.
   */
  forwardedProto: "header" | "https";
  locations: NginxLocation[];
}

/** A public plain-HTTP listener that only redirects to https (health checks pass through). */
export interface NginxRedirectServer {
  role: "redirect_https";
  name: string;
  listen: NginxListen;
  serverNames: string[];
  realIp: NginxRealIp | null;
  /** Passed through to the upstream so load-balancer health checks on this port succeed. */
  health: NginxLocation;
}

/** Internal listener: stub_status and a shallow liveness answer of nginx itself. */
export interface NginxStatusServer {
  role: "status";
  name: string;
  listen: NginxListen;
  stubStatusPath: string;
  stubStatusAllow: string[];
  livenessPath: string;
  livenessAllow: string[];
}

export type NginxServer = NginxProxyServer | NginxRedirectServer | NginxStatusServer;

export interface NginxRateLimit {
  requestZone: string;
  requestZoneSize: string;
  requestsPerMinute: number;
  burst: number;
  connectionZone: string;
  connectionZoneSize: string;
  connectionsPerIp: number;
  /** Answer for rejected requests (429 Too Many Requests). */
  status: number;
}

/**
 * Concurrent WebSockets (`limit_conn` on the WebSocket location): per client (the real address after
 * the real-IP step, IPv6 by /64) and per pod (one key for all), so a few addresses cannot take every
 * connection a pod has and HTTP keeps its share.
 */
export interface NginxWebSocketLimits {
  clientZone: string;
  perClient: number;
  podZone: string;
  perPod: number;
  zoneSize: string;
}

export interface NginxRetry {
  /** proxy_next_upstream_tries: attempts across servers (idempotent requests only). */
  tries: number;
  /** proxy_next_upstream_timeout of the first phase (attempts that failed fast: refused, reset, 502/504 answers). */
  timeoutSeconds: number;
  /**
   * After an attempt timed out (a hung pod: its socket accepts, nothing answers), the request gets one
   * more phase on the pods with short attempts: each at most `attemptTimeoutMs` (connect and read), new
   * attempts started within `budgetMs`. Without it a second hung pod would cost a second full read
   * timeout; with it a request costs at most one timeout plus budgetMs + attemptTimeoutMs.
   */
  afterTimeout: { budgetMs: number; attemptTimeoutMs: number };
}

export interface NginxGzip {
  enabled: boolean;
  minLength: number;
  compLevel: number;
  /** MIME types compressed besides text/html (always compressed by nginx). */
  types: string[];
}

export interface NginxMimeType {
  type: string;
  extensions: string[];
}

export interface NginxHsts {
  maxAgeSeconds: number;
  includeSubDomains: boolean;
  preload: boolean;
}

/**
 * The canary track: every proxied request gets a track, `canary` or `stable`, and goes to that track's
 * upstream. Precedence: the forcing header ("always" → canary, "never" → stable), then the forcing
 * cookie (same values), then the weight (per request, nginx's split_clients on the request id). The
 * track is in the access log (`track`) so each track's error rate can be compared.
 */
export interface NginxCanary {
  /** Upstream of the canary pods (the locations' own upstream is the stable track). */
  upstream: string;
  /** Percent (0–100) of unforced requests sent to the canary. */
  weightPercent: number;
  /** Request header forcing a track (e.g. X-Canary). */
  header: string;
  /** Cookie forcing a track (e.g. edge_canary). */
  cookie: string;
}

/** The values of the canary header and cookie that force a track. */
export const CANARY_FORCE = { always: "canary", never: "stable" } as const;

export interface NginxModel {
  /** Where the file runs: "cluster" (ConfigMap) or "local" (test prefix / local data plane). */
  mode: "cluster" | "local";
  /** Stack the model was built from (comment only). */
  stack: string;
  workerProcesses: number | "auto";
  workerConnections: number;
  /** Descriptors each worker may open (`worker_rlimit_nofile`): its connections plus listeners and logs. */
  workerRlimitNofile: number;
  /** How long a graceful shutdown waits for open connections (WebSockets) before closing them. */
  workerShutdownTimeoutSeconds: number;
  errorLogLevel: ErrorLogLevel;
  paths: NginxPaths;
  /**
   * Buffer access-log lines in memory and write them in blocks: one write per `sizeKb` or
   * `flushSeconds` instead of a write syscall per request, a large share of nginx's per-request
   * CPU. null writes each line at once (tests that read the log right away).
   */
  accessLogBuffer: { sizeKb: number; flushSeconds: number } | null;
  clientKeepaliveSeconds: number;
  clientMaxBodySize: string;
  /** Inline `types {}` so the file needs no mime.types include. */
  mimeTypes: NginxMimeType[];
  gzip: NginxGzip;
  rateLimit: NginxRateLimit;
  webSockets: NginxWebSocketLimits;
  retry: NginxRetry;
  /** Added to every response (with `always`). */
  securityHeaders: NginxHeader[];
  /** Sent only on https (per listener: fixed https, or the load balancer said https). */
  hsts: NginxHsts | null;
  /** Adds `X-Upstream: $upstream_addr` to responses (local only: it leaks internal addresses). */
  exposeUpstreamAddress: boolean;
  /**
   * Source address of nginx's connections to the upstreams (`proxy_bind`); null: the kernel picks.
   * Locally 127.0.0.2, so the replicas can trust nginx's address without trusting a client on 127.0.0.1.
   */
  upstreamBindAddress: string | null;
  upstreams: NginxUpstream[];
  /** null: one track (stable), every location proxies to its own upstream. */
  canary: NginxCanary | null;
  servers: NginxServer[];
}
