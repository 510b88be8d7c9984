import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";

/** A block's part of a rule's name: "100.64.0.0/16" → "100-64-0-0-16", "2600:1f18::/56" → "2600-1f18--56". */
export function blockNamePart(cidr: string): string {
  return cidr.toLowerCase().replace(/[^0-9a-z]/g, "-");
}

/** The name of each block's rule: the first block's (the VPC's primary) is `name`, each other one's carries its block. */
export function vpcEgressRuleNames(name: string, blocks: readonly string[]): string[] {
  return blocks.map((cidr, i) => (i === 0 ? name : `${name}-${blockNamePart(cidr)}`));
}

/**
 * Egress from a load balancer's security group to one port on the VPC's nodes: one rule per block
 * of the VPC (Vpc.trustedCidrs), IPv4 blocks as `cidrIpv4`, the IPv6 block as `cidrIpv6`. The blocks
 * are an input (an existing VPC's are read from AWS, known in a preview too), so the rules are
 * declared once they are known. A block added to or removed from the VPC adds or removes its own
 * rule only: the names carry the blocks, the primary's keeps the plain name.
 */
export function egressToVpc(
  parent: pulumi.Resource,
  name: string,
  rule: { securityGroupId: pulumi.Input<string>; port: number; description: string },
  blocks: pulumi.Input<string[]>,
): pulumi.Output<aws.vpc.SecurityGroupEgressRule[]> {
  return pulumi.output(blocks).apply((list) => {
    if (list.length === 0) throw new Error(`${name}: the VPC has no address block to allow ${rule.description} to`);
    const names = vpcEgressRuleNames(name, list);
    return list.map(
      (cidr, i) =>
        new aws.vpc.SecurityGroupEgressRule(
          names[i]!,
          {
            securityGroupId: rule.securityGroupId,
            ...(cidr.includes(":") ? { cidrIpv6: cidr } : { cidrIpv4: cidr }),
            ipProtocol: "tcp",
            fromPort: rule.port,
            toPort: rule.port,
            description: rule.description,
          },
          { parent },
        ),
    );
  });
}
