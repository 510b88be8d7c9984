import type { RunOptions } from "../../harness";

export const EXISTING_VPC_ID = "vpc-0a1b2c3d4e5f60718";
export const EXISTING_PUBLIC_SUBNETS = ["subnet-0a000000000000001", "subnet-0a000000000000002"];
export const EXISTING_PRIVATE_SUBNETS = ["subnet-0b000000000000001", "subnet-0b000000000000002"];

/**
 * A dev run on an existing VPC (EXISTING_VPC_ID and its subnets) whose `vpcCidr` is `vpcCidr` and which AWS
 * describes with `primary` as its primary IPv4 block, `associations` (block and state) and an optional IPv6 block.
 */
export function existingVpcRun(v: { vpcCidr: string; primary: string; associations: { cidrBlock: string; state: string }[]; ipv6?: string }): RunOptions {
  return {
    stack: "dev",
    config: {
      "edgestack:vpcId": EXISTING_VPC_ID,
      "edgestack:vpcCidr": v.vpcCidr,
      "edgestack:existingPublicSubnetIds": JSON.stringify(EXISTING_PUBLIC_SUBNETS),
      "edgestack:existingPrivateSubnetIds": JSON.stringify(EXISTING_PRIVATE_SUBNETS),
    },
    invokeAnswers: {
      "aws:ec2/getVpc:getVpc": (args) => ({
        id: args.id,
        arn: `arn:aws:ec2:::vpc/${args.id}`,
        cidrBlock: v.primary,
        cidrBlockAssociations: v.associations.map((a, i) => ({ associationId: `vpc-cidr-assoc-${i + 1}`, ...a })),
        ...(v.ipv6 ? { ipv6CidrBlock: v.ipv6 } : {}),
        state: "available",
      }),
    },
  };
}
