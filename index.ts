/**
 * edgestack entry program: reads and validates the stack config, wires the components together and
 * exports the stack outputs. Everything else lives in infra/, one component per concern.
 */
import { loadStackConfig } from "./infra/config";
import { Vpc } from "./infra/network/vpc";
import { Cdn } from "./infra/cdn/distribution";
import { Dns } from "./infra/dns/records";
import { HostedZone } from "./infra/dns/zone";
import { Alb } from "./infra/edge/alb";
import { ValidatedCertificate } from "./infra/edge/certificates";
import { Nlb } from "./infra/edge/nlb";
import { OriginLock } from "./infra/edge/origin-lock";
import { awsProvider, awsUsEast1Provider } from "./infra/providers";

// Validated as a whole before any resource is registered: bad config fails here, nothing half-applied.
const config = loadStackConfig();

const aws = awsProvider(config);

const network = new Vpc(
  "network",
  {
    existingVpcId: config.vpcId || undefined,
    existingPublicSubnetIds: config.existingPublicSubnetIds,
    existingPrivateSubnetIds: config.existingPrivateSubnetIds,
    cidrBlock: config.vpcCidr,
    availabilityZoneCount: config.availabilityZoneCount,
    natGateways: config.natGateways,
  },
  { providers: { aws } },
);

// ── Edge: certificates, load balancers, CloudFront, DNS ─────────────────────────────────────
const usEast1 = awsUsEast1Provider(config);
const names = {
  apex: config.domain,
  www: `${config.wwwSubdomain}.${config.domain}`,
  origin: `${config.originSubdomain}.${config.domain}`,
  edge: `${config.edgeSubdomain}.${config.domain}`,
};
const healthCheck = {
  intervalSeconds: config.healthCheckIntervalSeconds,
  timeoutSeconds: config.healthCheckTimeoutSeconds,
  healthyThreshold: config.healthyThreshold,
  unhealthyThreshold: config.unhealthyThreshold,
};

const zone = new HostedZone("dns-zone", { domain: config.domain, create: config.createHostedZone, protect: config.isProd }, { providers: { aws } });
const lbCertificate = new ValidatedCertificate(
  "lb-certificate",
  { domainName: names.origin, subjectAlternativeNames: [names.edge], zoneId: zone.zoneId, validationTtlSeconds: config.dnsTtlSeconds },
  { providers: { aws } },
);
// CloudFront only takes certificates from us-east-1.
const cdnCertificate = new ValidatedCertificate(
  "cdn-certificate",
  { domainName: names.apex, subjectAlternativeNames: [names.www], zoneId: zone.zoneId, validationTtlSeconds: config.dnsTtlSeconds },
  { providers: { aws: usEast1 } },
);
const originLock = new OriginLock("origin-lock");

export const alb = new Alb(
  "alb",
  {
    vpcId: network.vpcId,
    vpcCidr: network.cidrBlock,
    publicSubnetIds: network.publicSubnetIds,
    ipv6: network.ipv6,
    certificateArn: lbCertificate.certificateArn,
    originVerifyHeader: originLock.header,
    targetNodePort: config.nginxHttpNodePort,
    idleTimeoutSeconds: config.albIdleTimeoutSeconds,
    deregistrationDelaySeconds: config.deregistrationDelaySeconds,
    stickinessSeconds: config.albStickinessSeconds,
    healthCheck,
    isProd: config.isProd,
  },
  { providers: { aws } },
);

export const nlb = new Nlb(
  "nlb",
  {
    vpcId: network.vpcId,
    vpcCidr: network.cidrBlock,
    publicSubnetIds: network.publicSubnetIds,
    ipv6: network.ipv6,
    certificateArn: lbCertificate.certificateArn,
    tlsNodePort: config.nginxProxyProtocolNodePort,
    httpNodePort: config.nginxProxyProtocolHttpNodePort,
    healthCheckNodePort: config.nginxHttpNodePort,
    deregistrationDelaySeconds: config.deregistrationDelaySeconds,
    healthCheck,
    elasticIps: config.nlbElasticIps,
  },
  { providers: { aws } },
);

const cdn = new Cdn(
  "cdn",
  {
    stack: config.stack,
    aliases: [names.apex, names.www],
    certificateArn: cdnCertificate.certificateArn,
    appOriginDomainName: names.origin,
    originVerifyHeader: originLock.header,
    originKeepaliveSeconds: config.cdnOriginKeepaliveSeconds,
    originReadTimeoutSeconds: config.cdnOriginReadTimeoutSeconds,
    priceClass: config.cdnPriceClass,
    htmlDefaultTtlSeconds: config.cdnHtmlDefaultTtlSeconds,
    htmlMaxTtlSeconds: config.cdnHtmlMaxTtlSeconds,
    isProd: config.isProd,
    waf: { enabled: config.wafEnabled, ratePer5Minutes: config.wafRateLimitPer5Minutes },
    usEast1,
  },
  { providers: { aws } },
);

const dns = new Dns(
  "dns",
  {
    zoneId: zone.zoneId,
    domain: config.domain,
    wwwSubdomain: config.wwwSubdomain,
    originSubdomain: config.originSubdomain,
    edgeSubdomain: config.edgeSubdomain,
    ttlSeconds: config.dnsTtlSeconds,
    spfRecord: config.spfRecord,
    verificationTokens: config.verificationTokens,
    srv: { service: config.srvService, priority: config.srvPriority, weight: config.srvWeight, port: config.srvPort },
    loadBalancersIpv6: network.ipv6,
    aliasTargets: {
      cdn: { dnsName: cdn.domainName, zoneId: cdn.hostedZoneId },
      alb: { dnsName: alb.dnsName, zoneId: alb.zoneId },
      nlb: { dnsName: nlb.dnsName, zoneId: nlb.zoneId },
    },
  },
  { providers: { aws } },
);

export const vpcId = network.vpcId;
export const publicSubnetIds = network.publicSubnetIds;
export const privateSubnetIds = network.privateSubnetIds;
export const siteUrl = `https://${config.domain}`;
export const albDnsName = alb.dnsName;
export const nlbDnsName = nlb.dnsName;
export const distributionId = cdn.distributionId;
export const distributionDomainName = cdn.domainName;
export const hostedZoneId = zone.zoneId;
export const recordNames = dns.recordNames;
