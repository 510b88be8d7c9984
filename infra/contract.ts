/**
 * The HTTP contract of the edge, as plain data: which paths exist, where each goes (CloudFront
 * origin, cache rule, nginx location kind, ALB rule, app handler, methods), the header names the hops
 * agree on, the container ports, and HSTS and the security headers. CloudFront behaviors, nginx
 * locations, ALB listener rules and the policies' API prefixes are derived from it; the app keeps a
 * checked copy of its part (`app/src/routes.ts`, which cannot import from outside `app/`).
 *
 * Pure: no Pulumi imports, so the policy pack and tests import it as freely as `infra/` does.
 * Adding an API prefix is one entry in ROUTES.
 */

export const HTTP_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** What a cached (or cacheable) route accepts. */
export const READ_METHODS: readonly HttpMethod[] = ["GET", "HEAD", "OPTIONS"];

/**
 * - `none`: never cached (CloudFront's managed CachingDisabled, every viewer header but Host forwarded).
 * - `immutable`: versioned assets, one year, never revalidated.
 * - `html`: short TTL; the origin's Cache-Control decides, nginx supplies one when the app sends none.
 */
export type CacheRule = "none" | "immutable" | "html";

/**
 * How nginx serves the location: `proxy` plain pass-through; `health` never rate limited, not logged,
 * health-check timeouts; `websocket` Upgrade passed, long timeouts; `immutable` sets the one-year
 * Cache-Control itself; `html` adds the default HTML Cache-Control when the app sends none.
 */
export type NginxLocationKind = "proxy" | "health" | "websocket" | "immutable" | "html";

export interface RouteEntry {
  /** Names the entry in the app's route table, ALB rule names and error messages. */
  key: string;
  /** "exact": only this path; "prefix": the path and everything under it (a prefix ends in "/"). */
  match: "exact" | "prefix";
  path: string;
  /** CloudFront origin: the ALB (and nginx, and the app) or the static bucket. */
  origin: "app" | "static";
  cache: CacheRule;
  nginx: NginxLocationKind;
  /** Priority of the ALB listener rule for this path; null: the catch-all rule forwards it. */
  albPriority: number | null;
  /** Methods CloudFront lets through; the app registers a subset. */
  methods: readonly HttpMethod[];
}

/**
 * Every path the edge serves, most specific first. The last entry is the catch-all ("/" prefix):
 * CloudFront's default behavior, nginx's `location /`, the ALB's lowest-priority rule. It is the only
 * HTML entry; `routeFor` refuses to place a path declared anything else under it.
 */
export const ROUTES = [
  { key: "health", match: "exact", path: "/health", origin: "app", cache: "none", nginx: "health", albPriority: null, methods: READ_METHODS },
  // Public liveness is an ordinary, rate-limited request; only the load balancers' health check is exempt.
  { key: "liveness", match: "exact", path: "/livez", origin: "app", cache: "none", nginx: "proxy", albPriority: null, methods: READ_METHODS },
  // The kubelet's readiness probe (can this pod serve); public like liveness, never cached.
  { key: "readiness", match: "exact", path: "/readyz", origin: "app", cache: "none", nginx: "proxy", albPriority: null, methods: READ_METHODS },
  { key: "websocket", match: "exact", path: "/ws", origin: "app", cache: "none", nginx: "websocket", albPriority: 20, methods: HTTP_METHODS },
  { key: "api", match: "prefix", path: "/api/", origin: "app", cache: "none", nginx: "proxy", albPriority: 10, methods: HTTP_METHODS },
  { key: "static", match: "prefix", path: "/static/", origin: "static", cache: "immutable", nginx: "immutable", albPriority: null, methods: READ_METHODS },
  { key: "html", match: "prefix", path: "/", origin: "app", cache: "html", nginx: "html", albPriority: 1000, methods: READ_METHODS },
] as const satisfies readonly RouteEntry[];

export type RouteKey = (typeof ROUTES)[number]["key"];

/** The catch-all entry (last in ROUTES). */
export const CATCH_ALL: RouteEntry = ROUTES[ROUTES.length - 1];

/** The path of the entry named `key` (e.g. "/health"). */
export function routePath(key: RouteKey): string {
  return ROUTES.find((r) => r.key === key)!.path;
}

/** True when `path` (a concrete request path, or an app route such as `/static/:name`) is under the entry. */
export function matches(entry: Pick<RouteEntry, "match" | "path">, path: string): boolean {
  if (entry.match === "exact") return path === entry.path;
  return path.startsWith(entry.path) || path === entry.path.replace(/\/$/, "");
}

/** The entry that serves `path`: the first that matches, as CloudFront and nginx pick them. */
export function routeFor(path: string): RouteEntry {
  if (!path.startsWith("/")) throw new Error(`path ${JSON.stringify(path)} must start with "/"`);
  return ROUTES.find((r) => matches(r, path)) ?? CATCH_ALL;
}

/**
 * The entry `path` must fall under as `expected` says, or an error naming both: a path meant as an
 * API, health check or WebSocket that no entry covers would otherwise land in the HTML catch-all and
 * be cached.
 */
export function requireRoute(path: string, expected: RouteKey): RouteEntry {
  const entry = routeFor(path);
  if (entry.key !== expected) {
    throw new Error(`path ${JSON.stringify(path)} is declared "${expected}" but the contract routes it to "${entry.key}"; add or fix its entry in infra/contract.ts ROUTES`);
  }
  return entry;
}

/** CloudFront / ALB path pattern of an entry: "/api/" → "/api/*", exact paths unchanged. */
export function pathPattern(entry: Pick<RouteEntry, "match" | "path">): string {
  return entry.match === "exact" ? entry.path : `${entry.path}*`;
}

/** Path prefixes of the routes that must never be cached (the policies' API behaviors). */
export function uncachedPathPrefixes(): string[] {
  return ROUTES.filter((r) => r.cache === "none").map((r) => r.path.replace(/\/$/, ""));
}

/** Header names the hops agree on. */
export const HEADERS = {
  /** Set by CloudFront's viewer-request function to the viewer's address; nginx's real-IP source behind the ALB. */
  viewerAddress: "X-Viewer-Address",
  /** CloudFront's secret origin header; the ALB forwards only requests that carry it. */
  originVerify: "X-Origin-Verify",
  /** Set by nginx, honoured by the app and echoed on every response. */
  requestId: "X-Request-ID",
  /** The app instance that answered. */
  instance: "X-Instance",
  /** Client API key: the app's rate-limit identity when present. */
  apiKey: "X-API-Key",
  forwardedFor: "X-Forwarded-For",
  forwardedProto: "X-Forwarded-Proto",
  hsts: "Strict-Transport-Security",
} as const;

/** Container ports. */
export const PORTS = {
  /** The app's HTTP port (Service target, nginx's upstream port, probes). */
  app: 8080,
  nginx: {
    /** ALB target (via NodePort `nginxHttpNodePort`): client address from X-Forwarded-For. */
    http: 8080,
    /** NLB 443 TLS listener target (via NodePort `nginxProxyProtocolNodePort`): PROXY protocol v2, treated as https. */
    proxyProtocolHttps: 8443,
    /** NLB 80 target (via NodePort `nginxProxyProtocolHttpNodePort`): PROXY protocol, redirects to https. */
    proxyProtocolHttp: 8081,
    /** Internal: stub_status and nginx's own liveness; in no Service. */
    status: 8082,
  },
} as const;

/** Paths on nginx's internal status port (not part of the public route table). */
export const NGINX_STATUS_PATHS = {
  /** Shallow liveness of nginx itself (kubelet probes). */
  liveness: "/nginx-health",
  /** stub_status, loopback only (an exporter sidecar). */
  stubStatus: "/nginx_status",
} as const;

/** HSTS, sent by CloudFront and by nginx on https: two years with subdomains, preload-eligible. */
export const HSTS = { maxAgeSeconds: 63_072_000, includeSubDomains: true, preload: true } as const;

/** The Strict-Transport-Security value of HSTS. */
export function hstsValue(h: { maxAgeSeconds: number; includeSubDomains: boolean; preload: boolean } = HSTS): string {
  return [`max-age=${h.maxAgeSeconds}`, ...(h.includeSubDomains ? ["includeSubDomains"] : []), ...(h.preload ? ["preload"] : [])].join("; ");
}

/** Security headers on every response besides HSTS. */
export const SECURITY_HEADERS = {
  contentTypeOptions: "nosniff",
  frameOptions: "DENY",
  referrerPolicy: "strict-origin-when-cross-origin",
} as const;

/** The same headers as name/value pairs (nginx `add_header`). */
export const SECURITY_HEADER_LIST: { name: string; value: string }[] = [
  { name: "X-Content-Type-Options", value: SECURITY_HEADERS.contentTypeOptions },
  { name: "X-Frame-Options", value: SECURITY_HEADERS.frameOptions },
  { name: "Referrer-Policy", value: SECURITY_HEADERS.referrerPolicy },
];

/** Versioned assets are kept a year and never revalidated: their names change with their content. */
export const STATIC_TTL_SECONDS = 31_536_000;
export const STATIC_CACHE_CONTROL = `public, max-age=${STATIC_TTL_SECONDS}, immutable`;
