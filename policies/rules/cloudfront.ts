import type { cloudfront } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import { uncachedPathPrefixes } from "@edgestack/contract";
import { isS3Host } from "../semantics/partition";
import { environmentConfig, ifKnown, isProd, isSet, judge, list, masked, maskedMessage, num, obj, ofType, Props, refersTo, resourceRule, settingsRule, stackRule, TYPES, unknownAt } from "./common";
import { viewerHeadersOf } from "./viewer";

type Distribution = Props<cloudfront.DistributionArgs>;
type Behavior = NonNullable<Distribution["defaultCacheBehavior"]> & { pathPattern?: string };
type Origin = NonNullable<Distribution["origins"]>[number] & { s3OriginConfig?: { originAccessIdentity?: string } };
type CachePolicy = Props<cloudfront.CachePolicyArgs>;

/** The contract's uncached paths (health, readiness, liveness, WebSocket, API): other rules' defaults derive from them. */
export const CONTRACT_UNCACHED_PATHS = uncachedPathPrefixes();

/** CloudFront viewer security policies, oldest first. */
export const VIEWER_TLS_VERSIONS = ["SSLv3", "TLSv1", "TLSv1_2016", "TLSv1.1_2016", "TLSv1.2_2018", "TLSv1.2_2019", "TLSv1.2_2021", "TLSv1.2_2025", "TLSv1.3_2025"];

/** AWS-managed cache policy ids: whether the policy stores responses, and whether Authorization is in its key (none is). */
export const MANAGED_CACHE_POLICIES: Record<string, { name: string; caches: boolean; minTtl?: number }> = {
  "4135ea2d-6df8-44a3-9df3-4b5a84be39ad": { name: "Managed-CachingDisabled", caches: false },
  "658327ea-f89d-4fab-a63d-7e88639e58f6": { name: "Managed-CachingOptimized", caches: true, minTtl: 1 },
  "b2884449-e4de-46a7-ac36-70bc7f1ddd6d": { name: "Managed-CachingOptimizedForUncompressedObjects", caches: true, minTtl: 1 },
  "08627262-05a9-4f76-9ded-b50ca2e3a84f": { name: "Managed-Elemental-MediaPackage", caches: true },
  "83da9c7e-98b4-4e11-a168-04f0df8e2c65": { name: "Managed-UseOriginCacheControlHeaders", caches: true },
  "4cc15a8a-d715-48a4-82b8-cc0b614638fe": { name: "Managed-UseOriginCacheControlHeaders-QueryStrings", caches: true },
};

const behaviors = (p: Distribution): Behavior[] => [
  ...(obj(p.defaultCacheBehavior) ? [{ ...(p.defaultCacheBehavior as Behavior), pathPattern: "(default)" }] : []),
  ...list(p.orderedCacheBehaviors as Behavior[] | undefined),
];

export function isS3Origin(o: Origin): boolean {
  if (o.s3OriginConfig) return true;
  if (o.customOriginConfig || o.vpcOriginConfig) return isS3Host(String(o.domainName ?? "")) && !isS3Website(o);
  return true; // CloudFront treats an origin with neither config block as an S3 origin.
}
const isS3Website = (o: Origin) => /\.s3-website[.-]/.test(String(o.domainName ?? ""));

/** Is the cache key of `policy` keyed on Authorization, or does it store nothing? Undefined when not decidable. */
export function cachePolicyIsSafeForApi(policy: CachePolicy): { safe: boolean; why: string } {
  const maxTtl = num(policy.maxTtl) ?? 31536000;
  const defaultTtl = num(policy.defaultTtl) ?? 86400;
  if (maxTtl === 0 && defaultTtl === 0) return { safe: true, why: "caching disabled" };
  const headers = policy.parametersInCacheKeyAndForwardedToOrigin?.headersConfig;
  const items = list(headers?.headers?.items).map((h) => String(h).toLowerCase());
  if (headers?.headerBehavior === "whitelist" && items.includes("authorization")) return { safe: true, why: "Authorization in cache key" };
  return { safe: false, why: `caches (defaultTtl ${defaultTtl}, maxTtl ${maxTtl}) without Authorization in the cache key` };
}

/** AWS-managed origin request policies, and what they forward to the origin besides the cache key. */
export const MANAGED_ORIGIN_REQUEST_POLICIES: Record<string, { name: string; headers: "all" | string[]; cookies: "all" | string[]; queryStrings: "all" | string[] }> = {
  "216adef6-5c7f-47e4-b989-5492eafa07d3": { name: "Managed-AllViewer", headers: "all", cookies: "all", queryStrings: "all" },
  "b689b0a8-53d0-40ab-baf2-68738e2966ac": { name: "Managed-AllViewerExceptHostHeader", headers: "all", cookies: "all", queryStrings: "all" },
  "33f36d7e-f396-46d9-90e0-52428a34d9dc": { name: "Managed-AllViewerAndCloudFrontHeaders-2022-06", headers: "all", cookies: "all", queryStrings: "all" },
  "88a5eaf4-2fd4-4709-b370-b4c650ea3fcf": { name: "Managed-CORS-S3Origin", headers: ["origin", "access-control-request-headers", "access-control-request-method"], cookies: [], queryStrings: [] },
  "59781a5b-3903-41f3-afcb-af62929ccde1": { name: "Managed-CORS-CustomOrigin", headers: ["origin"], cookies: [], queryStrings: [] },
  "acba4595-bd28-49b8-b9fe-13317c0390fa": { name: "Managed-UserAgentRefererHeaders", headers: ["user-agent", "referer"], cookies: [], queryStrings: [] },
};

/** A set of names a cache policy keys on or an origin request policy forwards: every name, or these (lower case). */
type NameSet = "all" | string[];
interface Part {
  behavior?: string;
  items?: { items?: unknown[] };
}
/** Reads one cookies/headers/query-strings config (`cookieBehavior: whitelist`, `cookies.items`...). */
function nameSet(config: unknown, kind: "cookie" | "header" | "queryString"): NameSet {
  const c = (config ?? {}) as Record<string, unknown>;
  const behavior = String(c[`${kind}Behavior`] ?? "none");
  const items = list(((c[`${kind === "queryString" ? "queryStrings" : `${kind}s`}`] ?? {}) as Part["items"])?.items).map((x) => String(x).toLowerCase());
  if (behavior === "none") return [];
  if (behavior === "whitelist") return items;
  // all, allViewer, allViewerAndWhitelistCloudFront, allExcept: every name the viewer sends (but a few).
  return "all";
}
/** The names of `forwarded` the cache key does not hold (`all` when it holds none of an unbounded set). */
function unkeyed(forwarded: NameSet, key: NameSet, exempt: string[] = []): string[] | "all" {
  if (key === "all") return [];
  if (forwarded === "all") return "all";
  return forwarded.filter((x) => !key.includes(x) && !exempt.includes(x));
}

/** Origins the plan masked whole (or an origin masked whole): the rule reports it can't verify them. */
const maskedOrigins = (p: Distribution) => masked(p.origins) || (Array.isArray(p.origins) && p.origins.some((o) => masked(o)));

export const cloudfrontPolicies: Policies = [
  settingsRule({
    name: "cloudfront-distribution-enabled",
    description: "Distributions are enabled: a disabled distribution answers nothing, so the site is down behind its DNS names.",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    requirements: [{ path: "enabled", judge: judge.oneOf([true]) }],
  }),
  resourceRule<Distribution>({
    name: "cloudfront-errors-cached-briefly",
    description:
      "A distribution caches the origin's 5xx answers at most maxErrorCachingSeconds (customErrorResponses errorCachingMinTtl; CloudFront's default is 10 s) and never serves a 5xx as a success page (responseCode 2xx/3xx): a brief origin failure (a fail-closed limiter's 503, a pod replacement's 502) must not become minutes of cached errors for every viewer, nor an outage the alarms read as success.",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    config: { maxErrorCachingSeconds: { type: "integer", minimum: 0, default: 10, description: "Longest time a 5xx answer may stay cached." } },
    validate: (p, { args, config }, report) => {
      for (const e of list((p as { customErrorResponses?: unknown[] }).customErrorResponses) as { errorCode?: unknown; errorCachingMinTtl?: unknown; responseCode?: unknown }[]) {
        const code = num(e?.errorCode);
        if (code === undefined || code < 500) continue;
        const ttl = num(e?.errorCachingMinTtl);
        if (ttl !== undefined && ttl > Number(config.maxErrorCachingSeconds)) report(`Distribution "${args.name}" caches ${code} answers for ${ttl} s (errorCachingMinTtl): a brief origin failure is served to every viewer for that long; at most ${Number(config.maxErrorCachingSeconds)} s.`);
        const answer = num(e?.responseCode);
        if (answer !== undefined && answer < 400) report(`Distribution "${args.name}" answers the origin's ${code} with ${answer}: an outage looks like success to clients, caches and alarms.`);
      }
    },
  }),
  resourceRule<Distribution>({
    name: "cloudfront-no-allow-all-viewer-protocol",
    description: "No CloudFront cache behavior serves plain HTTP (viewerProtocolPolicy allow-all).",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    validate: (p, { args }, report) => {
      for (const b of behaviors(p)) {
        if (b.viewerProtocolPolicy === "allow-all") {
          report(`Distribution "${args.name}" behavior ${b.pathPattern} has viewerProtocolPolicy allow-all; use redirect-to-https or https-only.`);
        }
      }
    },
  }),
  resourceRule<Distribution>({
    name: "cloudfront-minimum-tls",
    description: "CloudFront viewers negotiate TLS 1.2 or newer (minimumProtocolVersion ≥ TLSv1.2_2021, own certificate).",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    config: {
      minimumProtocolVersion: { type: "string", enum: VIEWER_TLS_VERSIONS, default: "TLSv1.2_2021", description: "Lowest acceptable viewer security policy." },
    },
    validate: (p, { args, config }, report) => {
      const vc = p.viewerCertificate;
      if (vc?.cloudfrontDefaultCertificate === true) {
        report(`Distribution "${args.name}" uses the default CloudFront certificate, which allows TLSv1; use an ACM certificate with minimumProtocolVersion ${config.minimumProtocolVersion}.`);
        return;
      }
      const actual = vc?.minimumProtocolVersion ?? "TLSv1";
      if (VIEWER_TLS_VERSIONS.indexOf(actual) < VIEWER_TLS_VERSIONS.indexOf(String(config.minimumProtocolVersion))) {
        report(`Distribution "${args.name}" has minimumProtocolVersion ${actual}; it must be ${config.minimumProtocolVersion} or newer.`);
      }
    },
  }),
  resourceRule<Distribution>({
    name: "cloudfront-origin-https-only",
    description: "CloudFront connects to custom origins over HTTPS only, with TLS 1.2.",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    validate: (p, { args }, report) => {
      if (maskedOrigins(p)) return report(`${maskedMessage(`The origins of distribution "${args.name}"`)} (mask only the header values).`);
      for (const o of list(p.origins as Origin[] | undefined)) {
        const c = o.customOriginConfig;
        if (!c || isS3Website(o)) continue;
        if (c.originProtocolPolicy !== "https-only") {
          report(`Distribution "${args.name}" origin "${o.originId}" has originProtocolPolicy ${c.originProtocolPolicy}; use https-only.`);
        }
        const weak = list(c.originSslProtocols).filter((v) => v !== "TLSv1.2");
        if (weak.length > 0) report(`Distribution "${args.name}" origin "${o.originId}" allows ${weak.join(", ")}; originSslProtocols must be [TLSv1.2].`);
      }
    },
  }),
  resourceRule<Distribution>({
    name: "cloudfront-s3-origin-oac",
    description: "S3 origins are reached through Origin Access Control (not a legacy OAI, not a public website endpoint).",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    validate: (p, { args }, report) => {
      if (maskedOrigins(p)) return report(`${maskedMessage(`The origins of distribution "${args.name}"`)} (mask only the header values).`);
      for (const o of list(p.origins as Origin[] | undefined)) {
        if (isS3Website(o)) {
          report(`Distribution "${args.name}" origin "${o.originId}" is a public S3 website endpoint; use the bucket's regional domain with Origin Access Control.`);
          continue;
        }
        if (!isS3Origin(o)) continue;
        if (isSet(o.s3OriginConfig?.originAccessIdentity)) {
          report(`Distribution "${args.name}" S3 origin "${o.originId}" uses a legacy origin access identity; use originAccessControlId.`);
        } else if (!isSet(o.originAccessControlId)) {
          report(`Distribution "${args.name}" S3 origin "${o.originId}" has no originAccessControlId; the bucket must be reached through Origin Access Control.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "cloudfront-oac-signs",
    description:
      'Origin Access Controls sign every origin request with SigV4 (signingBehavior "always", signingProtocol sigv4): "never" or "no-override" sends unsigned requests (or the viewer\'s own Authorization header), which only a public bucket answers. It does not judge which distribution uses the OAC (cloudfront-s3-origin-oac does).',
    enforcementLevel: "mandatory",
    types: ["aws:cloudfront/originAccessControl:OriginAccessControl"],
    validate: (p, { args }, report) => {
      const behavior = String(p.signingBehavior ?? "");
      if (behavior !== "always") report(`Origin access control "${args.name}" has signingBehavior "${behavior || "unset"}": set "always" so every request to the origin is signed by CloudFront.`);
      const protocol = String(p.signingProtocol ?? "");
      if (protocol !== "sigv4") report(`Origin access control "${args.name}" has signingProtocol "${protocol || "unset"}": set "sigv4".`);
    },
  }),
  stackRule({
    name: "cloudfront-s3-origin-stack-bucket",
    description:
      "Every S3 origin of a distribution reads a bucket the stack declares (its domain's bucket label is a declared bucket's name), or one listed in externalOriginBuckets: an origin naming another bucket — renamed, deleted, anyone's — serves whatever its owner uploads under the site's name, signed by the stack's OAC or not. Origins in a plan with no bucket known yet are not judged.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.distribution, ...TYPES.bucket],
    config: { externalOriginBuckets: { type: "array", items: { type: "string" }, default: [], description: "Bucket names outside the stack that S3 origins may read." } },
    validate: (resources, { config }, report) => {
      const buckets = ofType(resources, TYPES.bucket);
      if (buckets.some((b) => unknownAt(() => (b.props as Record<string, unknown>).id))) return; // names known after deployment
      for (const d of ofType(resources, TYPES.distribution)) {
        const origins = ifKnown(() => (d.props as Distribution).origins);
        if (origins === undefined || masked(origins)) continue;
        for (const o of list(origins)) {
          if (!o || masked(o) || !isS3Origin(o) || !isS3Host(String(o.domainName ?? ""))) continue;
          const label = String(o.domainName).replace(/\.s3([.-][a-z0-9-]+)*\.amazonaws\.com(\.cn)?$/, "");
          if ((config.externalOriginBuckets as string[]).includes(label) || buckets.some((b) => refersTo(label, b, ["bucket"]))) continue;
          report(`Distribution "${d.name}" S3 origin "${o.originId}" reads bucket ${label}, which the stack does not declare: whoever owns (or re-creates) that bucket serves its files under the site's name.`, d.urn);
        }
      }
    },
  }),
  stackRule({
    name: "cloudfront-logging-prod",
    description: "In prod, every CloudFront distribution writes access logs (standard logging to S3, or a v2 log delivery source).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.logDeliverySource, ...TYPES.distribution],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const sources = ofType(resources, TYPES.logDeliverySource).filter((s) => unknownAt(() => s.props.logType) || s.props.logType === "ACCESS_LOGS");
      for (const d of ofType(resources, TYPES.distribution)) {
        if (!isProd(config, d) || unknownAt(() => (d.props as Distribution).loggingConfig?.bucket)) continue;
        const bucket = ifKnown(() => (d.props as Distribution).loggingConfig?.bucket);
        const v2 = sources.some((s) => {
          const arn = ifKnown(() => s.props.resourceArn);
          return arn === undefined || refersTo(arn, d);
        });
        if (!isSet(bucket) && !v2) report(`Distribution "${d.name}" in a prod stack has no access logging (loggingConfig.bucket or an ACCESS_LOGS LogDeliverySource).`, d.urn);
      }
    },
  }),
  stackRule({
    name: "cloudfront-api-not-shared-cached",
    description: "API behaviors are not cached unless Authorization is part of the cache key (one user's response must never be served to another).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.cachePolicy, ...TYPES.distribution],
    config: {
      apiPathPrefixes: { type: "array", items: { type: "string" }, default: uncachedPathPrefixes(), description: "Path-pattern prefixes that denote API behaviors (default: the uncached routes of @edgestack/contract)." },
    },
    validate: (resources, { config }, report) => {
      const prefixes = list(config.apiPathPrefixes as string[]).map((x) => x.replace(/^\//, ""));
      const cachePolicies = ofType(resources, TYPES.cachePolicy);
      for (const d of ofType(resources, TYPES.distribution)) {
        const ordered = ifKnown(() => list((d.props as Distribution).orderedCacheBehaviors as Behavior[] | undefined)) ?? [];
        for (const b of ordered) {
          const path = String(ifKnown(() => b.pathPattern) ?? "").replace(/^\//, "");
          if (!prefixes.some((x) => path.startsWith(x))) continue;
          const where = `Distribution "${d.name}" behavior ${b.pathPattern}`;
          const policyId = ifKnown(() => b.cachePolicyId);
          if (!isSet(policyId)) {
            const fv = ifKnown(() => b.forwardedValues);
            if (!fv) continue; // neither a cache policy nor legacy settings: not decidable here
            const headers = list(fv.headers).map((h) => String(h).toLowerCase());
            const cached = (num(b.maxTtl) ?? 31536000) > 0 || (num(b.defaultTtl) ?? 86400) > 0;
            if (cached && !headers.includes("authorization") && !headers.includes("*")) {
              report(`${where} caches (legacy forwardedValues, TTL > 0) without forwarding Authorization.`, d.urn);
            }
            continue;
          }
          const managed = MANAGED_CACHE_POLICIES[String(policyId)];
          if (managed) {
            if (managed.caches) report(`${where} uses ${managed.name}, which caches without Authorization in the cache key; use Managed-CachingDisabled.`, d.urn);
            continue;
          }
          const policy: PolicyResource | undefined = cachePolicies.find((c) => refersTo(policyId, c));
          if (!policy) continue; // an id we can't resolve (existing policy, unknown during preview)
          const verdict = ifKnown(() => cachePolicyIsSafeForApi(policy.props as CachePolicy));
          if (verdict && !verdict.safe) report(`${where} uses cache policy "${policy.name}", which ${verdict.why}.`, d.urn);
        }
      }
    },
  }),
  resourceRule<Distribution>({
    name: "cloudfront-logs-without-cookies",
    description: "CloudFront standard logs leave cookies out (loggingConfig.includeCookies false): with them every session cookie of every viewer lands in the log bucket, readable by whoever reads logs. It does not judge whether logging is on (cloudfront-logging-prod).",
    enforcementLevel: "mandatory",
    types: TYPES.distribution,
    validate: (p, { args }, report) => {
      const include = ifKnown(() => p.loggingConfig?.includeCookies);
      if (include === true || (include as unknown) === "true") report(`Distribution "${args.name}" logs viewers' cookies (loggingConfig.includeCookies): session tokens land in the log bucket; set it false.`);
    },
  }),
  stackRule({
    name: "cloudfront-references-declared",
    description:
      "Every origin access control, cache policy and origin request policy a distribution names is declared by the stack (or AWS-managed: the managed cache and origin request policies by id, or listed in externalCloudFrontIds): a deleted or foreign one carries none of the guarantees the rules judge on the stack's own (SigV4 signing, what is cached and forwarded), and can change without this stack. Every Lambda@Edge function and CloudFront Function a behavior runs is declared by the stack (an undeclared one sees and may rewrite every request, the origin secret included, with code no rule reads). Response headers policies and web ACLs are judged by cloudfront-security-headers and cloudfront-waf-prod, what a function does by edge-viewer-address-chain.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.distribution, ...TYPES.cachePolicy, "aws:cloudfront/originAccessControl:OriginAccessControl", "aws:cloudfront/originRequestPolicy:OriginRequestPolicy"],
    config: { externalCloudFrontIds: { type: "array", items: { type: "string" }, default: [], description: "Ids of origin access controls, cache or origin request policies, or ARNs of edge functions, outside the stack that a team vouches for." } },
    validate: (resources, { config }, report) => {
      const external = new Set(list(config.externalCloudFrontIds as string[]));
      const kinds = [
        { what: "origin access control", types: ["aws:cloudfront/originAccessControl:OriginAccessControl"], managed: {} as Record<string, unknown> },
        { what: "cache policy", types: TYPES.cachePolicy, managed: MANAGED_CACHE_POLICIES as Record<string, unknown> },
        { what: "origin request policy", types: ["aws:cloudfront/originRequestPolicy:OriginRequestPolicy"], managed: MANAGED_ORIGIN_REQUEST_POLICIES as Record<string, unknown> },
      ];
      for (const d of ofType(resources, TYPES.distribution)) {
        const p = ifKnown(() => JSON.parse(JSON.stringify(d.props)) as Distribution);
        if (!p) continue;
        const refs: { kind: (typeof kinds)[number]; ref: unknown; where: string }[] = [];
        for (const o of list(p.origins as Origin[] | undefined)) if (o && isSet(o.originAccessControlId)) refs.push({ kind: kinds[0], ref: o.originAccessControlId, where: `origin "${String(o.originId)}"` });
        for (const b of behaviors(p)) {
          if (isSet(b.cachePolicyId)) refs.push({ kind: kinds[1], ref: b.cachePolicyId, where: `behavior ${b.pathPattern}` });
          if (isSet(b.originRequestPolicyId)) refs.push({ kind: kinds[2], ref: b.originRequestPolicyId, where: `behavior ${b.pathPattern}` });
        }
        for (const { kind, ref, where } of refs) {
          if (typeof ref !== "string" || masked(ref) || kind.managed[ref] !== undefined || external.has(ref)) continue;
          if (ofType(resources, kind.types).some((x) => refersTo(ref, x))) continue;
          report(`Distribution "${d.name}" ${where} names ${kind.what} ${ref}, which the stack does not declare (deleted, or another team's): nothing shows what it does; declare it, or list it in externalCloudFrontIds.`, d.urn);
        }
        // Code that runs on the requests (Lambda@Edge, CloudFront Functions) is the stack's own, so the rules read it:
        // an undeclared function sees and may rewrite every request and response of the behavior, the origin secret
        // and viewer-address header included, with code no one here reviews.
        const lambdas = ofType(resources, ["aws:lambda/function:Function"]);
        const functions = ofType(resources, ["aws:cloudfront/function:Function"]);
        for (const b of behaviors(p)) {
          for (const a of list(b.lambdaFunctionAssociations as { lambdaArn?: unknown; eventType?: unknown }[] | undefined)) {
            const arn = a?.lambdaArn;
            if (typeof arn !== "string" || masked(arn) || external.has(arn)) continue;
            const unqualified = arn.replace(/:(\d+|\$LATEST)$/, "");
            const declared = lambdas.some((l) => refersTo(arn, l, ["arn", "qualifiedArn"]) || refersTo(unqualified, l, ["arn"]) || unqualified.endsWith(`:function:${String(ifKnown(() => l.props.name) ?? "\u0000")}`));
            if (!declared && !lambdas.some((l) => unknownAt(() => l.props.arn) || unknownAt(() => l.props.name) || unknownAt(() => l.props.qualifiedArn))) report(`Distribution "${d.name}" behavior ${b.pathPattern} runs Lambda@Edge ${arn} at ${String(a?.eventType)}, which the stack does not declare: code no rule reads sees and may rewrite every request of the behavior (the origin secret, the viewer-address header); declare the function in the stack, or list its ARN in externalCloudFrontIds.`, d.urn);
          }
          for (const a of list(b.functionAssociations as { functionArn?: unknown; eventType?: unknown }[] | undefined)) {
            const arn = a?.functionArn;
            if (typeof arn !== "string" || masked(arn) || external.has(arn)) continue;
            const declared = functions.some((f) => refersTo(arn, f, ["arn", "name"]) || arn.endsWith(`/${String(ifKnown(() => f.props.name) ?? "\u0000")}`));
            if (!declared && !functions.some((f) => unknownAt(() => f.props.name) || unknownAt(() => f.props.arn))) report(`Distribution "${d.name}" behavior ${b.pathPattern} runs CloudFront function ${arn} at ${String(a?.eventType)}, which the stack does not declare: code no rule reads runs on every request of the behavior; declare it in the stack.`, d.urn);
          }
        }
      }
    },
  }),
  stackRule({
    name: "cloudfront-cache-key-covers-origin-inputs",
    description:
      "A behavior that caches responses of a custom origin (the app) sends the origin nothing the cache key leaves out (cookies, viewer headers, query strings its origin request policy forwards beyond the cache policy's key; headers a viewer-request function sets from the viewer's address excepted), and its cache policy's minTtl is 0 so the origin's Cache-Control private/no-store holds: otherwise one viewer's personalised or poisoned response is served to every other. Behaviors with caching disabled are not judged, nor S3 origins.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.distribution, ...TYPES.cachePolicy, "aws:cloudfront/originRequestPolicy:OriginRequestPolicy", "aws:cloudfront/function:Function"],
    validate: (resources, _ctx, report) => {
      const cachePolicies = ofType(resources, TYPES.cachePolicy);
      const requestPolicies = ofType(resources, ["aws:cloudfront/originRequestPolicy:OriginRequestPolicy"]);
      // Headers CloudFront functions overwrite with the viewer's address: the origin reads them, the viewer can't choose them.
      const functions = ofType(resources, ["aws:cloudfront/function:Function"]);
      const functionSet = functions.flatMap((f) => {
        const code = ifKnown(() => f.props.code);
        return typeof code === "string" ? viewerHeadersOf(code).sets : [];
      });
      // A function whose code is known only after deployment may set any header: forwarded headers are judged then.
      const codeUnknown = functions.some((f) => unknownAt(() => f.props.code));
      for (const d of ofType(resources, TYPES.distribution)) {
        const p = ifKnown(() => JSON.parse(JSON.stringify(d.props)) as Distribution);
        if (!p) continue;
        const custom = new Set(list(p.origins as Origin[] | undefined).filter((o) => o && o.customOriginConfig !== undefined && !isS3Origin(o)).map((o) => o.originId));
        for (const b of behaviors(p)) {
          if (!custom.has(b.targetOriginId as string)) continue;
          const where = `Distribution "${d.name}" behavior ${b.pathPattern}`;
          const cacheId = String(b.cachePolicyId ?? "");
          const managed = MANAGED_CACHE_POLICIES[cacheId];
          const cache = managed ? undefined : cachePolicies.find((c) => refersTo(cacheId, c));
          if (!managed && !cache) continue; // legacy forwardedValues or an undeclared id: other rules judge those
          // A policy with a value not known yet (preview) is judged at update.
          const cp = cache ? ifKnown(() => JSON.parse(JSON.stringify(cache.props)) as CachePolicy) : {};
          if (cp === undefined) continue;
          if (managed ? !managed.caches : cachePolicyIsSafeForApi(cp).why === "caching disabled") continue;
          const minTtl = managed ? (managed.minTtl ?? 0) : (num(cp.minTtl) ?? 0);
          if (minTtl > 0) {
            const message = `${where} caches with ${managed ? managed.name : `cache policy "${cache!.name}"`}, whose minTtl ${minTtl} overrides the origin's Cache-Control private/no-store: a personalised answer is kept and served to other viewers; set minTtl 0.`;
            report(message, d.urn);
            if (cache) report(message, cache.urn);
          }
          const params = cp.parametersInCacheKeyAndForwardedToOrigin;
          const key = { cookies: nameSet(params?.cookiesConfig, "cookie"), headers: nameSet(params?.headersConfig, "header"), queryStrings: nameSet(params?.queryStringsConfig, "queryString") };
          const orpId = String(b.originRequestPolicyId ?? "");
          if (orpId === "") continue;
          const managedOrp = MANAGED_ORIGIN_REQUEST_POLICIES[orpId];
          const orp = managedOrp ? undefined : requestPolicies.find((x) => refersTo(orpId, x));
          if (!managedOrp && !orp) continue;
          const op = orp ? ifKnown(() => JSON.parse(JSON.stringify(orp.props)) as Record<string, unknown>) : {};
          if (op === undefined) continue;
          const sent = managedOrp ?? { cookies: nameSet(op.cookiesConfig, "cookie"), headers: nameSet(op.headersConfig, "header"), queryStrings: nameSet(op.queryStringsConfig, "queryString") };
          const gaps = [
            ["cookies", unkeyed(sent.cookies, key.cookies)],
            ["viewer headers", codeUnknown ? [] : unkeyed(sent.headers, key.headers, functionSet)],
            ["query strings", unkeyed(sent.queryStrings, key.queryStrings)],
          ].filter(([, g]) => g === "all" || (g as string[]).length > 0) as [string, "all" | string[]][];
          if (gaps.length === 0) continue;
          const what = gaps.map(([k, g]) => (g === "all" ? `every ${k.replace(/s$/, "")}` : `${k} ${g.join(", ")}`)).join("; ");
          const message = `${where} caches (${managed ? managed.name : `cache policy "${cache!.name}"`}) but its origin request policy ${managedOrp ? managedOrp.name : `"${orp!.name}"`} sends the origin ${what} outside the cache key: the app answers per viewer and CloudFront serves that answer to everyone (cache poisoning, one user's page to another); key on them or stop forwarding them.`;
          report(message, d.urn);
          if (orp) report(message, orp.urn);
        }
      }
    },
  }),
];
