import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { customerManagedKeyPolicy } from "../kms";
import { arnOf, partitionOf, type Partition } from "../partition";

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
  /** Child zones (of other stacks) this zone delegates to: name → their name servers, and their DS record when they sign. */
  childDelegations?: { name: string; nameServers: string[]; dsRecord?: string }[];
  /** Sign the zone with DNSSEC; the KMS key Route53 signs with must live in us-east-1 (this provider). */
  dnssec?: { usEast1: aws.Provider; protect: boolean };
}

/** The name of the zone's key-signing key (Route53: letters, digits and underscores). */
export const KEY_SIGNING_KEY_NAME = "edgestack_ksk";

/**
 * The signing key's policy: the account administers it (IAM decides who), and Route53's DNSSEC
 * service may read its public key, sign and create grants only for this account's hosted zones
 * (aws:SourceAccount and aws:SourceArn: no other account can make Route53 sign with it).
 */
export function dnssecKeyPolicy(partition: Partition, accountId: string): string {
  const scoped = { StringEquals: { "aws:SourceAccount": accountId }, ArnLike: { "aws:SourceArn": arnOf(partition, "route53", "", "", "hostedzone/*") } };
  const route53 = { Service: "dnssec-route53.amazonaws.com" };
  return customerManagedKeyPolicy(
    partition,
    accountId,
    [
      { sid: "Route53DnssecSigns", principal: route53, actions: ["kms:DescribeKey", "kms:GetPublicKey", "kms:Sign"], condition: scoped },
      { sid: "Route53DnssecGrants", principal: route53, actions: "kms:CreateGrant", condition: { ...scoped, Bool: { "kms:GrantIsForAWSResource": "true" } } },
    ],
  );
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
  /** With DNSSEC: the zone's DS record (`<key tag> 13 2 <digest>`), for the parent zone or the registrar. */
  public readonly dsRecord: pulumi.Output<string> | undefined;
  /** With DNSSEC: the signed zone's id (its DNSSEC alarms' dimension). */
  public readonly signedZoneId: pulumi.Output<string> | undefined;

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
        // The child signs its zone: its DS record here carries the chain of trust down to it.
        if (child.dsRecord) {
          new aws.route53.Record(`${name}-delegate-${label}-ds`, { zoneId, name: child.name, type: "DS", ttl: args.delegationTtlSeconds, records: [child.dsRecord] }, { parent: this });
        }
      }
    };
    // DNSSEC: a signing key in us-east-1, the zone's key-signing key, then signing. Returns the DS record.
    const sign = (zoneId: pulumi.Input<string>) => {
      if (!args.dnssec) return undefined;
      const identity = aws.getCallerIdentityOutput({}, { parent: this });
      const partition = partitionOf({ parent: this });
      const key = new aws.kms.Key(
        `${name}-dnssec-key`,
        {
          description: `DNSSEC key-signing key of ${args.domain}`,
          customerMasterKeySpec: "ECC_NIST_P256",
          keyUsage: "SIGN_VERIFY",
          deletionWindowInDays: 30,
          policy: pulumi.all([identity.accountId, partition]).apply(([account, p]) => dnssecKeyPolicy(p, account)),
        },
        { parent: this, provider: args.dnssec.usEast1, protect: args.dnssec.protect },
      );
      const ksk = new aws.route53.KeySigningKey(`${name}-ksk`, { hostedZoneId: zoneId, keyManagementServiceArn: key.arn, name: KEY_SIGNING_KEY_NAME, status: "ACTIVE" }, { parent: this });
      const signing = new aws.route53.HostedZoneDnsSec(`${name}-dnssec`, { hostedZoneId: ksk.hostedZoneId, signingStatus: "SIGNING" }, { parent: this, dependsOn: [ksk] });
      return { dsRecord: ksk.dsRecord, signing };
    };
    if (!args.create) {
      if (args.parent) throw new Error(`zone ${args.domain}: a parent zone only applies to a zone this stack creates`);
      const zone = aws.route53.getZoneOutput({ name: args.domain, privateZone: false }, { parent: this });
      delegateChildren(zone.zoneId);
      const signed = sign(zone.zoneId);
      this.dsRecord = signed?.dsRecord;
      this.signedZoneId = signed?.signing.hostedZoneId;
      this.zoneId = zone.zoneId;
      this.nameServers = zone.nameServers;
      this.delegation = undefined;
      this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, dsRecord: this.dsRecord });
      return;
    }
    const zone = new aws.route53.Zone(`${name}-zone`, { name: args.domain, comment: "edgestack public zone", forceDestroy: false }, { parent: this, protect: args.protect });
    delegateChildren(zone.zoneId);
    const signed = sign(zone.zoneId);
    this.dsRecord = signed?.dsRecord;
    this.signedZoneId = signed?.signing.hostedZoneId;
    this.nameServers = zone.nameServers;
    if (args.parent) {
      const parentZoneId =
        "zoneId" in args.parent ? pulumi.output(args.parent.zoneId) : aws.route53.getZoneOutput({ name: args.parent.name, privateZone: false }, { parent: this }).zoneId;
      this.delegation = new aws.route53.Record(
        `${name}-delegation`,
        { zoneId: parentZoneId, name: args.domain, type: "NS", ttl: args.delegationTtlSeconds, records: zone.nameServers },
        { parent: this, protect: args.protect },
      );
      // The DS record goes to the parent once the zone is signed (a DS before signing would make validating resolvers fail it).
      if (signed) {
        new aws.route53.Record(
          `${name}-ds`,
          { zoneId: parentZoneId, name: args.domain, type: "DS", ttl: args.delegationTtlSeconds, records: [signed.dsRecord] },
          { parent: this, protect: args.protect, dependsOn: [signed.signing] },
        );
      }
      // Resolves after the delegation exists: dependants of zoneId wait for it.
      this.zoneId = pulumi.all([zone.zoneId, this.delegation.id]).apply(([zoneId]) => zoneId);
    } else {
      this.delegation = undefined;
      this.zoneId = zone.zoneId;
    }
    this.registerOutputs({ zoneId: this.zoneId, nameServers: this.nameServers, dsRecord: this.dsRecord });
  }
}
