import { input, isSecretInput, ofType, one, runStack, StackRun, mockOutputsOf } from "../../harness";
import * as vm from "node:vm";
import { CATCH_ALL, HEADERS, HSTS, pathPattern, ROUTES } from "@edgestack/contract";

const patterns = (keep: (r: (typeof ROUTES)[number]) => boolean) => ROUTES.filter((r) => r !== CATCH_ALL && keep(r)).map(pathPattern);
const UNCACHED = patterns((r) => r.cache === "none");

/** The dev distribution: origins, behaviors, policies, static bucket; no WAF or logging in dev. */

const REGION = "eu-west-1";
const DIST = "aws:cloudfront/distribution:Distribution";
const CACHING_DISABLED = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad";
const ALL_VIEWER_EXCEPT_HOST = "b689b0a8-53d0-40ab-baf2-68738e2966ac";
const idOf = (type: string, name: string) => mockOutputsOf(run, type, name, REGION).id;

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

type Behavior = Record<string, unknown> & { pathPattern?: string };
const dist = () => one(run, DIST, "cdn-distribution");
const behaviors = (): Behavior[] => [input<Behavior>(dist(), "defaultCacheBehavior"), ...input<Behavior[]>(dist(), "orderedCacheBehaviors")];
const ordered = (path: string) => input<Behavior[]>(dist(), "orderedCacheBehaviors").find((b) => b.pathPattern === path)!;

describe("distribution", () => {
  it("serves the apex and www over HTTP/2+3, IPv6, SNI with TLS >= 1.2_2021 and the us-east-1 certificate", () => {
    expect(input(dist(), "aliases")).toEqual(["dev.edgestack.example.com", "www.dev.edgestack.example.com"]);
    expect(dist().inputs).toMatchObject({ httpVersion: "http2and3", isIpv6Enabled: true, enabled: true, priceClass: "PriceClass_100" });
    expect(input(dist(), "viewerCertificate")).toMatchObject({ sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" });
    expect(input<string>(dist(), "viewerCertificate.acmCertificateArn")).toMatch(/^arn:aws:acm:us-east-1:/);
  });

  it("reaches the ALB by its origin name over HTTPS/TLS 1.2 with config timeouts and the secret header", () => {
    const origin = input<Record<string, unknown>[]>(dist(), "origins").findIndex((o) => o.originId === "alb-origin");
    expect(input(dist(), `origins[${origin}].domainName`)).toBe("origin.dev.edgestack.example.com");
    expect(input(dist(), `origins[${origin}].customOriginConfig`)).toMatchObject({
      originProtocolPolicy: "https-only",
      originSslProtocols: ["TLSv1.2"],
      originKeepaliveTimeout: 5,
      originReadTimeout: 30,
    });
    const secret = mockOutputsOf(run, "random:index/randomPassword:RandomPassword", "origin-lock-secret", REGION).outputs.result;
    expect(input(dist(), `origins[${origin}].customHeaders`)).toEqual([{ name: "X-Origin-Verify", value: secret }]);
    expect(isSecretInput(dist(), `origins[${origin}].customHeaders[0].value`)).toBe(true);
  });

  it("reads static assets from the private bucket through OAC", () => {
    const s3 = input<Record<string, unknown>[]>(dist(), "origins").find((o) => o.originId === "static-s3")!;
    const bucket = idOf("aws:s3/bucket:Bucket", "cdn-static-bucket");
    expect(s3.domainName).toBe(`${bucket}.s3.${REGION}.amazonaws.com`);
    expect(s3.originAccessControlId).toBe(idOf("aws:cloudfront/originAccessControl:OriginAccessControl", "cdn-oac"));
    expect(one(run, "aws:cloudfront/originAccessControl:OriginAccessControl", "cdn-oac").inputs).toMatchObject({
      originAccessControlOriginType: "s3",
      signingBehavior: "always",
      signingProtocol: "sigv4",
    });
  });

  it("has an ordered behavior per contract entry, all HTTPS, all with cache policies and security headers", () => {
    expect(input<Behavior[]>(dist(), "orderedCacheBehaviors").map((b) => b.pathPattern)).toEqual(patterns(() => true));
    const headersPolicy = idOf("aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "cdn-security-headers");
    for (const b of behaviors()) {
      expect(b.viewerProtocolPolicy).toBe("redirect-to-https");
      expect(b.forwardedValues).toBeUndefined();
      expect(b.cachePolicyId).toEqual(expect.any(String));
      expect(b.responseHeadersPolicyId).toBe(headersPolicy);
    }
  });

  it("caches /static/* for a year from S3 and HTML briefly from the ALB", () => {
    expect(ordered("/static/*")).toMatchObject({ targetOriginId: "static-s3", cachePolicyId: idOf("aws:cloudfront/cachePolicy:CachePolicy", "cdn-static"), compress: true });
    const statik = one(run, "aws:cloudfront/cachePolicy:CachePolicy", "cdn-static");
    expect(statik.inputs).toMatchObject({ minTtl: 31_536_000, defaultTtl: 31_536_000, maxTtl: 31_536_000 });
    expect(input(statik, "parametersInCacheKeyAndForwardedToOrigin")).toMatchObject({ enableAcceptEncodingGzip: true, enableAcceptEncodingBrotli: true });
    expect(input(dist(), "defaultCacheBehavior")).toMatchObject({ targetOriginId: "alb-origin", cachePolicyId: idOf("aws:cloudfront/cachePolicy:CachePolicy", "cdn-html") });
    expect(one(run, "aws:cloudfront/cachePolicy:CachePolicy", "cdn-html").inputs).toMatchObject({ minTtl: 0, defaultTtl: 60, maxTtl: 300 });
  });

  it("never caches the uncached routes (/api/*, /ws, health) and forwards everything but Host; the API takes all methods, the WebSocket GET and HEAD", () => {
    expect(UNCACHED).toEqual(expect.arrayContaining(["/api/*", "/ws", "/health"]));
    for (const path of UNCACHED) {
      expect(ordered(path)).toMatchObject({ targetOriginId: "alb-origin", cachePolicyId: CACHING_DISABLED, originRequestPolicyId: ALL_VIEWER_EXCEPT_HOST });
    }
    expect(ordered("/api/*").allowedMethods).toEqual(["DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT"]);
    expect(ordered("/ws").allowedMethods).toEqual(["GET", "HEAD"]);
  });

  it("sends HSTS with the contract's value", () => {
    const policy = one(run, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "cdn-security-headers");
    expect(input(policy, "securityHeadersConfig.strictTransportSecurity")).toMatchObject({
      accessControlMaxAgeSec: HSTS.maxAgeSeconds,
      includeSubdomains: HSTS.includeSubDomains,
      preload: HSTS.preload,
      override: true,
    });
  });

  it("runs the published viewer-address function on viewer requests of every ALB behavior, never on /static/*", () => {
    const fn = one(run, "aws:cloudfront/function:Function", "cdn-viewer-address");
    expect(fn.inputs).toMatchObject({ name: "edgestack-dev-viewer-address", runtime: "cloudfront-js-2.0", publish: true });
    const arn = mockOutputsOf(run, "aws:cloudfront/function:Function", "cdn-viewer-address", REGION).outputs.arn;
    expect(arn).toBe("arn:aws:cloudfront::123456789012:function/edgestack-dev-viewer-address");
    const alb = behaviors().filter((b) => b.targetOriginId === "alb-origin");
    expect(alb.map((b) => b.pathPattern ?? "(default)")).toEqual(["(default)", ...patterns((r) => r.origin === "app")]);
    for (const b of alb) expect(b.functionAssociations).toEqual([{ eventType: "viewer-request", functionArn: arn }]);
    expect(ordered("/static/*").functionAssociations).toBeUndefined();

    // The deployed code itself: it sets the header from event.viewer.ip, replacing a forged one.
    const event = { viewer: { ip: "198.51.100.7" }, request: { headers: { "x-viewer-address": { value: "10.0.0.9" } } } };
    const context = vm.createContext({ event });
    vm.runInContext(input<string>(fn, "code"), context);
    expect(vm.runInContext("handler(event)", context).headers["x-viewer-address"]).toEqual({ value: "198.51.100.7" });
  });

  it("forwards the function's header to the origin on every ALB behavior: HTML through its own origin request policy, outside the cache key", () => {
    const policy = one(run, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "cdn-viewer-address");
    expect(policy.inputs).toMatchObject({
      name: "edgestack-dev-viewer-address",
      headersConfig: { headerBehavior: "whitelist", headers: { items: [HEADERS.viewerAddress] } },
      cookiesConfig: { cookieBehavior: "none" },
      queryStringsConfig: { queryStringBehavior: "none" },
    });
    expect(input(dist(), "defaultCacheBehavior.originRequestPolicyId")).toBe(idOf("aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "cdn-viewer-address"));
    // The HTML cache key stays free of headers: one cached copy per viewer address would be no cache at all.
    expect(input(one(run, "aws:cloudfront/cachePolicy:CachePolicy", "cdn-html"), "parametersInCacheKeyAndForwardedToOrigin.headersConfig")).toEqual({ headerBehavior: "none" });
    // Uncached routes: the managed all-viewer-headers-but-Host policy, which includes headers set by a viewer-request function.
    for (const path of UNCACHED) expect(ordered(path).originRequestPolicyId).toBe(ALL_VIEWER_EXCEPT_HOST);
  });

  it("caches 5xx errors only briefly", () => {
    const errors = input<{ errorCode: number; errorCachingMinTtl: number }[]>(dist(), "customErrorResponses");
    for (const code of [502, 503, 504]) expect(errors.find((e) => e.errorCode === code)?.errorCachingMinTtl).toBeLessThanOrEqual(10);
  });

  it("sends HSTS (2 years, preload), nosniff, DENY framing and a referrer policy", () => {
    const h = one(run, "aws:cloudfront/responseHeadersPolicy:ResponseHeadersPolicy", "cdn-security-headers");
    expect(input(h, "securityHeadersConfig")).toMatchObject({
      strictTransportSecurity: { accessControlMaxAgeSec: 63_072_000, includeSubdomains: true, preload: true, override: true },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: "DENY" },
      referrerPolicy: { referrerPolicy: "strict-origin-when-cross-origin" },
      xssProtection: { protection: true, modeBlock: true },
    });
  });

  it("has no WAF and no logging in dev (wafEnabled false)", () => {
    expect(input(dist(), "webAclId")).toBeUndefined();
    expect(input(dist(), "loggingConfig")).toBeUndefined();
    expect(ofType(run, "aws:wafv2/webAcl:WebAcl")).toEqual([]);
  });
});

describe("static bucket", () => {
  const bucket = () => idOf("aws:s3/bucket:Bucket", "cdn-static-bucket");
  const of = (type: string) => ofType(run, type).filter((r) => input(r, "bucket") === bucket());

  it("blocks public access, disables ACLs and encrypts", () => {
    expect(of("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")[0].inputs).toMatchObject({ blockPublicAcls: true, blockPublicPolicy: true, ignorePublicAcls: true, restrictPublicBuckets: true });
    expect(input(of("aws:s3/bucketOwnershipControls:BucketOwnershipControls")[0], "rule.objectOwnership")).toBe("BucketOwnerEnforced");
    expect(input(of("aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration")[0], "rules[0].applyServerSideEncryptionByDefault.sseAlgorithm")).toBe("AES256");
    expect(of("aws:s3/bucketVersioning:BucketVersioning")).toEqual([]);
  });

  it("lets only this distribution read it", () => {
    const policy = JSON.parse(input<string>(one(run, "aws:s3/bucketPolicy:BucketPolicy", "cdn-static-policy"), "policy"));
    const allow = policy.Statement.filter((s: { Effect: string }) => s.Effect === "Allow");
    expect(allow).toEqual([
      {
        Sid: "CloudFrontReadsThroughOac",
        Effect: "Allow",
        Principal: { Service: "cloudfront.amazonaws.com" },
        Action: "s3:GetObject",
        Resource: `arn:aws:s3:::${bucket()}/*`,
        Condition: { StringEquals: { "AWS:SourceArn": mockOutputsOf(run, DIST, "cdn-distribution", REGION).outputs.arn } },
      },
    ]);
  });
});
