/**
 * An existing VPC under Pulumi mocks: the component reads the VPC and its subnets from AWS and hands
 * out the looked-up blocks once the configured vpcCidr is its primary block (the disagreeing case is
 * existingVpcProblems' in tests/infra/network/cidr.test.ts, and the whole program's in
 * vpc-existing-disagreeing.test.ts: under bare mocks the failed output's sibling promises end the test
 * process as unhandled rejections, as they end a real program run).
 */
import * as pulumi from "@pulumi/pulumi";

const lookups: string[] = [];

void pulumi.runtime.setMocks(
  {
    newResources: undefined as never,
    newResource: (args) => ({ id: `${args.name}-id`, state: args.inputs }),
    call: (args) => {
      lookups.push(args.token);
      if (args.token === "aws:ec2/getVpc:getVpc") {
        return {
          id: args.inputs.id,
          cidrBlock: "10.20.0.0/16",
          cidrBlockAssociations: [
            { cidrBlock: "10.20.0.0/16", state: "associated" },
            { cidrBlock: "100.64.0.0/16", state: "associated" },
          ],
          ipv6CidrBlock: "2600:1f18:abcd:ef00::/56",
        };
      }
      if (args.token === "aws:ec2/getSubnet:getSubnet") return { id: args.inputs.id, vpcId: "vpc-0a1b2c3d4e5f60718", cidrBlock: "10.20.1.0/24" };
      return {};
    },
  } as pulumi.runtime.Mocks,
  "edgestack",
  "dev",
);

/** The settled value of an output, or its error. */
const settle = <T>(o: pulumi.Output<T>): Promise<T> => (o as unknown as { promise(): Promise<T> }).promise();

async function vpcWith(vpcCidr: string) {
  const { Vpc } = await import("../../../infra/network/vpc");
  return new Vpc(`network-${vpcCidr.replace(/\W/g, "-")}`, {
    existingVpcId: "vpc-0a1b2c3d4e5f60718",
    existingPublicSubnetIds: ["subnet-0a000000000000001", "subnet-0a000000000000002"],
    existingPrivateSubnetIds: ["subnet-0b000000000000001", "subnet-0b000000000000002"],
    cidrBlock: vpcCidr,
    availabilityZoneCount: 2,
    natGateways: "single",
    flowLogGroupName: "/aws/vpc/unused/flow-logs",
    isProd: false,
  });
}

test("an agreeing vpcCidr passes the looked-up blocks through, secondary and IPv6 included", async () => {
  const vpc = await vpcWith("10.20.0.0/16");
  await expect(settle(vpc.cidrBlock)).resolves.toBe("10.20.0.0/16");
  const blocks = ["10.20.0.0/16", "100.64.0.0/16", "2600:1f18:abcd:ef00::/56"];
  await expect(settle(vpc.cidrBlocks)).resolves.toEqual(blocks);
  await expect(settle(vpc.trustedCidrs)).resolves.toEqual(blocks);
  await expect(settle(pulumi.all(vpc.privateSubnetCidrs))).resolves.toEqual(["10.20.1.0/24", "10.20.1.0/24"]);
  expect(lookups.filter((t) => t === "aws:ec2/getVpc:getVpc")).toHaveLength(1);
  expect(lookups.filter((t) => t === "aws:ec2/getSubnet:getSubnet")).toHaveLength(4);
});
