import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { KUBERNETES_API_PORT, RUNNER_ENVIRONMENT, runnerRolePolicy, runnerTrustPolicy } from "./settings";

export interface CiRunnerArgs {
  /** CodeBuild project name (ciRunnerProjectName); the workflow's `runs-on` label names it. */
  projectName: string;
  vpcId: pulumi.Input<string>;
  /** The private subnets the cluster's control plane ENIs live in. */
  privateSubnetIds: pulumi.Input<string>[];
  /** The control plane ENIs' security group: opened to the runner on 443. */
  clusterSecurityGroupId: pulumi.Input<string>;
  /** owner/name of the GitHub repository whose workflow jobs the runner takes. */
  repository: string;
  /** CodeConnections connection to GitHub. */
  connectionArn: string;
  logRetentionDays: number;
  /** Prod: `protect` the build log group (the record of what deployed prod). */
  isProd: boolean;
}

/**
 * A GitHub Actions runner inside the VPC: a CodeBuild project in the private subnets (outbound
 * through the NAT gateways), started by a webhook for each queued workflow job that names it, and
 * allowed to the cluster's private API endpoint on 443. It carries no AWS permissions beyond its
 * logs and network interfaces: jobs get their role from GitHub's OIDC token, as on any runner.
 */
export class CiRunner extends pulumi.ComponentResource {
  public readonly projectName: pulumi.Output<string>;
  public readonly securityGroupId: pulumi.Output<string>;

  constructor(name: string, args: CiRunnerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:ci:Runner", name, {}, opts);
    const child = { parent: this };
    const identity = aws.getCallerIdentityOutput({}, child);
    const partition = aws.getPartitionOutput({}, child).partition;
    const region = aws.getRegionOutput({}, child).region;

    const securityGroup = new aws.ec2.SecurityGroup(
      `${name}-sg`,
      { vpcId: args.vpcId, description: `${args.projectName}: CI runner`, tags: { Name: args.projectName } },
      child,
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-to-api`,
      { securityGroupId: securityGroup.id, referencedSecurityGroupId: args.clusterSecurityGroupId, ipProtocol: "tcp", fromPort: KUBERNETES_API_PORT, toPort: KUBERNETES_API_PORT, description: "Kubernetes API" },
      child,
    );
    // GitHub, the Pulumi backend, npm and AWS APIs, through NAT.
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-https-out`,
      { securityGroupId: securityGroup.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "HTTPS out (GitHub, Pulumi, npm, AWS APIs)" },
      child,
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-from-runner`,
      {
        securityGroupId: args.clusterSecurityGroupId,
        referencedSecurityGroupId: securityGroup.id,
        ipProtocol: "tcp",
        fromPort: KUBERNETES_API_PORT,
        toPort: KUBERNETES_API_PORT,
        description: "Kubernetes API from the CI runner",
      },
      child,
    );

    const logGroup = new aws.cloudwatch.LogGroup(
      `${name}-logs`,
      { name: `/aws/codebuild/${args.projectName}`, retentionInDays: args.logRetentionDays },
      { parent: this, protect: args.isProd },
    );
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `${args.projectName}: CodeBuild runner`,
        assumeRolePolicy: pulumi
          .all([partition, region, identity.accountId])
          .apply(([p, r, accountId]) => runnerTrustPolicy({ partition: p, region: r, accountId, projectName: args.projectName })),
      },
      child,
    );
    const subnetArns = pulumi
      .all([partition, region, identity.accountId, pulumi.all(args.privateSubnetIds)])
      .apply(([p, r, account, ids]) => ids.map((id) => `arn:${p}:ec2:${r}:${account}:subnet/${id}`));
    const policy = new aws.iam.RolePolicy(
      `${name}-policy`,
      {
        role: role.id,
        policy: pulumi
          .all([logGroup.arn, subnetArns, securityGroup.arn, partition, region, identity.accountId])
          .apply(([logGroupArn, arns, securityGroupArn, p, r, accountId]) => runnerRolePolicy({ logGroupArn, subnetArns: arns, securityGroupArn, partition: p, region: r, accountId })),
      },
      child,
    );

    const project = new aws.codebuild.Project(
      `${name}-project`,
      {
        name: args.projectName,
        description: `GitHub Actions runner for ${args.repository} inside the cluster's VPC`,
        serviceRole: role.arn,
        artifacts: { type: "NO_ARTIFACTS" },
        environment: { ...RUNNER_ENVIRONMENT, privilegedMode: false },
        source: { type: "GITHUB", location: `https://github.com/${args.repository}.git`, auth: { type: "CODECONNECTIONS", resource: args.connectionArn } },
        vpcConfig: { vpcId: args.vpcId, subnets: args.privateSubnetIds, securityGroupIds: [securityGroup.id] },
        logsConfig: { cloudwatchLogs: { groupName: logGroup.name, status: "ENABLED" } },
        buildTimeout: 60,
      },
      { parent: this, dependsOn: [policy] },
    );
    new aws.codebuild.Webhook(
      `${name}-webhook`,
      { projectName: project.name, buildType: "BUILD", filterGroups: [{ filters: [{ type: "EVENT", pattern: "WORKFLOW_JOB_QUEUED" }] }] },
      child,
    );

    this.projectName = project.name;
    this.securityGroupId = securityGroup.id;
    this.registerOutputs({ projectName: this.projectName, securityGroupId: this.securityGroupId });
  }
}
