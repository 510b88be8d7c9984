import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ConfigError } from "../config/schema";
import { existingVpcProblems, ipv6Subnet64, planSubnets, vpcCidrBlocks } from "./cidr";

export interface VpcArgs {
  /** Use this VPC instead of creating one; then both subnet id lists are required. */
  existingVpcId?: pulumi.Input<string>;
  existingPublicSubnetIds?: pulumi.Input<string>[];
  existingPrivateSubnetIds?: pulumi.Input<string>[];
  /** CIDR of a new VPC; with an existing VPC, the configured value its primary IPv4 block (as read from AWS) must be. */
  cidrBlock: string;
  /** How many AZs a new VPC spans (>= 2). */
  availabilityZoneCount: number;
  /** "single" NAT gateway or one "perAz". */
  natGateways: "single" | "perAz";
  /** Names the flow-log group of a new VPC (physical names start with the stack's prefix). */
  flowLogGroupName: string;
  /** Prod keeps flow logs longer and protects their group from deletion. */
  isProd: boolean;
}

/**
 * The network: a VPC with one public and one private subnet per availability zone, an internet
 * gateway, NAT for the private subnets and their route tables, and flow logs of every accepted and
 * rejected connection (CloudWatch Logs, delivered through a role only the flow-logs service of this
 * account may assume, writing only to that group); or an existing VPC's ids passed through (its
 * owner runs its flow logs).
 * New VPCs are dual-stack so the ALB and NLB can serve IPv6 (AAAA records).
 */
export class Vpc extends pulumi.ComponentResource {
  public readonly vpcId: pulumi.Output<string>;
  public readonly cidrBlock: pulumi.Output<string>;
  /**
   * Every address block of the VPC, IPv4 then IPv6: of an existing VPC as read from AWS (primary and
   * secondary blocks), of a new one its block and the IPv6 block AWS assigns. What trusts "the VPC"
   * (NetworkPolicies' peers) trusts all of them.
   */
  public readonly cidrBlocks: pulumi.Output<string[]>;
  /**
   * The blocks traffic from inside the VPC comes from, for what trusts it: nginx's real-IP and
   * liveness ranges, the app's trusted proxies, the load balancers' egress to the nginx NodePorts.
   * Of an existing VPC every block as read from AWS (primary and secondary IPv4, then IPv6); of a new
   * one its IPv4 block (its nodes and load balancers reach nginx over IPv4, and its IPv6 block is
   * only known once AWS assigns it). Known in a preview either way.
   */
  public readonly trustedCidrs: pulumi.Output<string[]>;
  public readonly publicSubnetIds: pulumi.Output<string>[];
  public readonly privateSubnetIds: pulumi.Output<string>[];
  /** IPv4 CIDRs of the private subnets (worker nodes, ElastiCache). */
  public readonly privateSubnetCidrs: pulumi.Output<string>[];
  /** Whether the subnets have IPv6 (new VPCs do; an existing VPC is assumed IPv4-only). */
  public readonly ipv6: boolean;
  /** The NAT gateways this component created (none for an existing VPC): their alarms need the ids. */
  public readonly natGatewayIds: pulumi.Output<string>[];
  /** The flow-log group of a VPC this component created; undefined for an existing VPC. */
  public readonly flowLogGroupName?: pulumi.Output<string>;

  constructor(name: string, args: VpcArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:network:Vpc", name, {}, opts);

    if (args.existingVpcId) {
      const existing = aws.ec2.getVpcOutput({ id: args.existingVpcId }, { parent: this });
      const subnetIds = [...(args.existingPublicSubnetIds ?? []), ...(args.existingPrivateSubnetIds ?? [])];
      const subnets = subnetIds.map((id) => aws.ec2.getSubnetOutput({ id }, { parent: this }));
      // Values read from AWS win over configured ones, and a configured one they contradict stops
      // the run, naming both: every consumer of the VPC's address space (nginx's trusted ranges, the
      // app's trusted proxies, the load balancers' egress, the NetworkPolicies) reads the blocks
      // from here; the configured vpcCidr (what the checks at program start used) must be the primary.
      const checked = pulumi.all([existing, pulumi.all(subnets)]).apply(([vpc, found]) => {
        const problems = existingVpcProblems(
          { vpcCidr: args.cidrBlock, vpcId: vpc.id },
          { id: vpc.id, cidrBlock: vpc.cidrBlock, cidrBlockAssociations: vpc.cidrBlockAssociations, ipv6CidrBlock: vpc.ipv6CidrBlock },
          found.map((s) => ({ id: s.id, vpcId: s.vpcId, cidrBlock: s.cidrBlock })),
        );
        if (problems.length > 0) throw new ConfigError(problems);
        return vpc;
      });
      this.vpcId = existing.id;
      this.cidrBlock = checked.cidrBlock;
      this.cidrBlocks = checked.apply((vpc) => {
        const blocks = vpcCidrBlocks({ id: vpc.id, cidrBlock: vpc.cidrBlock, cidrBlockAssociations: vpc.cidrBlockAssociations, ipv6CidrBlock: vpc.ipv6CidrBlock });
        return [...blocks.ipv4, ...blocks.ipv6];
      });
      this.trustedCidrs = this.cidrBlocks;
      this.publicSubnetIds = (args.existingPublicSubnetIds ?? []).map((id) => pulumi.output(id));
      this.privateSubnetIds = (args.existingPrivateSubnetIds ?? []).map((id) => pulumi.output(id));
      const privateOffset = (args.existingPublicSubnetIds ?? []).length;
      this.privateSubnetCidrs = this.privateSubnetIds.map((_, i) => subnets[privateOffset + i]!.cidrBlock);
      this.ipv6 = false;
      this.natGatewayIds = [];
      this.registerOutputs({ vpcId: this.vpcId });
      return;
    }

    const zones = aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this });
    const plan = planSubnets(args.cidrBlock, args.availabilityZoneCount);

    const vpc = new aws.ec2.Vpc(
      `${name}-vpc`,
      {
        cidrBlock: args.cidrBlock,
        assignGeneratedIpv6CidrBlock: true,
        enableDnsHostnames: true,
        enableDnsSupport: true,
        tags: { Name: `${name}-vpc` },
      },
      { parent: this },
    );
    // Adopt the VPC's default security group and strip its rules, so nothing can fall back to it.
    new aws.ec2.DefaultSecurityGroup(`${name}-default-sg`, { vpcId: vpc.id, tags: { Name: `${name}-default-locked` } }, { parent: this });
    const igw = new aws.ec2.InternetGateway(`${name}-igw`, { vpcId: vpc.id, tags: { Name: `${name}-igw` } }, { parent: this });
    // Private subnets reach out over IPv6 through an egress-only gateway: no inbound path exists.
    const eigw = new aws.ec2.EgressOnlyInternetGateway(`${name}-eigw`, { vpcId: vpc.id, tags: { Name: `${name}-eigw` } }, { parent: this });

    const publicRoutes = new aws.ec2.RouteTable(
      `${name}-public-rt`,
      {
        vpcId: vpc.id,
        routes: [
          { cidrBlock: "0.0.0.0/0", gatewayId: igw.id },
          { ipv6CidrBlock: "::/0", gatewayId: igw.id },
        ],
        tags: { Name: `${name}-public` },
      },
      { parent: this },
    );

    const publicSubnets = plan.publicCidrs.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-public-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: cidr,
          ipv6CidrBlock: vpc.ipv6CidrBlock.apply((block) => ipv6Subnet64(block, i)),
          assignIpv6AddressOnCreation: true,
          availabilityZone: zones.names[i],
          // Load balancers and NAT gateways live here; instances never get public IPv4 addresses.
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-public-${i}`, "kubernetes.io/role/elb": "1" },
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: subnet.id, routeTableId: publicRoutes.id }, { parent: this });
      return subnet;
    });

    const natCount = args.natGateways === "perAz" ? args.availabilityZoneCount : 1;
    const nats = Array.from({ length: natCount }, (_, i) => {
      const eip = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags: { Name: `${name}-nat-${i}` } }, { parent: this });
      return new aws.ec2.NatGateway(
        `${name}-nat-${i}`,
        { allocationId: eip.id, subnetId: publicSubnets[i].id, tags: { Name: `${name}-nat-${i}` } },
        { parent: this, dependsOn: [igw] },
      );
    });

    const privateSubnets = plan.privateCidrs.map((cidr, i) => {
      const subnet = new aws.ec2.Subnet(
        `${name}-private-${i}`,
        {
          vpcId: vpc.id,
          cidrBlock: cidr,
          ipv6CidrBlock: vpc.ipv6CidrBlock.apply((block) => ipv6Subnet64(block, args.availabilityZoneCount + i)),
          availabilityZone: zones.names[i],
          mapPublicIpOnLaunch: false,
          tags: { Name: `${name}-private-${i}`, "kubernetes.io/role/internal-elb": "1" },
        },
        { parent: this },
      );
      const routes = new aws.ec2.RouteTable(
        `${name}-private-rt-${i}`,
        {
          vpcId: vpc.id,
          routes: [
            // With one NAT per AZ each private subnet leaves through its own zone's gateway.
            { cidrBlock: "0.0.0.0/0", natGatewayId: nats[i % natCount].id },
            { ipv6CidrBlock: "::/0", egressOnlyGatewayId: eigw.id },
          ],
          tags: { Name: `${name}-private-${i}` },
        },
        { parent: this },
      );
      new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: subnet.id, routeTableId: routes.id }, { parent: this });
      return subnet;
    });

    this.flowLogGroupName = this.flowLogs(name, vpc, args);
    this.vpcId = vpc.id;
    this.cidrBlock = vpc.cidrBlock;
    this.cidrBlocks = pulumi.all([vpc.cidrBlock, vpc.ipv6CidrBlock]).apply((blocks) => blocks.filter((b): b is string => typeof b === "string" && b !== ""));
    this.trustedCidrs = pulumi.output([args.cidrBlock]);
    this.publicSubnetIds = publicSubnets.map((s) => s.id);
    this.privateSubnetIds = privateSubnets.map((s) => s.id);
    this.privateSubnetCidrs = privateSubnets.map((s) => s.cidrBlock.apply((c) => c ?? ""));
    this.ipv6 = true;
    this.natGatewayIds = nats.map((n) => n.id);
    this.registerOutputs({ vpcId: this.vpcId, publicSubnetIds: this.publicSubnetIds, privateSubnetIds: this.privateSubnetIds });
  }

  private flowLogs(name: string, vpc: aws.ec2.Vpc, args: VpcArgs): pulumi.Output<string> {
    const logs = new aws.cloudwatch.LogGroup(
      `${name}-flow-logs`,
      { name: args.flowLogGroupName, retentionInDays: args.isProd ? 90 : 14 },
      { parent: this, protect: args.isProd },
    );
    const caller = aws.getCallerIdentityOutput({}, { parent: this });
    const role = new aws.iam.Role(
      `${name}-flow-logs-role`,
      {
        description: "VPC flow logs delivery to this stack's flow-log group",
        assumeRolePolicy: caller.accountId.apply((accountId) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [
              {
                Effect: "Allow",
                Principal: { Service: "vpc-flow-logs.amazonaws.com" },
                Action: "sts:AssumeRole",
                Condition: { StringEquals: { "aws:SourceAccount": accountId } },
              },
            ],
          }),
        ),
      },
      { parent: this },
    );
    new aws.iam.RolePolicy(
      `${name}-flow-logs-write`,
      {
        role: role.id,
        policy: logs.arn.apply((groupArn) =>
          JSON.stringify({
            Version: "2012-10-17",
            Statement: [{ Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"], Resource: [groupArn, `${groupArn}:*`] }],
          }),
        ),
      },
      { parent: this },
    );
    new aws.ec2.FlowLog(
      `${name}-flow-log`,
      { vpcId: vpc.id, trafficType: "ALL", logDestinationType: "cloud-watch-logs", logDestination: logs.arn, iamRoleArn: role.arn, maxAggregationInterval: 600, tags: { Name: `${name}-flow-log` } },
      { parent: this },
    );
    return logs.name;
  }
}
