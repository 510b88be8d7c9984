import type * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import { Cdn, type CdnSettings } from "../cdn/distribution";
import { HealthChecks, type HealthCheckSettings as DnsHealthCheckSettings } from "../dns/health-checks";
import { Dns, type DnsSettings } from "../dns/records";
import { Alb, type HealthCheckSettings } from "./alb";
import { ValidatedCertificate } from "./certificates";
import { Nlb } from "./nlb";
import { OriginLock } from "./origin-lock";

/** The stack settings the edge reads: a program passes its StackConfig (or these fields of it). */
export type EdgeSettings = CdnSettings &
  DnsSettings &
  DnsHealthCheckSettings &
  Pick<
    StackConfig,
    | "healthCheckIntervalSeconds"
    | "healthCheckTimeoutSeconds"
    | "healthyThreshold"
    | "unhealthyThreshold"
    | "deregistrationDelaySeconds"
    | "albIdleTimeoutSeconds"
    | "albStickinessSeconds"
    | "albLoadBalancingAlgorithm"
    | "albAnomalyMitigation"
    | "albBlueWeight"
    | "albGreenWeight"
    | "nlbElasticIps"
    | "nlbColor"
    | "nginxBlueGreen"
    | "nginxHttpNodePort"
    | "nginxProxyProtocolNodePort"
    | "nginxProxyProtocolHttpNodePort"
    | "nginxGreenHttpNodePort"
    | "nginxGreenProxyProtocolNodePort"
    | "nginxGreenProxyProtocolHttpNodePort"
  >;

/** Where the load balancers sit: a Vpc component (or an existing VPC's values). */
export interface EdgeNetwork {
  vpcId: pulumi.Input<string>;
  /** The VPC's blocks (Vpc.trustedCidrs): the load balancers' egress to the nginx NodePorts is limited to them. */
  trustedCidrs: pulumi.Input<string[]>;
  publicSubnetIds: pulumi.Input<string>[];
  /** Dual-stack public subnets: the load balancers and their records get IPv6. */
  ipv6: boolean;
}

export interface EdgeArgs {
  settings: EdgeSettings;
  network: EdgeNetwork;
  /** The hosted zone (HostedZone.zoneId) that validates the certificates and holds the records. */
  zoneId: pulumi.Input<string>;
  /** A provider in us-east-1: CloudFront's certificate, WAF and functions live there. */
  usEast1: aws.Provider;
}

/** The public names of the site: apex and www (CloudFront), origin (ALB), edge (NLB). */
export function edgeNames(s: Pick<StackConfig, "domain" | "wwwSubdomain" | "originSubdomain" | "edgeSubdomain">): { apex: string; www: string; origin: string; edge: string } {
  return { apex: s.domain, www: `${s.wwwSubdomain}.${s.domain}`, origin: `${s.originSubdomain}.${s.domain}`, edge: `${s.edgeSubdomain}.${s.domain}` };
}

/** The load balancers' target-group health checks from the stack settings. */
export function loadBalancerHealthCheck(s: EdgeSettings): HealthCheckSettings {
  return { intervalSeconds: s.healthCheckIntervalSeconds, timeoutSeconds: s.healthCheckTimeoutSeconds, healthyThreshold: s.healthyThreshold, unhealthyThreshold: s.unhealthyThreshold };
}

/**
 * The network edge: certificates, the origin lock, the ALB (reachable only through CloudFront) and
 * the NLB (PROXY v2), CloudFront with its cache rules and WAF, the Route53 health checks (with
 * dnsFailover) and the site's records. Targets are nginx's NodePorts the settings name; whoever
 * runs the servers registers them in the target groups (LoadBalancerTargets, or a team's own).
 *
 * Its children answer to the URNs they have when declared at the stack's root (aliases), so a stack
 * deployed before the component existed replaces nothing.
 */
export class Edge extends pulumi.ComponentResource {
  public readonly alb: Alb;
  public readonly nlb: Nlb;
  public readonly cdn: Cdn;
  public readonly dns: Dns;
  /** With dnsFailover: the Route53 health checks of the site (through CloudFront) and the edge (NLB). */
  public readonly healthChecks?: HealthChecks;
  /** The load balancers' certificate (stack region) and CloudFront's (us-east-1). */
  public readonly certificates: { lb: ValidatedCertificate; cdn: ValidatedCertificate };

  constructor(name: string, args: EdgeArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:edge:Edge", name, {}, opts);
    const s = args.settings;
    const names = edgeNames(s);
    const healthCheck = loadBalancerHealthCheck(s);
    // The same resources declared at the stack's root: the aliases keep their URNs.
    const child: pulumi.ComponentResourceOptions = { parent: this, aliases: [{ parent: pulumi.rootStackResource }] };

    const lbCertificate = new ValidatedCertificate(
      "lb-certificate",
      { domainName: names.origin, subjectAlternativeNames: [names.edge], zoneId: args.zoneId, validationTtlSeconds: s.dnsTtlSeconds },
      child,
    );
    // CloudFront only takes certificates from us-east-1.
    const cdnCertificate = new ValidatedCertificate(
      "cdn-certificate",
      { domainName: names.apex, subjectAlternativeNames: [names.www], zoneId: args.zoneId, validationTtlSeconds: s.dnsTtlSeconds },
      { ...child, providers: { aws: args.usEast1 } },
    );
    const originLock = new OriginLock("origin-lock", child);

    const placement = {
      vpcId: args.network.vpcId,
      vpcCidrs: args.network.trustedCidrs,
      publicSubnetIds: args.network.publicSubnetIds,
      ipv6: args.network.ipv6,
      certificateArn: lbCertificate.certificateArn,
    };
    this.alb = new Alb(
      "alb",
      {
        ...placement,
        originVerifyHeader: originLock.header,
        targetNodePort: s.nginxHttpNodePort,
        idleTimeoutSeconds: s.albIdleTimeoutSeconds,
        deregistrationDelaySeconds: s.deregistrationDelaySeconds,
        stickinessSeconds: s.albStickinessSeconds,
        healthCheck,
        balancing: { algorithm: s.albLoadBalancingAlgorithm, anomalyMitigation: s.albAnomalyMitigation },
        isProd: s.isProd,
        blueGreen: s.nginxBlueGreen ? { greenTargetNodePort: s.nginxGreenHttpNodePort, weights: { blue: s.albBlueWeight, green: s.albGreenWeight } } : undefined,
      },
      child,
    );

    this.nlb = new Nlb(
      "nlb",
      {
        ...placement,
        tlsNodePort: s.nginxProxyProtocolNodePort,
        httpNodePort: s.nginxProxyProtocolHttpNodePort,
        healthCheckNodePort: s.nginxHttpNodePort,
        deregistrationDelaySeconds: s.deregistrationDelaySeconds,
        healthCheck,
        elasticIps: s.nlbElasticIps,
        isProd: s.isProd,
        // No weighted forward on an NLB: its listeners follow nlbColor (docs/traffic.md).
        blueGreen: s.nginxBlueGreen
          ? {
              green: { tlsNodePort: s.nginxGreenProxyProtocolNodePort, httpNodePort: s.nginxGreenProxyProtocolHttpNodePort, healthCheckNodePort: s.nginxGreenHttpNodePort },
              color: s.nlbColor,
            }
          : undefined,
      },
      child,
    );

    this.cdn = new Cdn(
      "cdn",
      { settings: s, aliases: [names.apex, names.www], certificateArn: cdnCertificate.certificateArn, appOriginDomainName: names.origin, originVerifyHeader: originLock.header, usEast1: args.usEast1 },
      child,
    );

    // Checked through public names only: the ALB admits CloudFront alone (see infra/dns/health-checks.ts).
    this.healthChecks = s.dnsFailover ? new HealthChecks("dns-health", { settings: s, endpoints: { site: this.cdn.domainName, edge: this.nlb.dnsName } }, child) : undefined;

    this.dns = new Dns(
      "dns",
      {
        settings: s,
        zoneId: args.zoneId,
        healthCheckIds: this.healthChecks?.ids,
        loadBalancersIpv6: args.network.ipv6,
        aliasTargets: {
          cdn: { dnsName: this.cdn.domainName, zoneId: this.cdn.hostedZoneId },
          alb: { dnsName: this.alb.dnsName, zoneId: this.alb.zoneId },
          nlb: { dnsName: this.nlb.dnsName, zoneId: this.nlb.zoneId },
        },
      },
      child,
    );
    this.certificates = { lb: lbCertificate, cdn: cdnCertificate };

    this.registerOutputs({ albDnsName: this.alb.dnsName, nlbDnsName: this.nlb.dnsName, distributionId: this.cdn.distributionId });
  }
}
