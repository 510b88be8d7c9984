/**
 * Pure rules for the CI runner that reaches the Kubernetes API from inside the VPC: a CodeBuild
 * project registered as a GitHub Actions runner (docs/decisions/0004-ci-runner-in-the-vpc.md).
 */

import { physicalNamePrefix, type Naming } from "../naming";

/** The CodeBuild project (runner) name of a stack, from its name prefix: 2–150 of letters, digits, '-' and '_'. */
export function ciRunnerProjectName(naming: Naming): string {
  return `${physicalNamePrefix(naming)}-ci-runner`.replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 150);
}

/**
 * The `runs-on` label a workflow job uses to run on that project: CodeBuild takes the queued job
 * whose label names it, one build per job run and attempt.
 */
export function ciRunnerLabel(projectName: string): string {
  return `codebuild-${projectName}-\${{ github.run_id }}-\${{ github.run_attempt }}`;
}

/** The project a `runs-on` label names, or undefined when it is not a CodeBuild runner label. */
export function projectOfRunnerLabel(label: string): string | undefined {
  return /^codebuild-([A-Za-z0-9_-]+)-\$\{\{ github\.run_id \}\}-\$\{\{ github\.run_attempt \}\}$/.exec(label)?.[1];
}

/** The runner's build image and size: it runs npm, the Pulumi CLI and kubectl-free deploys (no Docker). */
export const RUNNER_ENVIRONMENT = {
  type: "LINUX_CONTAINER",
  image: "aws/codebuild/amazonlinux-x86_64-standard:5.0",
  computeType: "BUILD_GENERAL1_MEDIUM",
} as const;

/** The Kubernetes API's port on the control plane ENIs. */
export const KUBERNETES_API_PORT = 443;

/**
 * The runner role's trust: CodeBuild, for this account's runner project only (aws:SourceAccount and
 * aws:SourceArn), so no other account's or project's build can assume it through the service.
 */
export function runnerTrustPolicy(args: { partition: string; region: string; accountId: string; projectName: string }): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Effect: "Allow",
        Principal: { Service: "codebuild.amazonaws.com" },
        Action: "sts:AssumeRole",
        Condition: {
          StringEquals: { "aws:SourceAccount": args.accountId },
          ArnLike: { "aws:SourceArn": `arn:${args.partition}:codebuild:${args.region}:${args.accountId}:project/${args.projectName}` },
        },
      },
    ],
  });
}

/**
 * The runner role's permissions: its own log group, and the network-interface calls CodeBuild
 * makes to place a build in the VPC's subnets. The Describe calls take no resource ARN; creating an
 * interface is limited to the runner's subnets and security group, deleting one and the interface
 * permission to this account's interfaces in the region (the permission also to CodeBuild and the
 * runner's subnets).
 */
export function runnerRolePolicy(args: { logGroupArn: string; subnetArns: string[]; securityGroupArn: string; partition: string; region: string; accountId: string }): string {
  const interfaces = `arn:${args.partition}:ec2:${args.region}:${args.accountId}:network-interface/*`;
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      { Sid: "Logs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: [`${args.logGroupArn}:*`] },
      {
        Sid: "VpcDescribe",
        Effect: "Allow",
        Action: ["ec2:DescribeDhcpOptions", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcs"],
        Resource: "*",
      },
      { Sid: "RunnerInterfaces", Effect: "Allow", Action: ["ec2:CreateNetworkInterface"], Resource: [interfaces, ...args.subnetArns, args.securityGroupArn] },
      { Sid: "RunnerInterfacesCleanup", Effect: "Allow", Action: ["ec2:DeleteNetworkInterface"], Resource: interfaces },
      {
        Sid: "VpcInterfaces",
        Effect: "Allow",
        Action: ["ec2:CreateNetworkInterfacePermission"],
        Resource: interfaces,
        Condition: { StringEquals: { "ec2:AuthorizedService": "codebuild.amazonaws.com" }, ArnEquals: { "ec2:Subnet": args.subnetArns } },
      },
    ],
  });
}
