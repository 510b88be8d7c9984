import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicyOutput } from "../cluster/irsa";
import { customerManagedKeyPolicy } from "../kms";
import { arnOf, partitionOf, regionalServiceName, type Partition } from "../partition";

/**
 * Container Insights and container logs: the `amazon-cloudwatch-observability` EKS add-on (the
 * CloudWatch agent for node and pod metrics, Fluent Bit for container logs) with an IRSA role that
 * may write only to this cluster's Container Insights log groups, and those log groups created
 * first with the configured retention and a customer-managed key — the add-on would otherwise create
 * them itself, unencrypted and kept forever.
 */

/** The log groups the add-on writes to (`/aws/containerinsights/<cluster>/<kind>`). */
export const CONTAINER_INSIGHTS_LOG_KINDS = ["application", "dataplane", "host", "performance"] as const;
export const containerInsightsLogGroupName = (clusterName: string, kind: (typeof CONTAINER_INSIGHTS_LOG_KINDS)[number]) => `/aws/containerinsights/${clusterName}/${kind}`;

/** The add-on's service account (its agent and Fluent Bit both run as it). */
export const CLOUDWATCH_AGENT_SERVICE_ACCOUNT = { namespace: "amazon-cloudwatch", name: "cloudwatch-agent" } as const;

const logGroupsArn = (partition: Partition, region: string, account: string, clusterName: string) => arnOf(partition, "logs", region, account, `log-group:/aws/containerinsights/${clusterName}/*`);

/** The log key's policy: the account administers it; CloudWatch Logs uses it for this cluster's Container Insights groups only. */
export function containerLogKeyPolicy(partition: Partition, region: string, account: string, clusterName: string): string {
  return customerManagedKeyPolicy(
    partition,
    account,
    [
      {
        sid: "LogsEncryptTheseGroups",
        // CloudWatch Logs' principal is regional, with the partition's suffix.
        principal: { Service: regionalServiceName(partition, "logs", region) },
        // Only the data-key calls: they carry the encryption context (a Describe call has none, so the condition never admits it).
        actions: ["kms:Encrypt*", "kms:Decrypt*", "kms:ReEncrypt*", "kms:GenerateDataKey*"],
        condition: { StringLike: { "kms:EncryptionContext:aws:logs:arn": logGroupsArn(partition, region, account, clusterName) } },
      },
    ],
  );
}

/**
 * What the agent and Fluent Bit may do: write events to streams of this cluster's Container Insights
 * groups (which exist: no CreateLogGroup, no PutRetentionPolicy, so neither retention nor the key can
 * be changed from the cluster), publish metrics in the ContainerInsights namespace only, and read
 * the instance facts they label metrics with (EC2's Describe calls take no resource).
 */
export function cloudwatchAgentPolicy(partition: Partition, region: string, account: string, clusterName: string): string {
  const groups = logGroupsArn(partition, region, account, clusterName);
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "WriteContainerInsightsLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [groups, `${groups}:log-stream:*`] },
      // DescribeLogGroups takes no resource (IAM's catalogue: "*" only).
      { Sid: "FindTheGroups", Effect: "Allow", Action: "logs:DescribeLogGroups", Resource: "*" },
      { Sid: "ContainerInsightsMetrics", Effect: "Allow", Action: "cloudwatch:PutMetricData", Resource: "*", Condition: { StringEquals: { "cloudwatch:namespace": "ContainerInsights" } } },
      { Sid: "InstanceFacts", Effect: "Allow", Action: ["ec2:DescribeInstances", "ec2:DescribeTags", "ec2:DescribeVolumes"], Resource: "*" },
    ],
  });
}

export interface ContainerInsightsArgs {
  /** The cluster's physical name (the log groups and metrics are named by it). */
  clusterName: pulumi.Input<string>;
  oidcProviderArn: pulumi.Input<string>;
  oidcIssuerUrl: pulumi.Input<string>;
  addonVersion: string;
  logRetentionDays: number;
  /** Protect the key and the log groups (prod). */
  protect: boolean;
  /** What the add-on must wait for (the nodes its pods run on). */
  dependsOn?: pulumi.Input<pulumi.Resource>[];
}

export class ContainerInsights extends pulumi.ComponentResource {
  public readonly logGroupNames: pulumi.Output<string>[];
  public readonly addonName: pulumi.Output<string>;

  constructor(name: string, args: ContainerInsightsArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:observability:ContainerInsights", name, {}, opts);
    const child = { parent: this };
    const identity = aws.getCallerIdentityOutput({}, child);
    const region = aws.getRegionOutput({}, child).region;
    const partition = partitionOf(child);
    const facts = pulumi.all([partition, region, identity.accountId, pulumi.output(args.clusterName)]);

    const key = new aws.kms.Key(
      `${name}-key`,
      {
        description: "Container Insights: encrypts the cluster's container and node logs",
        enableKeyRotation: true,
        deletionWindowInDays: 30,
        policy: facts.apply(([p, r, a, c]) => containerLogKeyPolicy(p, r, a, c)),
      },
      { parent: this, protect: args.protect },
    );
    const groups = CONTAINER_INSIGHTS_LOG_KINDS.map(
      (kind) =>
        new aws.cloudwatch.LogGroup(
          `${name}-${kind}`,
          { name: pulumi.output(args.clusterName).apply((c) => containerInsightsLogGroupName(c, kind)), retentionInDays: args.logRetentionDays, kmsKeyId: key.arn },
          { parent: this, protect: args.protect },
        ),
    );
    const role = new aws.iam.Role(
      `${name}-agent`,
      {
        description: "amazon-cloudwatch-observability add-on (IRSA): Container Insights metrics and container logs",
        assumeRolePolicy: serviceAccountTrustPolicyOutput(args.oidcProviderArn, args.oidcIssuerUrl, CLOUDWATCH_AGENT_SERVICE_ACCOUNT),
      },
      child,
    );
    const policy = new aws.iam.RolePolicy(`${name}-agent`, { role: role.id, name: "container-insights", policy: facts.apply(([p, r, a, c]) => cloudwatchAgentPolicy(p, r, a, c)) }, child);
    const addon = new aws.eks.Addon(
      `${name}-addon`,
      {
        clusterName: args.clusterName,
        addonName: "amazon-cloudwatch-observability",
        addonVersion: args.addonVersion,
        serviceAccountRoleArn: role.arn,
        // Container logs on (Fluent Bit); the agent's enhanced observability publishes the node metrics the alarms read.
        configurationValues: JSON.stringify({ containerLogs: { enabled: true } }),
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      { parent: this, dependsOn: [...groups, policy, ...(args.dependsOn ?? [])] },
    );
    this.logGroupNames = groups.map((g) => g.name);
    this.addonName = addon.addonName;
    this.registerOutputs({ logGroupNames: this.logGroupNames, addonName: this.addonName });
  }
}
