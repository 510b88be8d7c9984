import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import { denyInsecureTransport, LogBucket } from "../edge/log-bucket";
import { physicalNamePrefix } from "../naming";
import { OriginVerifyHeader } from "../edge/origin-lock";
import {
  BehaviorSpec,
  cacheBehaviors,
  cachePolicySpecs,
  checkViewerAddressForwarded,
  customErrorResponses,
  MANAGED_POLICY_NAMES,
  ORIGIN_IDS,
  originRequestPolicySpecs,
  policyName,
  SECURITY_HEADERS,
} from "./cache-rules";
import { StaticAssets } from "./static-assets";
import { StaticBucket } from "./static-bucket";
import { VIEWER_ADDRESS_FUNCTION_RUNTIME, VIEWER_ADDRESS_HEADER, viewerAddressFunctionCode } from "./viewer-address";
import { EdgeWaf } from "./waf";

/** The stack settings the CDN reads: a program passes its StackConfig (or these fields of it). */
export type CdnSettings = Pick<
  StackConfig,
  | "stack"
  | "namePrefix"
  | "isProd"
  | "cdnOriginKeepaliveSeconds"
  | "cdnOriginReadTimeoutSeconds"
  | "cdnPriceClass"
  | "cdnHtmlDefaultTtlSeconds"
  | "cdnHtmlMaxTtlSeconds"
  | "wafEnabled"
  | "wafRateLimitPer5Minutes"
  | "wafAnonymousIps"
>;

export interface CdnArgs {
  /** Price class, origin timeouts, HTML TTLs, WAF, names; prod adds logging and a versioned static bucket. */
  settings: CdnSettings;
  /** Viewer names: apex and www. */
  aliases: string[];
  /** Validated ACM certificate in us-east-1 covering the aliases. */
  certificateArn: pulumi.Input<string>;
  /** The ALB's DNS name as CloudFront connects to it (covered by the ALB certificate). */
  appOriginDomainName: string;
  originVerifyHeader: OriginVerifyHeader;
  /** Provider for the us-east-1-only parts (the WAF web ACL). */
  usEast1: aws.Provider;
}

/** The CloudFront policies and function the cache behaviors refer to. */
interface BehaviorParts {
  ownCachePolicies: Record<"static" | "html", pulumi.Output<string>>;
  viewerAddressPolicyId: pulumi.Output<string>;
  viewerAddressFunctionArn: pulumi.Output<string>;
  viewerAddressFunctionName: pulumi.Output<string>;
  responseHeadersPolicyId: pulumi.Output<string>;
  cachingDisabledId: pulumi.Output<string>;
  allViewerExceptHostId: pulumi.Output<string>;
}

/**
 * The CloudFront distribution in front of everything: the ALB (app, HTML, API, WebSocket) and a
 * private S3 bucket (static assets) as origins, cache behaviors from cache-rules.ts, a viewer-request
 * function stating the viewer's address on every behavior that reaches the ALB (viewer-address.ts),
 * security headers on every response, optional WAF, logging in prod.
 */
export class Cdn extends pulumi.ComponentResource {
  public readonly distributionId: pulumi.Output<string>;
  public readonly distributionArn: pulumi.Output<string>;
  public readonly domainName: pulumi.Output<string>;
  /** Route53 zone id for alias records to the distribution. */
  public readonly hostedZoneId: pulumi.Output<string>;
  public readonly staticBucketName: pulumi.Output<string>;
  public readonly webAclArn?: pulumi.Output<string>;
  /** The web ACL's metric name (its alarms' WebACL dimension). */
  public readonly webAclMetricName?: pulumi.Output<string>;
  /** The CloudFront Functions the distribution runs (their recommended alarms need the names). */
  public readonly functionNames: pulumi.Output<string>[];

  constructor(name: string, args: CdnArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cdn:Cdn", name, {}, opts);
    const s = args.settings;
    const prefix = physicalNamePrefix(s);

    const staticBucket = new StaticBucket(`${name}-static`, { versioning: s.isProd, protect: s.isProd }, { parent: this });
    new StaticAssets(`${name}-assets`, { bucketName: staticBucket.bucketName }, { parent: this });
    const oac = new aws.cloudfront.OriginAccessControl(
      `${name}-oac`,
      {
        name: policyName(prefix, "static-oac").slice(0, 64),
        description: "CloudFront reads the static bucket, signing every request",
        originAccessControlOriginType: "s3",
        signingBehavior: "always",
        signingProtocol: "sigv4",
      },
      { parent: this },
    );
    const parts = this.behaviorParts(name, s, prefix);

    const logs = s.isProd ? new LogBucket(`${name}-logs`, { aclsForCloudFrontLogs: true, expireAfterDays: 90, protect: true }, { parent: this }) : undefined;
    const waf = s.wafEnabled
      ? new EdgeWaf(
          `${name}-waf`,
          { name: policyName(prefix, "cloudfront"), metricPrefix: policyName(prefix, "cdn"), ratePer5Minutes: s.wafRateLimitPer5Minutes, anonymousIps: s.wafAnonymousIps, isProd: s.isProd },
          { parent: this, providers: { aws: args.usEast1 } },
        )
      : undefined;

    const behaviors = cacheBehaviors();
    checkViewerAddressForwarded(behaviors);
    const behavior = (b: BehaviorSpec) => behaviorInputs(b, parts);
    const distribution = new aws.cloudfront.Distribution(
      `${name}-distribution`,
      {
        enabled: true,
        comment: `edgestack ${s.stack}`,
        aliases: args.aliases,
        isIpv6Enabled: true,
        httpVersion: "http2and3",
        priceClass: s.cdnPriceClass,
        origins: [
          {
            originId: ORIGIN_IDS.app,
            domainName: args.appOriginDomainName,
            customOriginConfig: {
              httpPort: 80,
              httpsPort: 443,
              originProtocolPolicy: "https-only",
              originSslProtocols: ["TLSv1.2"],
              originKeepaliveTimeout: s.cdnOriginKeepaliveSeconds,
              originReadTimeout: s.cdnOriginReadTimeoutSeconds,
            },
            // pulumi.secret again: a secret inside a nested input must stay marked in the plan and state.
            customHeaders: [{ name: args.originVerifyHeader.name, value: pulumi.secret(args.originVerifyHeader.value) }],
          },
          { originId: ORIGIN_IDS.static, domainName: staticBucket.bucketRegionalDomainName, originAccessControlId: oac.id },
        ],
        defaultCacheBehavior: behavior(behaviors.default),
        orderedCacheBehaviors: behaviors.ordered.map((b) => ({ pathPattern: b.pathPattern!, ...behavior(b) })),
        customErrorResponses: customErrorResponses(),
        restrictions: { geoRestriction: { restrictionType: "none" } },
        viewerCertificate: { acmCertificateArn: args.certificateArn, sslSupportMethod: "sni-only", minimumProtocolVersion: "TLSv1.2_2021" },
        loggingConfig: logs ? { bucket: logs.bucketDomainName, prefix: "cloudfront/", includeCookies: false } : undefined,
        webAclId: waf?.webAclArn,
        tags: { Name: `${name}-distribution` },
      },
      { parent: this, dependsOn: logs?.ready ?? [] },
    );
    this.allowDistributionOnly(name, staticBucket, distribution);

    this.distributionId = distribution.id;
    this.distributionArn = distribution.arn;
    this.domainName = distribution.domainName;
    this.hostedZoneId = distribution.hostedZoneId;
    this.staticBucketName = staticBucket.bucketName;
    this.webAclArn = waf?.webAclArn;
    this.webAclMetricName = waf?.webAclMetricName;
    this.functionNames = [parts.viewerAddressFunctionName];
    this.registerOutputs({ distributionId: this.distributionId, domainName: this.domainName });
  }

  /** Our cache policies, the viewer-address origin request policy and function, the security headers, and the managed policies' ids. */
  private behaviorParts(name: string, s: CdnSettings, prefix: string): BehaviorParts {
    const specs = cachePolicySpecs({ namePrefix: prefix, htmlDefaultTtlSeconds: s.cdnHtmlDefaultTtlSeconds, htmlMaxTtlSeconds: s.cdnHtmlMaxTtlSeconds });
    const ownCachePolicies = Object.fromEntries(
      (Object.keys(specs) as (keyof typeof specs)[]).map((key) => {
        const spec = specs[key];
        const policy = new aws.cloudfront.CachePolicy(
          `${name}-${key}`,
          {
            name: spec.name,
            comment: spec.comment,
            minTtl: spec.minTtl,
            defaultTtl: spec.defaultTtl,
            maxTtl: spec.maxTtl,
            parametersInCacheKeyAndForwardedToOrigin: {
              enableAcceptEncodingGzip: true,
              enableAcceptEncodingBrotli: true,
              cookiesConfig: { cookieBehavior: "none" },
              headersConfig: { headerBehavior: "none" },
              queryStringsConfig: { queryStringBehavior: spec.queryStrings },
            },
          },
          { parent: this },
        );
        return [key, policy.id];
      }),
    ) as Record<keyof typeof specs, pulumi.Output<string>>;
    const viewerAddressSpec = originRequestPolicySpecs(prefix).viewerAddress;
    const viewerAddressPolicy = new aws.cloudfront.OriginRequestPolicy(
      `${name}-viewer-address`,
      {
        name: viewerAddressSpec.name,
        comment: viewerAddressSpec.comment,
        headersConfig: { headerBehavior: "whitelist", headers: { items: viewerAddressSpec.headers } },
        cookiesConfig: { cookieBehavior: "none" },
        queryStringsConfig: { queryStringBehavior: "none" },
      },
      { parent: this },
    );
    // The viewer's address for nginx: the ALB's X-Forwarded-For ends in the edge's address, not the viewer's.
    const viewerAddressFunction = new aws.cloudfront.Function(
      `${name}-viewer-address`,
      {
        name: policyName(prefix, "viewer-address").slice(0, 64),
        comment: `Sets ${VIEWER_ADDRESS_HEADER} to the viewer's IP, replacing any sent by the viewer`,
        runtime: VIEWER_ADDRESS_FUNCTION_RUNTIME,
        code: viewerAddressFunctionCode(VIEWER_ADDRESS_HEADER),
        // Associations run the LIVE stage; unpublished code would never run.
        publish: true,
      },
      { parent: this },
    );
    const cachingDisabled = aws.cloudfront.getCachePolicyOutput({ name: MANAGED_POLICY_NAMES.cachingDisabled }, { parent: this });
    const allViewerExceptHost = aws.cloudfront.getOriginRequestPolicyOutput({ name: MANAGED_POLICY_NAMES.allViewerExceptHost }, { parent: this });
    const headers = new aws.cloudfront.ResponseHeadersPolicy(
      `${name}-security-headers`,
      {
        name: policyName(prefix, "security-headers"),
        comment: "HSTS, nosniff, no framing, strict referrer (infra/contract.ts)",
        securityHeadersConfig: {
          strictTransportSecurity: {
            accessControlMaxAgeSec: SECURITY_HEADERS.hstsMaxAgeSeconds,
            includeSubdomains: SECURITY_HEADERS.hstsIncludeSubDomains,
            preload: SECURITY_HEADERS.hstsPreload,
            override: true,
          },
          contentTypeOptions: { override: true },
          frameOptions: { frameOption: SECURITY_HEADERS.frameOption, override: true },
          referrerPolicy: { referrerPolicy: SECURITY_HEADERS.referrerPolicy, override: true },
          xssProtection: { protection: true, modeBlock: true, override: true },
        },
      },
      { parent: this },
    );
    return {
      ownCachePolicies,
      viewerAddressPolicyId: viewerAddressPolicy.id,
      viewerAddressFunctionArn: viewerAddressFunction.arn,
      viewerAddressFunctionName: viewerAddressFunction.name,
      responseHeadersPolicyId: headers.id,
      cachingDisabledId: cachingDisabled.apply((p) => p.id!),
      allViewerExceptHostId: allViewerExceptHost.apply((p) => p.id!),
    };
  }

  /** Only this distribution may read the bucket, and only through its OAC-signed requests. */
  private allowDistributionOnly(name: string, staticBucket: StaticBucket, distribution: aws.cloudfront.Distribution): void {
    new aws.s3.BucketPolicy(
      `${name}-static-policy`,
      {
        bucket: staticBucket.bucketName,
        policy: pulumi.jsonStringify({
          Version: "2012-10-17",
          Statement: [
            {
              Sid: "CloudFrontReadsThroughOac",
              Effect: "Allow",
              Principal: { Service: "cloudfront.amazonaws.com" },
              Action: "s3:GetObject",
              Resource: pulumi.interpolate`${staticBucket.bucketArn}/*`,
              Condition: { StringEquals: { "AWS:SourceArn": distribution.arn } },
            },
            staticBucket.bucketArn.apply(denyInsecureTransport),
          ],
        }),
      },
      { parent: this, dependsOn: [staticBucket.publicAccessBlock] },
    );
  }
}

/** One cache behavior's inputs from its spec (cache-rules.ts) and the policies it names. */
function behaviorInputs(b: BehaviorSpec, parts: BehaviorParts) {
  return {
    targetOriginId: ORIGIN_IDS[b.origin],
    viewerProtocolPolicy: "redirect-to-https",
    allowedMethods: b.allowedMethods,
    cachedMethods: b.cachedMethods,
    compress: b.compress,
    cachePolicyId: "own" in b.cachePolicy ? parts.ownCachePolicies[b.cachePolicy.own] : parts.cachingDisabledId,
    originRequestPolicyId: b.originRequestPolicy === "allViewerExceptHost" ? parts.allViewerExceptHostId : b.originRequestPolicy === "viewerAddress" ? parts.viewerAddressPolicyId : undefined,
    responseHeadersPolicyId: parts.responseHeadersPolicyId,
    functionAssociations: b.origin === "app" ? [{ eventType: "viewer-request", functionArn: parts.viewerAddressFunctionArn }] : undefined,
  };
}
