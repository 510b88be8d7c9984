import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { StackConfig } from "../config/schema";
import { AliasTarget, DnsPlanInput, planDnsRecords } from "./record-values";

export interface AliasDestination {
  dnsName: pulumi.Input<string>;
  zoneId: pulumi.Input<string>;
}

/** The stack settings the records read: a program passes its StackConfig (or these fields of it). */
export type DnsSettings = Pick<
  StackConfig,
  "domain" | "wwwSubdomain" | "originSubdomain" | "edgeSubdomain" | "dnsTtlSeconds" | "spfRecord" | "verificationTokens" | "srvService" | "srvPriority" | "srvWeight" | "srvPort"
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
  };
}

export interface DnsArgs {
  /** Domain, labels, TTL, TXT and SRV values. */
  settings: DnsSettings;
  /** The load balancers are dual-stack (AAAA aliases make sense). CloudFront always serves IPv6. */
  loadBalancersIpv6: boolean;
  zoneId: pulumi.Input<string>;
  /** Where the alias records point: the distribution and the two load balancers. */
  aliasTargets: Record<AliasTarget, AliasDestination>;
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
    for (const spec of specs) {
      const target = spec.alias ? args.aliasTargets[spec.alias] : undefined;
      new aws.route53.Record(
        `${name}-${spec.key}`,
        {
          zoneId: args.zoneId,
          name: spec.name,
          type: spec.type,
          ...(target
            ? // Health is the load balancer's and CloudFront's job; alias health evaluation would only
              // add a failure mode (an all-unhealthy answer) with no second target to fail over to.
              { aliases: [{ name: target.dnsName, zoneId: target.zoneId, evaluateTargetHealth: false }] }
            : { ttl: spec.ttl, records: spec.records }),
        },
        { parent: this },
      );
    }
    this.recordNames = [...new Set(specs.map((s) => s.name))];
    this.registerOutputs({ recordNames: this.recordNames });
  }
}
