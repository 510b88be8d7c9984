import { parseIpv4Cidr } from "../config/validators";

/**
 * Subnet plan for a new VPC: the VPC CIDR is cut into equal blocks, the first `azCount` for public
 * subnets and the next `azCount` for private ones. Pure, so the layout is tested without AWS.
 */
export interface SubnetPlan {
  publicCidrs: string[];
  privateCidrs: string[];
}

export function planSubnets(vpcCidr: string, azCount: number): SubnetPlan {
  const vpc = parseIpv4Cidr(vpcCidr);
  if (!vpc) throw new Error(`vpcCidr: ${JSON.stringify(vpcCidr)} is not an IPv4 CIDR block`);
  if (!Number.isInteger(azCount) || azCount < 1) throw new Error(`azCount: ${azCount} must be a positive whole number`);
  const bits = Math.ceil(Math.log2(azCount * 2));
  const prefix = vpc.prefix + bits;
  // AWS subnets can be at most /28; smaller VPCs cannot hold 2 subnets per AZ.
  if (prefix > 28) throw new Error(`vpcCidr: ${vpcCidr} is too small for ${azCount * 2} subnets (would need /${prefix}, AWS allows up to /28)`);
  const size = 2 ** (32 - prefix);
  const block = (i: number) => `${toDotted(vpc.network + i * size)}/${prefix}`;
  return {
    publicCidrs: Array.from({ length: azCount }, (_, i) => block(i)),
    privateCidrs: Array.from({ length: azCount }, (_, i) => block(azCount + i)),
  };
}

/** The index-th /64 inside an AWS-assigned IPv6 /56 (e.g. "2600:1f18:abcd:ef00::/56"). */
export function ipv6Subnet64(block56: string, index: number): string {
  const match = /^([0-9a-f]{1,4}):([0-9a-f]{1,4}):([0-9a-f]{1,4}):([0-9a-f]{1,4})::\/56$/i.exec(block56);
  if (!match) throw new Error(`ipv6CidrBlock: ${JSON.stringify(block56)} is not an IPv6 /56 of the form a:b:c:d::/56`);
  if (!Number.isInteger(index) || index < 0 || index > 255) throw new Error(`ipv6 subnet index ${index} must be 0-255`);
  const fourth = (parseInt(match[4], 16) & 0xff00) | index;
  return `${match[1]}:${match[2]}:${match[3]}:${fourth.toString(16)}::/64`;
}

function toDotted(n: number): string {
  return [24, 16, 8, 0].map((shift) => (n >>> shift) & 0xff).join(".");
}

/**
 * The cluster DNS (CoreDNS's kube-dns Service) address EKS assigns: the 10th address of the
 * service CIDR (172.20.0.10 in 172.20.0.0/16). nginx's resolver for the app pods' names.
 */
export function clusterDnsIp(serviceCidr: string): string {
  const cidr = parseIpv4Cidr(serviceCidr);
  if (!cidr) throw new Error(`serviceCidr: ${JSON.stringify(serviceCidr)} is not an IPv4 CIDR block`);
  return toDotted(cidr.network + 10);
}

/** What a lookup of an existing VPC (aws.ec2.getVpc) says about its address blocks. */
export interface VpcLookup {
  id: string;
  /** The primary IPv4 block. */
  cidrBlock: string;
  /** Every IPv4 block (primary and secondary) with its association state. */
  cidrBlockAssociations?: { cidrBlock: string; state?: string }[];
  /** The IPv6 block, if one is associated. */
  ipv6CidrBlock?: string;
}

/** Every IPv4 and IPv6 block associated with the VPC, as read from AWS. */
export function vpcCidrBlocks(v: VpcLookup): { ipv4: string[]; ipv6: string[] } {
  const associated = (v.cidrBlockAssociations ?? []).filter((a) => a.state === undefined || a.state === "associated").map((a) => a.cidrBlock);
  return { ipv4: [...new Set([v.cidrBlock, ...associated])], ipv6: v.ipv6CidrBlock ? [v.ipv6CidrBlock] : [] };
}

/**
 * Configured values an existing VPC's lookup contradicts, one problem each naming both sides:
 * `vpcCidr` must be the VPC's primary IPv4 block (what the stack checks at program start, before the
 * lookup, stands for that block), and every configured subnet must lie in one of the VPC's IPv4
 * blocks. Secondary IPv4 blocks and the IPv6 block are no problem: every consumer of the VPC's
 * address space takes the blocks read from AWS (Vpc.trustedCidrs, Vpc.cidrBlocks). Pure.
 */
export function existingVpcProblems(configured: { vpcCidr: string; vpcId: string }, v: VpcLookup, subnets: { id: string; vpcId?: string; cidrBlock?: string }[]): string[] {
  const problems: string[] = [];
  const { ipv4 } = vpcCidrBlocks(v);
  if (configured.vpcCidr !== v.cidrBlock) {
    problems.push(
      `edgestack:vpcCidr (${JSON.stringify(configured.vpcCidr)}) disagrees with VPC ${v.id} as read from AWS (primary IPv4 block ${v.cidrBlock}${ipv4.length > 1 ? `; all: ${ipv4.join(", ")}` : ""}): set edgestack:vpcCidr to ${JSON.stringify(v.cidrBlock)}`,
    );
  }
  for (const s of subnets) {
    if (s.vpcId !== undefined && s.vpcId !== v.id) problems.push(`subnet ${s.id} (edgestack:existingPublicSubnetIds / existingPrivateSubnetIds) is in ${s.vpcId} as read from AWS, not in edgestack:vpcId (${v.id})`);
    if (s.cidrBlock !== undefined && s.vpcId === v.id && !ipv4.some((block) => cidrContains(block, s.cidrBlock!))) {
      problems.push(`subnet ${s.id} (${s.cidrBlock}) lies outside VPC ${v.id}'s IPv4 blocks (${ipv4.join(", ")}) as read from AWS`);
    }
  }
  return problems;
}

/** True when IPv4 block `inner` lies inside `outer`. */
function cidrContains(outer: string, inner: string): boolean {
  const a = parseIpv4Cidr(outer);
  const b = parseIpv4Cidr(inner);
  if (!a || !b || b.prefix < a.prefix) return false;
  const mask = a.prefix === 0 ? 0 : (0xffffffff << (32 - a.prefix)) >>> 0;
  return ((b.network & mask) >>> 0) === a.network;
}
