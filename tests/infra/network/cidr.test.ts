import { existingVpcProblems, ipv6Subnet64, planSubnets, vpcCidrBlocks } from "../../../infra/network/cidr";

describe("planSubnets", () => {
  it("cuts a /16 into public then private blocks, one per AZ", () => {
    expect(planSubnets("10.0.0.0/16", 2)).toEqual({ publicCidrs: ["10.0.0.0/18", "10.0.64.0/18"], privateCidrs: ["10.0.128.0/18", "10.0.192.0/18"] });
  });

  it("rounds up to a power of two for three AZs", () => {
    const plan = planSubnets("10.20.0.0/16", 3);
    expect(plan.publicCidrs).toEqual(["10.20.0.0/19", "10.20.32.0/19", "10.20.64.0/19"]);
    expect(plan.privateCidrs).toEqual(["10.20.96.0/19", "10.20.128.0/19", "10.20.160.0/19"]);
  });

  it("refuses a VPC too small for its subnets and bad input", () => {
    expect(() => planSubnets("10.0.0.0/26", 4)).toThrow(/too small for 8 subnets/);
    expect(() => planSubnets("10.0.0/16", 2)).toThrow(/vpcCidr: "10.0.0\/16" is not an IPv4 CIDR block/);
    expect(() => planSubnets("10.0.0.0/16", 0)).toThrow(/azCount/);
  });
});

describe("ipv6Subnet64", () => {
  it("numbers /64s inside the /56", () => {
    expect(ipv6Subnet64("2600:1f18:abcd:ef00::/56", 0)).toBe("2600:1f18:abcd:ef00::/64");
    expect(ipv6Subnet64("2600:1f18:abcd:ef00::/56", 5)).toBe("2600:1f18:abcd:ef05::/64");
    expect(ipv6Subnet64("2600:1f18:abcd:ef00::/56", 255)).toBe("2600:1f18:abcd:efff::/64");
  });

  it("rejects what it cannot number", () => {
    expect(() => ipv6Subnet64("2600:1f18::/48", 0)).toThrow(/not an IPv6 \/56/);
    expect(() => ipv6Subnet64("2600:1f18:abcd:ef00::/56", 256)).toThrow(/0-255/);
  });
});

describe("an existing VPC against the configuration", () => {
  const vpc = { id: "vpc-1", cidrBlock: "10.20.0.0/16" };
  const configured = { vpcCidr: "10.20.0.0/16", vpcId: "vpc-1" };

  it("agrees when vpcCidr is the VPC's primary block and the subnets lie in its blocks", () => {
    expect(existingVpcProblems(configured, vpc, [{ id: "subnet-1", vpcId: "vpc-1", cidrBlock: "10.20.3.0/24" }])).toEqual([]);
    // Secondary IPv4 blocks and an IPv6 block are the VPC's too: every consumer takes them from the lookup.
    const dualStack = { ...vpc, cidrBlockAssociations: [{ cidrBlock: "10.20.0.0/16", state: "associated" }, { cidrBlock: "100.64.0.0/16", state: "associated" }], ipv6CidrBlock: "2600:1f18:abcd:ef00::/56" };
    expect(existingVpcProblems(configured, dualStack, [{ id: "subnet-2", vpcId: "vpc-1", cidrBlock: "100.64.8.0/24" }])).toEqual([]);
  });

  it("names both sides when vpcCidr disagrees or a subnet is elsewhere", () => {
    expect(existingVpcProblems({ ...configured, vpcCidr: "10.10.0.0/16" }, vpc, [])).toEqual([
      'edgestack:vpcCidr ("10.10.0.0/16") disagrees with VPC vpc-1 as read from AWS (primary IPv4 block 10.20.0.0/16): set edgestack:vpcCidr to "10.20.0.0/16"',
    ]);
    // A secondary block is not the primary: the checks at program start ran with the configured block.
    const twoBlocks = { ...vpc, cidrBlockAssociations: [{ cidrBlock: "10.20.0.0/16", state: "associated" }, { cidrBlock: "100.64.0.0/16", state: "associated" }] };
    expect(existingVpcProblems({ ...configured, vpcCidr: "100.64.0.0/16" }, twoBlocks, [])).toEqual([
      'edgestack:vpcCidr ("100.64.0.0/16") disagrees with VPC vpc-1 as read from AWS (primary IPv4 block 10.20.0.0/16; all: 10.20.0.0/16, 100.64.0.0/16): set edgestack:vpcCidr to "10.20.0.0/16"',
    ]);
    // A disassociated block is not one of the VPC's.
    expect(existingVpcProblems(configured, { ...vpc, cidrBlockAssociations: [{ cidrBlock: "100.64.0.0/16", state: "disassociated" }] }, [])).toEqual([]);
    expect(existingVpcProblems(configured, vpc, [{ id: "subnet-9", vpcId: "vpc-2" }])).toEqual([
      "subnet subnet-9 (edgestack:existingPublicSubnetIds / existingPrivateSubnetIds) is in vpc-2 as read from AWS, not in edgestack:vpcId (vpc-1)",
    ]);
  });

  it("reads every associated IPv4 block and the IPv6 block", () => {
    expect(vpcCidrBlocks({ ...vpc, cidrBlockAssociations: [{ cidrBlock: "10.21.0.0/16", state: "associated" }], ipv6CidrBlock: "2600:1f18::/56" })).toEqual({
      ipv4: ["10.20.0.0/16", "10.21.0.0/16"],
      ipv6: ["2600:1f18::/56"],
    });
  });
});
