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
import { awsProvider, awsUsEast1Provider, Edge, flowLogGroupName, HostedZone, loadStackConfig, randomProvider, Vpc, type StackConfig } from "edgestack";

const config: StackConfig = loadStackConfig();
const aws = awsProvider(config);

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
const edge = new Edge("edge", { settings: config, network, zoneId: zone.zoneId, usEast1: awsUsEast1Provider(config) }, { providers: { aws, random: randomProvider() } });

export const siteUrl = pulumi.interpolate`https://${config.domain}`;
export const distributionId = edge.cdn.distributionId;
export const albTargetGroupArn = edge.alb.targetGroupArn;
export const nlbTargetGroupArns = edge.nlb.targetGroupArns;
export const nameServers = zone.nameServers;
