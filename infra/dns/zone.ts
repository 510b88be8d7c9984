import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** The parent zone (same account) a new zone is delegated from: by id, or looked up by name. */
export type ParentZone = { zoneId: string } | { name: string };

export interface HostedZoneArgs {
  domain: string;
  /** Create the zone; false looks up the existing public zone named after the domain. */
  create: boolean;
  /** `protect` a created zone (prod): deleting it would take the whole domain offline. */
  protect: boolean;
  /** With `create`: write the NS delegation into this zone. */
  parent?: ParentZone;
  /** TTL of the delegation NS record. */
  delegationTtlSeconds: number;
  /** Child zones (of other stacks) this zone delegates to: name → their name servers. */
  childDelegations?: { name: string; nameServers: string[] }[];
}

/**
 * The Route53 public hosted zone every record and certificate validation goes into. A new zone
 * answers only once its parent delegates to it; with a parent zone in this account the delegation
 * is written here, and `zoneId` resolves only after it exists, so every record and certificate
 * validation that uses it waits for the delegation (ACM cannot validate through an undelegated zone).
 */
export class HostedZone extends pulumi.ComponentResource {
  /** The zone's id, dependent on the delegation record when one is written: use it for records. */
  public readonly zoneId: pulumi.Output<string>;
  public readonly name: string;
  /** The zone's name servers: what the parent (or registrar) must delegate to. */
  public readonly nameServers: pulumi.Output<string[]>;
  /** The NS record in the parent zone, when the stack writes the delegation. */
  public readonly delegation: aws.route53.Record | undefined;

  constructor(name: string, args: HostedZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:dns:Zone", name, {}, opts);
    this.name = args.domain;
    const delegateChildren = (zoneId: pulumi.Input<string>) => {
      for (const child of args.childDelegations ?? []) {
        const label = child.name.slice(0, -(args.domain.length + 1)).replace(/\./g, "-");
        new aws.route53.Record(
          `${name}-delegate-${label}`,
          { zoneId, name: child.name, type: "NS", ttl: args.delegationTtlSeconds, records: [...child.nameServers] },
          { parent: this },
        );
      }
    };
    if (!args.create) {
      if (args.parent) throw new Error(`zone ${args.domain}: a parent zone only applies to a zone this stack creates`);
      const zone = aws.route53.getZoneOutput({ name: args.domain, privateZone: false }, { parent: this });
      delegateChildren(zone.zoneId);
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
      this.delegation = undefined;
      this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers });
      return;
    }
    const zone = new aws.route53.Zone(`${name}-zone`, { name: args.domain, comment: "edgestack public zone", forceDestroy: false }, { parent: this, protect: args.protect });
    delegateChildren(zone.zoneId);
    this.nameServers = zone.nameServers;
    if (args.parent) {
      const parentZoneId =
        "zoneId" in args.parent ? pulumi.output(args.parent.zoneId) : aws.route53.getZoneOutput({ name: args.parent.name, privateZone: false }, { parent: this }).zoneId;
      this.delegation = new aws.route53.Record(
        `${name}-delegation`,
        { zoneId: parentZoneId, name: args.domain, type: "NS", ttl: args.delegationTtlSeconds, records: zone.nameServers },
        { parent: this, protect: args.protect },
      );
      // Resolves after the delegation exists: dependants of zoneId wait for it.
      this.zoneId = pulumi.all([zone.zoneId, this.delegation.id]).apply(([zoneId]) => zoneId);
    } else {
      this.delegation = undefined;
      this.zoneId = zone.zoneId;
    }
    this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers });
  }
}
