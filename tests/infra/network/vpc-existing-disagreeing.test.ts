import { runStack } from "../../harness";
import { existingVpcRun } from "./existing-vpc";

/**
 * The whole program with an existing VPC whose primary block is not the configured vpcCidr: the run
 * fails with the ConfigError naming the key, the configured value and the blocks read from AWS (as
 * `pulumi preview` does), instead of waiting forever on the registrations that need the blocks.
 * The run stops at the first failure, so this file costs about a second, not a whole stack's run.
 */
it("refuses a vpcCidr that disagrees with the VPC read from AWS, naming the key and the blocks read", async () => {
  const run = runStack(existingVpcRun({ vpcCidr: "10.10.0.0/16", primary: "10.20.0.0/16", associations: [{ cidrBlock: "10.20.0.0/16", state: "associated" }, { cidrBlock: "100.64.0.0/16", state: "associated" }] }));
  await expect(run).rejects.toMatchObject({ name: "ConfigError" });
  await expect(run).rejects.toThrow(/edgestack:vpcCidr \("10\.10\.0\.0\/16"\) disagrees with VPC vpc-0a1b2c3d4e5f60718 as read from AWS \(primary IPv4 block 10\.20\.0\.0\/16; all: 10\.20\.0\.0\/16, 100\.64\.0\.0\/16\)/);
}, 20_000);
