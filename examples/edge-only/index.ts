/**
 * A team's own program built from the edgestack package: the network edge without the cluster.
 * A VPC, the Route53 zone, certificates, the origin lock, the ALB (reachable only through
 * CloudFront) and the NLB, CloudFront with its cache rules and WAF, and the site's records. No EKS,
 * no cache, no workloads: the team registers its own instances in the load balancers' target groups
 * (outputs below), serving nginx-style on the NodePorts the config names.
 *
 * Config is the same schema (`edgestack:` keys, validated as a whole at start), so a prefix of its
 * own (`edgestack:namePrefix`) keeps its physical names apart from any other copy in the account.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  Alb,
  awsProvider,
  awsUsEast1Provider,
  Cdn,
  Dns,
  flowLogGroupName,
  HostedZone,
  loadStackConfig,
  Nlb,
  OriginLock,
  randomProvider,
  ValidatedCertificate,
  Vpc,
  type HealthCheckSettings,
  type StackConfig,
} from "edgestack";

const config: StackConfig = loadStackConfig();
const aws = awsProvider(config);
const usEast1 = awsUsEast1Provider(config);
const random = randomProvider();

const network = new Vpc(
  "network",
  { cidrBlock: config.vpcCidr, availabilityZoneCount: config.availabilityZoneCount, natGateways: config.natGateways, flowLogGroupName: flowLogGroupName(config), isProd: config.isProd },
  { providers: { aws } },
);
const zone = new HostedZone(
  "dns-zone",
  { domain: config.domain, create: config.createHostedZone, protect: config.isProd, delegationTtlSeconds: config.dnsTtlSeconds },
  { providers: { aws } },
);

const origin = `${config.originSubdomain}.${config.domain}`;
const edge = `${config.edgeSubdomain}.${config.domain}`;
const www = `${config.wwwSubdomain}.${config.domain}`;
const lbCertificate = new ValidatedCertificate(
  "lb-certificate",
  { domainName: origin, subjectAlternativeNames: [edge], zoneId: zone.zoneId, validationTtlSeconds: config.dnsTtlSeconds },
  { providers: { aws } },
);
const cdnCertificate = new ValidatedCertificate(
  "cdn-certificate",
  { domainName: config.domain, subjectAlternativeNames: [www], zoneId: zone.zoneId, validationTtlSeconds: config.dnsTtlSeconds },
  { providers: { aws: usEast1 } },
);
const originLock = new OriginLock("origin-lock", { providers: { random } });

const healthCheck: HealthCheckSettings = {
  intervalSeconds: config.healthCheckIntervalSeconds,
  timeoutSeconds: config.healthCheckTimeoutSeconds,
  healthyThreshold: config.healthyThreshold,
  unhealthyThreshold: config.unhealthyThreshold,
};
const placement = { vpcId: network.vpcId, vpcCidr: network.cidrBlock, publicSubnetIds: network.publicSubnetIds, ipv6: network.ipv6, certificateArn: lbCertificate.certificateArn };
const alb = new Alb(
  "alb",
  {
    ...placement,
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
const nlb = new Nlb(
  "nlb",
  {
    ...placement,
    tlsNodePort: config.nginxProxyProtocolNodePort,
    httpNodePort: config.nginxProxyProtocolHttpNodePort,
    healthCheckNodePort: config.nginxHttpNodePort,
    deregistrationDelaySeconds: config.deregistrationDelaySeconds,
    healthCheck,
    elasticIps: config.nlbElasticIps,
    isProd: config.isProd,
  },
  { providers: { aws } },
);
const cdn = new Cdn(
  "cdn",
  { settings: config, aliases: [config.domain, www], certificateArn: cdnCertificate.certificateArn, appOriginDomainName: origin, originVerifyHeader: originLock.header, usEast1 },
  { providers: { aws } },
);
new Dns(
  "dns",
  {
    settings: config,
    zoneId: zone.zoneId,
    loadBalancersIpv6: network.ipv6,
    aliasTargets: {
      cdn: { dnsName: cdn.domainName, zoneId: cdn.hostedZoneId },
      alb: { dnsName: alb.dnsName, zoneId: alb.zoneId },
      nlb: { dnsName: nlb.dnsName, zoneId: nlb.zoneId },
    },
  },
  { providers: { aws } },
);

export const siteUrl = pulumi.interpolate`https://${config.domain}`;
export const distributionId = cdn.distributionId;
export const albTargetGroupArn = alb.targetGroupArn;
export const nlbTargetGroupArns = nlb.targetGroupArns;
export const nameServers = zone.nameServers;
