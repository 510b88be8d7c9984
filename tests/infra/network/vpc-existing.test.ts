import { ofType, runStack, StackRun } from "../../harness";

let run: StackRun;
beforeAll(async () => {
  run = await runStack({
    stack: "dev",
    config: {
      "edgestack:vpcId": "vpc-0a1b2c3d4e5f60718",
      // The lookup's range (the mocked VPC is 10.20.0.0/16): a configured vpcCidr must agree with it.
      "edgestack:vpcCidr": "10.20.0.0/16",
      "edgestack:existingPublicSubnetIds": JSON.stringify(["subnet-0a000000000000001", "subnet-0a000000000000002"]),
      "edgestack:existingPrivateSubnetIds": JSON.stringify(["subnet-0b000000000000001", "subnet-0b000000000000002"]),
    },
  });
});

describe("network (existing VPC)", () => {
  it("creates no network resources and passes the given ids through", () => {
    for (const type of ["aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ec2/natGateway:NatGateway", "aws:ec2/internetGateway:InternetGateway"]) {
      expect(ofType(run, type)).toEqual([]);
    }
    expect(run.outputs.vpcId).toBe("vpc-0a1b2c3d4e5f60718");
    expect(run.outputs.publicSubnetIds).toEqual(["subnet-0a000000000000001", "subnet-0a000000000000002"]);
    expect(run.outputs.privateSubnetIds).toEqual(["subnet-0b000000000000001", "subnet-0b000000000000002"]);
  });
});
