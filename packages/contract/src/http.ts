/**
 * The HTTP contract of the edge, as plain data: which paths exist, where each goes (CloudFront
 * origin, cache rule, nginx location kind, ALB rule, app handler, methods), the header names the hops
 * agree on, the container ports, and HSTS and the security headers. CloudFront behaviors, nginx
 * locations and method guards, ALB listener rules, the app's routes and `Allow` headers and the
 * policies' API prefixes are all derived from it.
 *
 * Pure: no Pulumi imports, so the app, the policy pack and tests import it as freely as `infra/` does.
 * Adding an API prefix is one entry in ROUTES (plus, in the app, its handler).
 */

export const HTTP_METHODS = ["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];
/** What a read-only route (health, static files, HTML) accepts: HEAD wherever GET is (RFC 9110). */
export const READ_METHODS = ["GET", "HEAD"] as const satisfies readonly HttpMethod[];

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
  /**
   * Exactly the methods the route takes: nginx answers any other with 405 and this list as `Allow`,
   * the ALB rule matches only these, CloudFront lets through the smallest of its method sets that
   * covers them (cloudFrontAllowedMethods), and the app's handlers under the entry take a subset.
   * A route that takes GET takes HEAD too.
   */
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
  // The WebSocket handshake is a GET.
  { key: "websocket", match: "exact", path: "/ws", origin: "app", cache: "none", nginx: "websocket", albPriority: 20, methods: READ_METHODS },
  { key: "api", match: "prefix", path: "/api/", origin: "app", cache: "none", nginx: "proxy", albPriority: 10, methods: HTTP_METHODS },
  { key: "static", match: "prefix", path: "/static/", origin: "static", cache: "immutable", nginx: "immutable", albPriority: null, methods: READ_METHODS },
  { key: "html", match: "prefix", path: "/", origin: "app", cache: "html", nginx: "html", albPriority: 1000, methods: READ_METHODS },
] as const satisfies readonly RouteEntry[];

export type RouteKey = (typeof ROUTES)[number]["key"];

/** The catch-all entry (last in ROUTES). */
export const CATCH_ALL: RouteEntry = ROUTES[ROUTES.length - 1];

/** The methods in HTTP_METHODS order, each once (how they appear in Allow headers and rules). */
export function sortedMethods(methods: readonly HttpMethod[]): HttpMethod[] {
  return HTTP_METHODS.filter((m) => methods.includes(m));
}

/** The `Allow` header value of a route taking `methods`: "GET, HEAD, POST". */
export function allowHeader(methods: readonly HttpMethod[]): string {
  return sortedMethods(methods).join(", ");
}

/** CloudFront's allowed-method sets, smallest first (a behavior can only take one of these). */
export const CLOUDFRONT_METHOD_SETS = [["GET", "HEAD"], ["GET", "HEAD", "OPTIONS"], [...HTTP_METHODS]] as const satisfies readonly (readonly HttpMethod[])[];

/**
 * The smallest of CloudFront's allowed-method sets that covers `methods`. CloudFront lets the rest
 * of that set through; nginx and the ALB enforce the route's exact list.
 */
export function cloudFrontAllowedMethods(methods: readonly HttpMethod[]): HttpMethod[] {
  const set = CLOUDFRONT_METHOD_SETS.find((s) => methods.every((m) => (s as readonly HttpMethod[]).includes(m)))!;
  return [...set];
}

/**
 * Problems of a route table, one line each (empty: valid): each entry's methods non-empty, known and
 * unrepeated, HEAD with GET; keys and paths unique; the catch-all last. Every consumer of a table
 * (nginx model, CloudFront behaviors, ALB rules) checks it through `checkRoutes`.
 */
export function routeTableProblems(routes: readonly RouteEntry[]): string[] {
  const problems: string[] = [];
  const last = routes[routes.length - 1];
  if (last === undefined || last.match !== "prefix" || last.path !== CATCH_ALL.path) problems.push(`the last route must be the catch-all prefix "${CATCH_ALL.path}"`);
  const seen = new Set<string>();
  for (const r of routes) {
    const at = `route ${JSON.stringify(r.key)} (${r.path})`;
    if (seen.has(r.key)) problems.push(`${at}: key used twice`);
    seen.add(r.key);
    if (!r.path.startsWith("/")) problems.push(`${at}: path must start with "/"`);
    if (r.match === "prefix" && !r.path.endsWith("/")) problems.push(`${at}: a prefix path ends in "/"`);
    if (r.methods.length === 0) problems.push(`${at}: takes no method`);
    for (const m of r.methods) if (!(HTTP_METHODS as readonly string[]).includes(m)) problems.push(`${at}: ${JSON.stringify(m)} is not one of ${HTTP_METHODS.join(", ")}`);
    if (new Set(r.methods).size !== r.methods.length) problems.push(`${at}: a method is listed twice`);
    if (r.methods.includes("GET") && !r.methods.includes("HEAD")) problems.push(`${at}: takes GET but not HEAD (HEAD is GET without the body)`);
  }
  const paths = routes.map((r) => `${r.match} ${r.path}`);
  for (const p of new Set(paths)) if (paths.indexOf(p) !== paths.lastIndexOf(p)) problems.push(`two routes declare ${p}`);
  return problems;
}

/** Throws an error listing every problem of the route table (see routeTableProblems). */
export function checkRoutes(routes: readonly RouteEntry[]): void {
  const problems = routeTableProblems(routes);
  if (problems.length > 0) throw new Error(`invalid route table:\n  ${problems.join("\n  ")}`);
}

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
    throw new Error(`path ${JSON.stringify(path)} is declared "${expected}" but the contract routes it to "${entry.key}"; add or fix its entry in ROUTES (@edgestack/contract)`);
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
  /** CloudFront's id of the request, sent to the origin: `x-edge-request-id` in CloudFront's standard log. */
  cloudFrontId: "X-Amz-Cf-Id",
  /** The ALB's trace header (it sets or extends it): `trace_id` in the ALB access log. */
  amznTraceId: "X-Amzn-Trace-Id",
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
  /**
   * The app's /metrics port (METRICS_PORT; the OpenTelemetry Prometheus exporter's conventional
   * port): never the serving port, in no Service, only the scraper admitted.
   */
  appMetrics: 9464,
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

/** The names of SECURITY_HEADERS. */
export const SECURITY_HEADER_NAMES = {
  contentTypeOptions: "X-Content-Type-Options",
  frameOptions: "X-Frame-Options",
  referrerPolicy: "Referrer-Policy",
} as const satisfies Record<keyof typeof SECURITY_HEADERS, string>;

/** The same headers as name/value pairs (nginx `add_header`). */
export const SECURITY_HEADER_LIST: { name: string; value: string }[] = (Object.keys(SECURITY_HEADERS) as (keyof typeof SECURITY_HEADERS)[]).map((k) => ({
  name: SECURITY_HEADER_NAMES[k],
  value: SECURITY_HEADERS[k],
}));

/** Versioned assets are kept a year and never revalidated: their names change with their content. */
export const STATIC_TTL_SECONDS = 31_536_000;
export const STATIC_CACHE_CONTROL = `public, max-age=${STATIC_TTL_SECONDS}, immutable`;

/** Methods the app's router registers a handler for (GET answers HEAD too; OPTIONS is not routed). */
export type AppMethod = Exclude<HttpMethod, "HEAD" | "OPTIONS">;

export interface AppRoute {
  /** find-my-way pattern (`:name` is a parameter). */
  path: string;
  /** A subset of the contract entry's methods; GET also answers HEAD. */
  methods: readonly AppMethod[];
  /** The ROUTES entry the path belongs to. */
  contract: RouteKey;
}

/** Every route the app serves; createApp registers exactly these, each with one handler. */
export const APP_ROUTES = {
  liveness: { path: "/livez", methods: ["GET"], contract: "liveness" },
  readiness: { path: "/readyz", methods: ["GET"], contract: "readiness" },
  health: { path: "/health", methods: ["GET"], contract: "health" },
  staticFile: { path: "/static/:name", methods: ["GET"], contract: "static" },
  hello: { path: "/api/hello", methods: ["GET"], contract: "api" },
  /** Served on the HTTP server's upgrade event, not by the router. */
  /** The site root: a small page naming what the service offers (the first URL `npm run local` prints). */
  home: { path: "/", methods: ["GET"], contract: "html" },
  websocket: { path: "/ws", methods: ["GET"], contract: "websocket" },
} as const satisfies Record<string, AppRoute>;

export type AppRouteKey = keyof typeof APP_ROUTES;

/** The methods a request to an app route may use: its own, plus HEAD where it takes GET. */
export function appRouteMethods(route: Pick<AppRoute, "methods">): HttpMethod[] {
  return sortedMethods(route.methods.includes("GET") ? [...route.methods, "HEAD"] : route.methods);
}

/**
 * The ids that follow one request across the hops, each with the one pattern a value must match to
 * be logged or passed on (nginx's maps are rendered from these sources, the app tests the same
 * RegExps): anything else a client wrote is dropped, never logged. Patterns use only syntax
 * that PCRE and JavaScript read alike, and each bounds its length.
 */
export const TRACE_IDS = {
  /** X-Request-ID: nginx keeps a well-formed one, otherwise generates one. */
  requestId: { header: HEADERS.requestId, logField: "request_id", pattern: "^[A-Za-z0-9._:-]{1,128}$" },
  /** X-Amz-Cf-Id: URL-safe base64 (56 characters today, with `==` padding). */
  cloudFrontId: { header: HEADERS.cloudFrontId, logField: "cf_id", pattern: "^[A-Za-z0-9_-]{16,120}={0,2}$" },
  /**
   * X-Amzn-Trace-Id: `Root=1-<8 hex>-<24 hex>`, optionally with `Self=`, `Parent=`, `Sampled=` or
   * other `Key=value` fields around it, separated by `;` (at most four either side).
   */
  amznTraceId: {
    header: HEADERS.amznTraceId,
    logField: "amzn_trace_id",
    pattern: "^(?:[A-Za-z]{1,16}=[A-Za-z0-9-]{1,64};){0,4}Root=1-[0-9a-f]{8}-[0-9a-f]{24}(?:;[A-Za-z]{1,16}=[A-Za-z0-9-]{1,64}){0,4}$",
  },
} as const;

export type TraceIdKey = keyof typeof TRACE_IDS;

const TRACE_ID_REGEXPS = Object.fromEntries(Object.entries(TRACE_IDS).map(([k, v]) => [k, new RegExp(v.pattern)])) as Record<TraceIdKey, RegExp>;

/** The header's value when it is one well-formed id (a repeated header is not), otherwise undefined. */
export function wellFormedTraceId(key: TraceIdKey, value: string | string[] | undefined): string | undefined {
  return typeof value === "string" && TRACE_ID_REGEXPS[key].test(value) ? value : undefined;
}

/** Header names as node presents them (lower case). */
export const APP_HEADERS = {
  requestId: HEADERS.requestId.toLowerCase() as "x-request-id",
  cloudFrontId: HEADERS.cloudFrontId.toLowerCase() as "x-amz-cf-id",
  amznTraceId: HEADERS.amznTraceId.toLowerCase() as "x-amzn-trace-id",
  instance: HEADERS.instance.toLowerCase() as "x-instance",
  apiKey: HEADERS.apiKey.toLowerCase() as "x-api-key",
  forwardedFor: HEADERS.forwardedFor.toLowerCase() as "x-forwarded-for",
  forwardedProto: HEADERS.forwardedProto.toLowerCase() as "x-forwarded-proto",
} as const;

/** The app's default listening port. */
export const APP_PORT = PORTS.app;
export const APP_METRICS_PORT = PORTS.appMetrics;
