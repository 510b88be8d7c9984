import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

export interface HostedZoneArgs {
  domain: string;
  /** Create the zone; false looks up the existing public zone named after the domain. */
  create: boolean;
  /** `protect` a created zone (prod): deleting it would take the whole domain offline. */
  protect: boolean;
}

/** The Route53 public hosted zone every record and certificate validation goes into. */
export class HostedZone extends pulumi.ComponentResource {
  public readonly zoneId: pulumi.Output<string>;
  public readonly name: string;
  /** Delegate the domain to these when the zone is new. */
  public readonly nameServers: pulumi.Output<string[]>;

  constructor(name: string, args: HostedZoneArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:dns:Zone", name, {}, opts);
    this.name = args.domain;
    if (args.create) {
      const zone = new aws.route53.Zone(
        `${name}-zone`,
        { name: args.domain, comment: "edgestack public zone", forceDestroy: false },
        { parent: this, protect: args.protect },
      );
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
    } else {
      const zone = aws.route53.getZoneOutput({ name: args.domain, privateZone: false }, { parent: this });
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
    }
    this.registerOutputs({ zoneId: this.zoneId });
  }
}
