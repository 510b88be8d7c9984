import {
  albBehaviors,
  ALL_METHODS,
  cacheBehaviors,
  cachePolicySpecs,
  checkViewerAddressForwarded,
  customErrorResponses,
  originRequestPolicySpecs,
  policyName,
  SECURITY_HEADERS,
  STATIC_TTL_SECONDS,
} from "../../../infra/cdn/cache-rules";
import { CATCH_ALL, HEADERS, HTTP_METHODS, pathPattern, ROUTES, type HttpMethod } from "@edgestack/contract";

const patterns = (keep: (r: (typeof ROUTES)[number]) => boolean) => ROUTES.filter((r) => r !== CATCH_ALL && keep(r)).map(pathPattern);
const STATIC = pathPattern(ROUTES.find((r) => r.origin === "static")!);

describe("cache policies", () => {
  const specs = cachePolicySpecs({ namePrefix: "edgestack-dev", htmlDefaultTtlSeconds: 60, htmlMaxTtlSeconds: 300 });

  it("keeps static assets one year, fixed", () => {
    expect(STATIC_TTL_SECONDS).toBe(365 * 24 * 3600);
    expect(specs.static).toMatchObject({ minTtl: STATIC_TTL_SECONDS, defaultTtl: STATIC_TTL_SECONDS, maxTtl: STATIC_TTL_SECONDS, queryStrings: "none" });
  });

  it("lets the origin decide HTML TTLs within the configured bounds", () => {
    expect(specs.html).toMatchObject({ minTtl: 0, defaultTtl: 60, maxTtl: 300 });
  });

  it("names policies per stack, unique", () => {
    expect(specs.static.name).toBe("edgestack-dev-static-immutable");
    expect(specs.html.name).not.toBe(specs.static.name);
    expect(policyName("edgestack-feature/x", "html")).toBe("edgestack-feature-x-html");
  });

  it("rejects a default HTML TTL above the maximum, naming both keys", () => {
    expect(() => cachePolicySpecs({ namePrefix: "edgestack-dev", htmlDefaultTtlSeconds: 600, htmlMaxTtlSeconds: 300 })).toThrow(
      /cdnHtmlDefaultTtlSeconds \(600\) must be at most cdnHtmlMaxTtlSeconds \(300\)/,
    );
  });
});

describe("behaviors", () => {
  const { ordered, default: fallback } = cacheBehaviors();
  const byPath = (p: string) => ordered.find((b) => b.pathPattern === p)!;

  it("has one ordered behavior per contract entry, in the contract's order, the catch-all as the default", () => {
    expect(ordered.map((b) => b.pathPattern)).toEqual(patterns(() => true));
    expect(ordered.map((b) => b.pathPattern)).toEqual(expect.arrayContaining(["/api/*", "/ws", "/static/*", "/health"]));
  });

  it("serves /static/* from the bucket with the immutable policy, compressed, read-only", () => {
    expect(byPath(STATIC)).toMatchObject({ origin: "static", cachePolicy: { own: "static" }, compress: true });
    expect(byPath(STATIC).allowedMethods).not.toContain("POST");
  });

  it("never caches the uncached routes and forwards all viewer values but Host", () => {
    for (const p of patterns((r) => r.cache === "none")) {
      expect(byPath(p)).toMatchObject({ origin: "app", cachePolicy: { managed: "cachingDisabled" }, originRequestPolicy: "allViewerExceptHost" });
    }
    expect(byPath("/api/*").allowedMethods).toEqual(ALL_METHODS);
    expect(byPath("/ws").allowedMethods).toEqual(["GET", "HEAD"]);
  });

  it("sends HTML to the app with the short-TTL policy and only the viewer-address header besides the cache key", () => {
    expect(fallback).toMatchObject({ origin: "app", cachePolicy: { own: "html" }, originRequestPolicy: "viewerAddress" });
    expect(fallback.pathPattern).toBeUndefined();
    expect(originRequestPolicySpecs("edgestack-dev").viewerAddress).toMatchObject({ name: "edgestack-dev-viewer-address", headers: [HEADERS.viewerAddress] });
  });

  it("every behavior that reaches the ALB is listed for the viewer-address function and forwards its header; /static/* is not", () => {
    const alb = albBehaviors(cacheBehaviors());
    expect(alb.map((b) => b.pathPattern ?? "(default)")).toEqual(["(default)", ...patterns((r) => r.origin === "app")]);
    for (const b of alb) expect(["allViewerExceptHost", "viewerAddress"]).toContain(b.originRequestPolicy);
    expect(() => checkViewerAddressForwarded(cacheBehaviors())).not.toThrow();
  });

  it("refuses an ALB behavior without an origin request policy (the function's header would be dropped), naming it", () => {
    const behaviors = cacheBehaviors();
    behaviors.ordered.push({ ...behaviors.ordered.find((b) => b.pathPattern === "/api/*")!, pathPattern: "/graphql", originRequestPolicy: undefined });
    expect(() => checkViewerAddressForwarded(behaviors)).toThrow("CloudFront behavior /graphql reaches the ALB without an origin request policy: X-Viewer-Address would not reach nginx");
    // An S3 behavior never reaches nginx: no policy needed.
    const s3Only = cacheBehaviors();
    s3Only.ordered.find((b) => b.origin === "static")!.originRequestPolicy = undefined;
    expect(() => checkViewerAddressForwarded(s3Only)).not.toThrow();
  });
});

describe("errors and headers", () => {
  it("caches 5xx only for seconds", () => {
    const errors = customErrorResponses();
    for (const code of [502, 503, 504]) expect(errors.find((e) => e.errorCode === code)?.errorCachingMinTtl).toBeLessThanOrEqual(10);
  });

  it("asks for two years of HSTS", () => {
    expect(SECURITY_HEADERS.hstsMaxAgeSeconds).toBe(2 * 365 * 24 * 3600);
  });
});

describe("allowed methods", () => {
  const at = (methods: HttpMethod[]) =>
    cacheBehaviors([{ key: "x", match: "prefix", path: "/x/", origin: "app", cache: "none", nginx: "proxy", albPriority: 30, methods }, ...ROUTES]).ordered[0]!.allowedMethods;

  it("each behavior gets the smallest of CloudFront's method sets that covers its route's methods", () => {
    expect(at(["GET", "HEAD"])).toEqual(["GET", "HEAD"]);
    expect(at(["GET", "HEAD", "OPTIONS"])).toEqual(["GET", "HEAD", "OPTIONS"]);
    expect(at(["POST"])).toEqual([...HTTP_METHODS]);
    expect(at(["GET", "HEAD", "PUT"])).toEqual([...HTTP_METHODS]);
  });

  it("a route table with a bad method list is refused, naming the route", () => {
    expect(() => at(["GET"])).toThrow(/route "x" \(\/x\/\): takes GET but not HEAD/);
    expect(() => at([])).toThrow(/route "x" \(\/x\/\): takes no method/);
  });
});
