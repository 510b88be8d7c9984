import { ipv6Subnet64, planSubnets } from "../../../infra/network/cidr";

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
