import { childrenOf, input, ofType, one, runStack, StackRun } from "../../harness";

let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "dev" });
});

describe("network (dev)", () => {
  it("creates a dual-stack VPC from the configured CIDR under the network component", () => {
    const vpc = one(run, "aws:ec2/vpc:Vpc");
    expect(vpc.parent).toBe("network");
    expect(input(vpc, "cidrBlock")).toBe("10.10.0.0/16");
    expect(input(vpc, "assignGeneratedIpv6CidrBlock")).toBe(true);
    expect(input(vpc, "enableDnsHostnames")).toBe(true);
    expect(one(run, "edgestack:network:Vpc").name).toBe("network");
  });

  it("spreads one public and one private subnet per AZ", () => {
    const subnets = ofType(run, "aws:ec2/subnet:Subnet");
    const publicSubnets = subnets.filter((s) => s.name.includes("public"));
    const privateSubnets = subnets.filter((s) => s.name.includes("private"));
    expect(publicSubnets).toHaveLength(2);
    expect(privateSubnets).toHaveLength(2);
    expect(new Set(publicSubnets.map((s) => input(s, "availabilityZone")))).toEqual(new Set(["eu-west-1a", "eu-west-1b"]));
    expect(new Set(privateSubnets.map((s) => input(s, "availabilityZone")))).toEqual(new Set(["eu-west-1a", "eu-west-1b"]));
    for (const subnet of subnets) expect(input(subnet, "mapPublicIpOnLaunch")).toBe(false);
    expect(publicSubnets.map((s) => input(s, "ipv6CidrBlock"))).toEqual([expect.stringMatching(/00::\/64$/), expect.stringMatching(/01::\/64$/)]);
  });

  it("routes public subnets to the internet gateway and private ones through a single NAT", () => {
    const igw = one(run, "aws:ec2/internetGateway:InternetGateway");
    expect(igw.parent).toBe("network");
    expect(ofType(run, "aws:ec2/natGateway:NatGateway")).toHaveLength(1);
    const publicRoutes = one(run, "aws:ec2/routeTable:RouteTable", "network-public-rt");
    expect(input(publicRoutes, "routes")).toEqual([
      { cidrBlock: "0.0.0.0/0", gatewayId: expect.stringMatching(/^igw-/) },
      { ipv6CidrBlock: "::/0", gatewayId: expect.stringMatching(/^igw-/) },
    ]);
    const privateRoutes = ofType(run, "aws:ec2/routeTable:RouteTable").filter((r) => r.name.includes("private"));
    expect(privateRoutes).toHaveLength(2);
    for (const table of privateRoutes) {
      const routes = input<Record<string, string>[]>(table, "routes");
      expect(routes.find((r) => r.cidrBlock === "0.0.0.0/0")?.natGatewayId).toMatch(/^nat-/);
      expect(routes.some((r) => r.gatewayId)).toBe(false);
    }
    expect(ofType(run, "aws:ec2/routeTableAssociation:RouteTableAssociation")).toHaveLength(4);
  });

  it("locks the default security group down (no rules)", () => {
    const sg = one(run, "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup");
    expect(input(sg, "ingress")).toBeUndefined();
    expect(input(sg, "egress")).toBeUndefined();
  });

  it("tags everything through the provider's defaultTags and never falls back to a default provider", () => {
    const provider = one(run, "pulumi:providers:aws", "aws");
    expect(JSON.parse(input<string>(provider, "defaultTags"))).toEqual({
      tags: { project: "edgestack", stack: "dev", environment: "dev", owner: "platform-team", "cost-center": "edge-dev", "managed-by": "pulumi" },
    });
    expect(input(provider, "region")).toBe("eu-west-1");
    expect(run.resources.filter((r) => r.type.startsWith("pulumi:providers:") && r.name.startsWith("default"))).toEqual([]);
    for (const resource of run.resources.filter((r) => r.custom && r.type.startsWith("aws:"))) {
      expect(resource.provider).toMatch(/pulumi:providers:aws::aws(-us-east-1)?::/);
    }
  });

  it("exports the network ids", () => {
    expect(run.outputs.vpcId).toMatch(/^vpc-/);
    expect(run.outputs.publicSubnetIds).toHaveLength(2);
    expect(run.outputs.privateSubnetIds).toHaveLength(2);
    expect(childrenOf(run, "network").length).toBeGreaterThan(10);
  });
});
