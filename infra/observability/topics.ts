import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import type { Severity } from "@edgestack/contract";
import { parseSubscription } from "../config/subscriptions";
import { customerManagedKeyPolicy } from "../kms";
import { accountRoot, arnOf, partitionOf, type Partition } from "../partition";

/** The AWS services that publish alerts to the topics: CloudWatch alarms and Amazon Managed Prometheus' alert manager. */
export const ALERT_PUBLISHERS = [
  { service: "cloudwatch.amazonaws.com", sourceArn: (p: Partition, region: string, account: string) => arnOf(p, "cloudwatch", region, account, "alarm:*") },
  { service: "aps.amazonaws.com", sourceArn: (p: Partition, region: string, account: string) => arnOf(p, "aps", region, account, "workspace/*") },
] as const;

/**
 * The key policy of the topics' key: the account administers it (IAM policies decide who else), and
 * the alert publishers may use it to encrypt what they publish, only on behalf of this account
 * (`aws:SourceAccount`), the confused-deputy guard.
 */
export function alertKeyPolicy(partition: Partition, account: string): string {
  return customerManagedKeyPolicy(partition, account, [
    {
      sid: "AlertPublishersEncrypt",
      principal: { Service: ALERT_PUBLISHERS.map((p) => p.service) },
      actions: ["kms:GenerateDataKey*", "kms:Decrypt"],
      condition: { StringEquals: { "aws:SourceAccount": account } },
    },
  ]);
}

/** The topic policy: the account owns the topic; the publishers may publish for this account's alarms and workspaces only. */
export function alertTopicPolicy(partition: Partition, topicArn: string, region: string, account: string): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "AccountOwns",
        Effect: "Allow",
        Principal: { AWS: accountRoot(partition, account) },
        Action: ["sns:GetTopicAttributes", "sns:SetTopicAttributes", "sns:AddPermission", "sns:RemovePermission", "sns:DeleteTopic", "sns:Subscribe", "sns:ListSubscriptionsByTopic", "sns:Publish"],
        Resource: topicArn,
      },
      ...ALERT_PUBLISHERS.map((p) => ({
        Sid: `Publish${p.service.split(".")[0]}`,
        Effect: "Allow",
        Principal: { Service: p.service },
        Action: "sns:Publish",
        Resource: topicArn,
        Condition: { StringEquals: { "aws:SourceAccount": account }, ArnLike: { "aws:SourceArn": p.sourceArn(partition, region, account) } },
      })),

    ],
  });
}

export interface AlertTopicsArgs {
  /** Physical name prefix (`<namePrefix>-alerts-<severity>`; the region is appended for a second set). */
  namePrefix: string;
  subscriptions: Record<Severity, readonly string[]>;
  /** Protect the key (prod): deleting it makes the topics undeliverable. */
  protect: boolean;
}

/**
 * The page and ticket topics of one region, encrypted with their own customer-managed key, with
 * the subscriptions from config. Alarms act on the topics of their own region.
 */
export class AlertTopics extends pulumi.ComponentResource {
  public readonly topicArns: Record<Severity, pulumi.Output<string>>;
  public readonly keyArn: pulumi.Output<string>;

  constructor(name: string, args: AlertTopicsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:observability:AlertTopics", name, {}, opts);
    const identity = aws.getCallerIdentityOutput({}, { parent: this });
    const region = aws.getRegionOutput({}, { parent: this });
    const partition = partitionOf({ parent: this });
    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: `${args.namePrefix}: encrypts the alert topics`,
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: pulumi.all([partition, identity.accountId]).apply(([p, account]) => alertKeyPolicy(p, account)),
      },
      { parent: this, protect: args.protect },
    );
    const topic = (severity: Severity) => {
      const t = new aws.sns.Topic(`${name}-${severity}`, { name: `${args.namePrefix}-${severity}`, kmsMasterKeyId: key.arn }, { parent: this });
      new aws.sns.TopicPolicy(
        `${name}-${severity}`,
        { arn: t.arn, policy: pulumi.all([partition, t.arn, region.region, identity.accountId]).apply(([p, arn, r, account]) => alertTopicPolicy(p, arn, r, account)) },
        { parent: this },
      );
      args.subscriptions[severity].forEach((entry, i) => {
        const { protocol, endpoint } = parseSubscription(entry);
        new aws.sns.TopicSubscription(`${name}-${severity}-${i}`, { topic: t.arn, protocol, endpoint }, { parent: this });
      });
      return t.arn;
    };
    this.topicArns = { page: topic("page"), ticket: topic("ticket") };
    this.keyArn = key.arn;
    this.registerOutputs({ topicArns: this.topicArns, keyArn: this.keyArn });
  }
}
