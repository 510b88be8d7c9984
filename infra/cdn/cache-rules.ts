/**
 * What CloudFront caches and for how long, as plain data: the cache policies we own, the behaviors
 * (path → origin, policies, methods) and the error-caching rules. The Cdn component turns these
 * into resources; tests check them without the Pulumi runtime.
 */

import { checkRoutes, cloudFrontAllowedMethods, HSTS, HTTP_METHODS, pathPattern, ROUTES, SECURITY_HEADERS as CONTRACT_SECURITY_HEADERS, STATIC_TTL_SECONDS, type RouteEntry } from "@edgestack/contract";
import { VIEWER_ADDRESS_HEADER } from "./viewer-address";

export { STATIC_CACHE_CONTROL, STATIC_TTL_SECONDS } from "@edgestack/contract";

export const ORIGIN_IDS = { app: "alb-origin", static: "static-s3" } as const;
export type OriginKey = keyof typeof ORIGIN_IDS;

/** AWS-managed policies, looked up by name (their ids are public and fixed, but a lookup documents intent). */
export const MANAGED_POLICY_NAMES = {
  cachingDisabled: "Managed-CachingDisabled",
  allViewerExceptHost: "Managed-AllViewerExceptHostHeader",
} as const;

export const ALL_METHODS: string[] = [...HTTP_METHODS];
const CACHED_METHODS = ["GET", "HEAD"];

export interface CachePolicySpec {
  name: string;
  comment: string;
  minTtl: number;
  defaultTtl: number;
  maxTtl: number;
  /** Query strings in the cache key: none, or all. */
  queryStrings: "none" | "all";
}

export interface CdnTtlSettings {
  /** The physical name prefix (infra/naming.ts) the policy names start with. */
  namePrefix: string;
  htmlDefaultTtlSeconds: number;
  htmlMaxTtlSeconds: number;
}

/**
 * Our own cache policies. Both normalise Accept-Encoding (gzip + brotli) into the key, which is what
 * lets CloudFront compress and serve compressed copies. Neither keys on cookies or headers: the
 * static bucket ignores them, and HTML that varies per user must say `Cache-Control: private`.
 *
 * HTML: min 0 so the origin's `Cache-Control` (max-age, no-store, and the stale-while-revalidate /
 * stale-if-error extensions, which CloudFront honours) decides, default applies when the origin sends
 * none, max caps what the origin may ask for.
 */
export function cachePolicySpecs(s: CdnTtlSettings): Record<"static" | "html", CachePolicySpec> {
  if (s.htmlDefaultTtlSeconds > s.htmlMaxTtlSeconds) {
    throw new Error(`cdnHtmlDefaultTtlSeconds (${s.htmlDefaultTtlSeconds}) must be at most cdnHtmlMaxTtlSeconds (${s.htmlMaxTtlSeconds})`);
  }
  return {
    static: {
      name: policyName(s.namePrefix, "static-immutable"),
      comment: "Versioned static assets: one year, immutable, compressed.",
      minTtl: STATIC_TTL_SECONDS,
      defaultTtl: STATIC_TTL_SECONDS,
      maxTtl: STATIC_TTL_SECONDS,
      queryStrings: "none",
    },
    html: {
      name: policyName(s.namePrefix, "html-short"),
      comment: "HTML: short TTL, origin Cache-Control (incl. stale-while-revalidate) honoured.",
      minTtl: 0,
      defaultTtl: s.htmlDefaultTtlSeconds,
      maxTtl: s.htmlMaxTtlSeconds,
      queryStrings: "all",
    },
  };
}

/** CloudFront policy names are account-wide: they start with the name prefix (infra/naming.ts). Letters, digits, - and _ only. */
export function policyName(namePrefix: string, what: string): string {
  const name = `${namePrefix}-${what}`.replace(/[^A-Za-z0-9_-]/g, "-");
  if (name.length > 128) throw new Error(`CloudFront policy name ${name} is longer than 128 characters`);
  return name;
}

export type CachePolicyRef = { own: "static" | "html" } | { managed: "cachingDisabled" };

/**
 * What reaches the origin besides the cache key: every viewer header but Host (managed), or only the
 * viewer-address header the CloudFront Function sets (ours, for cached HTML: outside the cache key).
 */
export type OriginRequestPolicyRef = "allViewerExceptHost" | "viewerAddress";

export interface OriginRequestPolicySpec {
  name: string;
  comment: string;
  /** Headers sent to the origin (not part of the cache key). */
  headers: string[];
}

/** Our own origin request policies. */
export function originRequestPolicySpecs(namePrefix: string): Record<"viewerAddress", OriginRequestPolicySpec> {
  return {
    viewerAddress: {
      name: policyName(namePrefix, "viewer-address"),
      comment: `Sends the ${VIEWER_ADDRESS_HEADER} header set by the viewer-request function; nothing else beyond the cache key.`,
      headers: [VIEWER_ADDRESS_HEADER],
    },
  };
}

export interface BehaviorSpec {
  /** undefined for the default behavior. */
  pathPattern?: string;
  origin: OriginKey;
  cachePolicy: CachePolicyRef;
  /** undefined: only the cache key's values reach the origin. */
  originRequestPolicy?: OriginRequestPolicyRef;
  allowedMethods: string[];
  cachedMethods: string[];
  compress: boolean;
}

/**
 * The behaviors, derived from the contract's ROUTES: every entry but the catch-all is an ordered
 * behavior (in ROUTES order, most specific first: CloudFront evaluates them in order, then the
 * default), the catch-all is the default behavior.
 *
 * Uncached routes forward every viewer header, cookie and query string except Host: CloudFront
 * validates the origin certificate against the Host it sends, and the ALB's certificate covers the
 * origin name, not the viewer's. WebSocket upgrades work through CloudFront when the Sec-WebSocket-*
 * headers reach the origin, which the all-viewer policy does.
 *
 * HTML: the viewer-address header reaches the origin through an origin request policy, never the
 * cache key (one cached copy per viewer address would be no cache at all).
 */
export function cacheBehaviors(routes: readonly RouteEntry[] = ROUTES): { ordered: BehaviorSpec[]; default: BehaviorSpec } {
  checkRoutes(routes);
  const catchAll = routes[routes.length - 1]!;
  return { ordered: routes.slice(0, -1).map((r) => behaviorFor(r, pathPattern(r))), default: behaviorFor(catchAll, undefined) };
}

function behaviorFor(r: RouteEntry, pattern: string | undefined): BehaviorSpec {
  const common = { ...(pattern !== undefined ? { pathPattern: pattern } : {}), origin: r.origin, allowedMethods: cloudFrontAllowedMethods(r.methods), cachedMethods: CACHED_METHODS };
  switch (r.cache) {
    case "none":
      return { ...common, cachePolicy: { managed: "cachingDisabled" }, originRequestPolicy: "allViewerExceptHost", compress: r.nginx !== "websocket" };
    case "immutable":
      return { ...common, cachePolicy: { own: "static" }, compress: true };
    case "html":
      return { ...common, cachePolicy: { own: "html" }, originRequestPolicy: "viewerAddress", compress: true };
  }
}

/** Behaviors whose requests reach the ALB (and nginx): they run the viewer-address function. */
export function albBehaviors(behaviors: { ordered: BehaviorSpec[]; default: BehaviorSpec }): BehaviorSpec[] {
  return [behaviors.default, ...behaviors.ordered].filter((b) => b.origin === "app");
}

/**
 * Throws unless every ALB behavior forwards the viewer-address header to the origin. Without an origin
 * request policy CloudFront sends only the cache key's headers, and a header added by a function is
 * dropped; nginx would then fall back to the ALB's address for every viewer.
 */
export function checkViewerAddressForwarded(behaviors: { ordered: BehaviorSpec[]; default: BehaviorSpec }): void {
  for (const b of albBehaviors(behaviors)) {
    if (b.originRequestPolicy === undefined) {
      throw new Error(`CloudFront behavior ${b.pathPattern ?? "(default)"} reaches the ALB without an origin request policy: ${VIEWER_ADDRESS_HEADER} would not reach nginx`);
    }
  }
}

/** Origin errors are cached only briefly, so a recovered origin is visible within seconds. */
export function customErrorResponses(): { errorCode: number; errorCachingMinTtl: number }[] {
  return [
    { errorCode: 404, errorCachingMinTtl: 30 },
    ...[500, 502, 503, 504].map((errorCode) => ({ errorCode, errorCachingMinTtl: 5 })),
  ];
}

/** Security headers on every response, from the contract (CloudFront's response headers policy). */
export const SECURITY_HEADERS = {
  hstsMaxAgeSeconds: HSTS.maxAgeSeconds,
  hstsIncludeSubDomains: HSTS.includeSubDomains,
  hstsPreload: HSTS.preload,
  referrerPolicy: CONTRACT_SECURITY_HEADERS.referrerPolicy,
  frameOption: CONTRACT_SECURITY_HEADERS.frameOptions,
} as const;
