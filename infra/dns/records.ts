import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import { AliasTarget, DnsPlanInput, HealthCheckTarget, planDnsRecords } from "./record-values";

export interface AliasDestination {
  dnsName: pulumi.Input<string>;
  zoneId: pulumi.Input<string>;
}

/** The stack settings the records read: a program passes its StackConfig (or these fields of it). */
export type DnsSettings = Pick<
  StackConfig,
  | "domain"
  | "wwwSubdomain"
  | "originSubdomain"
  | "edgeSubdomain"
  | "dnsTtlSeconds"
  | "spfRecord"
  | "verificationTokens"
  | "srvService"
  | "srvPriority"
  | "srvWeight"
  | "srvPort"
  | "dnsFailover"
  | "dnsFailoverSecondaryDnsName"
  | "dnsFailoverSecondaryZoneId"
>;

/** The record plan's input from the stack settings. */
export function dnsPlanInput(s: DnsSettings, loadBalancersIpv6: boolean): DnsPlanInput {
  return {
    domain: s.domain,
    wwwSubdomain: s.wwwSubdomain,
    originSubdomain: s.originSubdomain,
    edgeSubdomain: s.edgeSubdomain,
    ttlSeconds: s.dnsTtlSeconds,
    spfRecord: s.spfRecord,
    verificationTokens: s.verificationTokens,
    srv: { service: s.srvService, priority: s.srvPriority, weight: s.srvWeight, port: s.srvPort },
    loadBalancersIpv6,
    ...(s.dnsFailover ? { failover: { secondaryZoneId: s.dnsFailoverSecondaryZoneId } } : {}),
  };
}

export interface DnsArgs {
  /** Domain, labels, TTL, TXT and SRV values. */
  settings: DnsSettings;
  /** The load balancers are dual-stack (AAAA aliases make sense). CloudFront always serves IPv6. */
  loadBalancersIpv6: boolean;
  zoneId: pulumi.Input<string>;
  /** Where the alias records point: the distribution and the two load balancers (the secondary comes from settings). */
  aliasTargets: Record<Exclude<AliasTarget, "secondary">, AliasDestination>;
  /** With settings.dnsFailover: the Route53 health checks of the PRIMARY records (HealthChecks.ids). */
  healthCheckIds?: Record<HealthCheckTarget, pulumi.Input<string>>;
}

/**
 * The site's public records (planned and checked in record-values.ts): apex and www to CloudFront,
 * origin to the ALB, the layer-4 name and its SRV record to the NLB, SPF/verification TXT and CAA.
 */
export class Dns extends pulumi.ComponentResource {
  /** Fully qualified names of every record set created here. */
  public readonly recordNames: string[];

  constructor(name: string, args: DnsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:dns:Dns", name, {}, opts);
    const specs = planDnsRecords(dnsPlanInput(args.settings, args.loadBalancersIpv6));
    const checks = args.healthCheckIds;
    if (args.settings.dnsFailover && !checks) throw new Error(`dns ${name}: dnsFailover needs the health check ids (HealthChecks.ids)`);
    const targets: Record<AliasTarget, AliasDestination> = {
      ...args.aliasTargets,
      secondary: { dnsName: args.settings.dnsFailoverSecondaryDnsName, zoneId: args.settings.dnsFailoverSecondaryZoneId },
    };
    const created = new Map<string, aws.route53.Record>();
    for (const spec of specs) {
      const target = spec.alias ? targets[spec.alias] : undefined;
      // A simple record and a failover record of one name and type cannot coexist: a SECONDARY is
      // created only after its PRIMARY (same logical name as the simple record it was) has switched
      // routing policy, which the provider does in one atomic change batch.
      const primary = spec.failover?.role === "SECONDARY" ? created.get(`${spec.name} ${spec.type} PRIMARY`) : undefined;
      const record = new aws.route53.Record(
        `${name}-${spec.key}`,
        {
          zoneId: args.zoneId,
          name: spec.name,
          type: spec.type,
          ...(target
            ? // Without failover, evaluateTargetHealth stays off: one simple record has nothing to fail over to.
              { aliases: [{ name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: spec.evaluateTargetHealth ?? false }] }
            : { ttl: spec.ttl, records: spec.records }),
          ...(spec.failover
            ? {
                setIdentifier: spec.failover.setIdentifier,
                failoverRoutingPolicies: [{ type: spec.failover.role }],
                ...(spec.failover.healthCheck ? { healthCheckId: checks![spec.failover.healthCheck] } : {}),
              }
            : {}),
        },
        { parent: this, dependsOn: primary ? [primary] : [] },
      );
      if (spec.failover) created.set(`${spec.name} ${spec.type} ${spec.failover.role}`, record);
    }
    this.recordNames = [...new Set(specs.map((s) => s.name))];
    this.registerOutputs({ recordNames: this.recordNames });
  }
}
