import { input, ofType, one, runStack, StackRun, mockOutputsOf } from "../../harness";

/** Options: Elastic IPs on the NLB, ALB stickiness, and an existing (IPv4-only) VPC. */

const publicSubnets = ["subnet-0a000000000000001", "subnet-0a000000000000002"];
let run: StackRun;
beforeAll(async () => {
  run = await runStack({
    stack: "dev",
    config: {
      "edgestack:nlbElasticIps": "true",
      "edgestack:albStickinessSeconds": "3600",
      "edgestack:vpcId": "vpc-0a1b2c3d4e5f60718",
      // The lookup's range (the mocked VPC is 10.20.0.0/16): a configured vpcCidr must agree with it.
      "edgestack:vpcCidr": "10.20.0.0/16",
      "edgestack:existingPublicSubnetIds": JSON.stringify(publicSubnets),
      "edgestack:existingPrivateSubnetIds": JSON.stringify(["subnet-0b000000000000001", "subnet-0b000000000000002"]),
    },
  });
});

const lb = (kind: string) => ofType(run, "aws:lb/loadBalancer:LoadBalancer").find((r) => input(r, "loadBalancerType") === kind)!;

describe("NLB with Elastic IPs", () => {
  it("maps one Elastic IP per public subnet instead of listing subnets", () => {
    const eips = ofType(run, "aws:ec2/eip:Eip").filter((e) => e.name.startsWith("nlb-eip-"));
    expect(eips).toHaveLength(2);
    expect(input(lb("network"), "subnets")).toBeUndefined();
    expect(input(lb("network"), "subnetMappings")).toEqual(
      publicSubnets.map((subnetId, i) => ({ subnetId, allocationId: mockOutputsOf(run, "aws:ec2/eip:Eip", `nlb-eip-${i}`, "eu-west-1").id })),
    );
  });
});

describe("ALB stickiness", () => {
  it("turns on an lb_cookie for the configured duration", () => {
    expect(input(one(run, "aws:lb/targetGroup:TargetGroup", "alb-nginx"), "stickiness")).toEqual({ type: "lb_cookie", enabled: true, cookieDuration: 3600 });
  });
});

describe("existing IPv4-only VPC", () => {
  it("makes both load balancers IPv4 and publishes no AAAA records for them", () => {
    expect(input(lb("application"), "ipAddressType")).toBe("ipv4");
    expect(input(lb("network"), "ipAddressType")).toBe("ipv4");
    const aaaa = ofType(run, "aws:route53/record:Record").filter((r) => input(r, "type") === "AAAA");
    expect(aaaa.map((r) => r.name)).toEqual(["dns-apex-aaaa"]);
  });

  it("limits load-balancer egress to the existing VPC's CIDR", () => {
    const egress = ofType(run, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").filter((r) => /^(alb|nlb)-/.test(r.name));
    expect(egress.length).toBeGreaterThan(0);
    for (const r of egress) expect(input(r, "cidrIpv4")).toBe("10.20.0.0/16");
  });
});
