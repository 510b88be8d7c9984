import type { ec2, vpc } from "@pulumi/aws";
import { Policies, PolicyResource, ReportViolation } from "@pulumi/policy";
import { coverage, within } from "../semantics/cidr";
import { describe, ifKnown, isSet, knownEntries, list, num, ofType, Props, referrersOf, refersTo, resourceRule, siblings, stackRule, TYPES, unknownAt } from "./common";

type SecurityGroup = Props<ec2.SecurityGroupArgs>;
type VpcIngressRule = Props<vpc.SecurityGroupIngressRuleArgs>;
type Ec2Rule = Props<ec2.SecurityGroupRuleArgs>;

export const WORLD_CIDRS = ["0.0.0.0/0", "::/0"];

/**
 * The CIDRs of a list that open it to the internet, judged by the addresses they cover together (any spelling:
 * `0.0.0.0/1` + `128.0.0.0/1`, `0::/0`, `2000::/3`, IPv4-mapped IPv6), not by string: all of them when together
 * they cover more than a /8 of the public IPv4 space (or a /32 of IPv6), else none.
 */
export function publicCidrs(cidrs: string[]): string[] {
  if (cidrs.length === 0) return [];
  const c = coverage(cidrs);
  if (!c.broad) return [];
  const each = publicSources(cidrs);
  return each.length > 0 ? each : cidrs;
}

/** The CIDRs of a list holding any public address (however narrow): sources on the internet. */
export function publicSources(cidrs: string[]): string[] {
  return cidrs.filter((x) => {
    const c = coverage([x]);
    return c.publicV4 > 0n || c.publicV6 > 0n;
  });
}

/** One ingress permission, whichever of the three AWS shapes declared it (inline, vpc rule, ec2 rule). */
export interface Ingress {
  protocol: string;
  fromPort: number;
  toPort: number;
  cidrs: string[];
  fromSecurityGroup: boolean;
  fromPrefixList: boolean;
  /** The security groups it names as its sources (or destinations), and whether it names its own group (`self`). */
  sourceGroups: unknown[];
  fromSelf: boolean;
  /** For separate rule resources: the security group the rule is added to. */
  securityGroupRef?: unknown;
  /** The target group's reference is not known yet (preview). */
  securityGroupRefUnknown?: boolean;
}

function ports(protocol: string, from: unknown, to: unknown): { fromPort: number; toPort: number } {
  if (protocol === "-1" || protocol === "all") return { fromPort: 0, toPort: 65535 };
  // Missing ports on a tcp/udp rule: assume the widest range rather than miss an exposure.
  const f = num(from);
  const t = num(to);
  return { fromPort: f === undefined || f < 0 ? 0 : f, toPort: t === undefined || t < 0 ? 65535 : t };
}

const proto = (v: unknown) => String(v ?? "-1").toLowerCase();

/** The ingress permissions a resource declares (empty for other types and for egress rules). */
export function ingressOf(type: string, props: Record<string, unknown>): Ingress[] {
  return permissionsOf(type, props, "ingress");
}

/** The egress permissions a resource declares, in the same shape (`cidrs` are then destinations). */
export function egressOf(type: string, props: Record<string, unknown>): Ingress[] {
  return permissionsOf(type, props, "egress");
}

/** The permissions of one direction a resource declares: inline on the group, a vpc rule resource, or an ec2 rule. */
function permissionsOf(type: string, props: Record<string, unknown>, direction: "ingress" | "egress"): Ingress[] {
  if (TYPES.securityGroup.includes(type as never)) {
    return list((props as SecurityGroup)[direction]).map((i) => {
      const protocol = proto(i?.protocol);
      return {
        protocol,
        ...ports(protocol, i?.fromPort, i?.toPort),
        cidrs: [...list(i?.cidrBlocks), ...list(i?.ipv6CidrBlocks)].filter((c): c is string => typeof c === "string"),
        fromSecurityGroup: list(i?.securityGroups).length > 0 || i?.self === true,
        fromPrefixList: list(i?.prefixListIds).length > 0,
        sourceGroups: list(i?.securityGroups),
        fromSelf: i?.self === true,
      };
    });
  }
  if ((direction === "ingress" ? TYPES.vpcIngressRule : TYPES.vpcEgressRule).includes(type as never)) {
    const r = props as VpcIngressRule;
    const protocol = proto(r.ipProtocol);
    return [
      {
        protocol,
        ...ports(protocol, r.fromPort, r.toPort),
        cidrs: [r.cidrIpv4, r.cidrIpv6].filter((c): c is string => typeof c === "string" && c !== ""),
        fromSecurityGroup: typeof r.referencedSecurityGroupId === "string" && r.referencedSecurityGroupId !== "",
        fromPrefixList: typeof r.prefixListId === "string" && r.prefixListId !== "",
        sourceGroups: isSet(r.referencedSecurityGroupId) ? [r.referencedSecurityGroupId] : [],
        fromSelf: isSet(r.referencedSecurityGroupId) && r.referencedSecurityGroupId === r.securityGroupId,
        securityGroupRef: ifKnown(() => r.securityGroupId),
        securityGroupRefUnknown: unknownAt(() => r.securityGroupId),
      },
    ];
  }
  if (TYPES.ec2SecurityGroupRule.includes(type as never)) {
    const r = props as Ec2Rule;
    if (r.type !== direction) return [];
    const protocol = proto(r.protocol);
    return [
      {
        protocol,
        ...ports(protocol, r.fromPort, r.toPort),
        cidrs: [...list(r.cidrBlocks), ...list(r.ipv6CidrBlocks)].filter((c): c is string => typeof c === "string"),
        fromSecurityGroup: (typeof r.sourceSecurityGroupId === "string" && r.sourceSecurityGroupId !== "") || r.self === true,
        fromPrefixList: list(r.prefixListIds).length > 0,
        sourceGroups: isSet(r.sourceSecurityGroupId) ? [r.sourceSecurityGroupId] : [],
        fromSelf: r.self === true || (isSet(r.sourceSecurityGroupId) && r.sourceSecurityGroupId === r.securityGroupId),
        securityGroupRef: ifKnown(() => r.securityGroupId),
        securityGroupRefUnknown: unknownAt(() => r.securityGroupId),
      },
    ];
  }
  return [];
}

/** One network ACL entry, inline on an ACL (or the VPC's default ACL) or a separate NetworkAclRule. */
export interface AclEntry {
  /** The resource that declares the entry. */
  on: PolicyResource;
  /** The ACL it belongs to (undefined: a rule whose ACL the plan does not declare). */
  acl: PolicyResource | undefined;
  ruleNo: number;
  allow: boolean;
  egress: boolean;
  protocol: string;
  fromPort: number;
  toPort: number;
  cidrs: string[];
}

const ACL_TYPES = ["aws:ec2/networkAcl:NetworkAcl", "aws:ec2/defaultNetworkAcl:DefaultNetworkAcl"];
const ACL_RULE_TYPES = ["aws:ec2/networkAclRule:NetworkAclRule"];

/** Every network ACL entry of the plan, whichever resource declares it. */
export function aclEntries(resources: PolicyResource[]): AclEntry[] {
  const acls = ofType(resources, ACL_TYPES);
  type Raw = { ruleNo?: unknown; ruleNumber?: unknown; action?: unknown; ruleAction?: unknown; protocol?: unknown; fromPort?: unknown; toPort?: unknown; cidrBlock?: unknown; ipv6CidrBlock?: unknown };
  const entry = (on: PolicyResource, acl: PolicyResource | undefined, e: Raw, egress: boolean): AclEntry => {
    const protocol = proto(e.protocol);
    return {
      on,
      acl,
      ruleNo: num(e.ruleNo ?? e.ruleNumber) ?? 0,
      allow: String(e.action ?? e.ruleAction ?? "").toLowerCase() === "allow",
      egress,
      protocol,
      ...ports(protocol, e.fromPort, e.toPort),
      cidrs: [e.cidrBlock, e.ipv6CidrBlock].filter((c): c is string => typeof c === "string" && c !== ""),
    };
  };
  const out: AclEntry[] = [];
  for (const acl of acls) {
    for (const dir of ["ingress", "egress"] as const) for (const e of list(ifKnown(() => acl.props[dir] as Raw[]))) if (e) out.push(entry(acl, acl, e, dir === "egress"));
  }
  for (const r of ofType(resources, ACL_RULE_TYPES)) {
    const p = ifKnown(() => r.props as Raw & { networkAclId?: unknown; egress?: unknown });
    if (!p) continue;
    out.push(entry(r, acls.find((a) => refersTo(p.networkAclId, a)), p, p.egress === true || p.egress === "true"));
  }
  return out;
}


const SG_TYPES = [...TYPES.securityGroup, ...TYPES.vpcIngressRule, ...TYPES.ec2SecurityGroupRule];
const covers = (i: Ingress, port: number) => i.fromPort <= port && port <= i.toPort;
const isTcp = (p: string) => p === "tcp" || p === "6";
const worldCidrs = (i: Ingress) => publicCidrs(i.cidrs);
const range = (i: Ingress) => (i.fromPort === i.toPort ? `port ${i.fromPort}` : `ports ${i.fromPort}-${i.toPort}`);

/** Input names under which the AWS provider attaches security groups to a resource (wherever they nest: vpcConfig, networkInterfaces). */
const SG_INPUTS = /^(securityGroups|securityGroupIds|vpcSecurityGroupIds|sourceSecurityGroupIds)$/;

/** Every security group a resource's inputs attach, with its path. */
export function securityGroupReferences(input: unknown, path = ""): { path: string; value: unknown }[] {
  if (Array.isArray(input)) return input.flatMap((v, i) => securityGroupReferences(v, `${path}[${i}]`));
  if (typeof input !== "object" || input === null) return [];
  return knownEntries(input).flatMap(([k, v]) => {
    const at = path ? `${path}.${k}` : k;
    if (SG_INPUTS.test(k)) return list(v as unknown[]).map((x, i) => ({ path: `${at}[${i}]`, value: x }));
    return securityGroupReferences(v, at);
  });
}

/** Resource types that run code the stack deploys (nodes, instances, the control plane, build and function runners). */
const COMPUTE_TYPES = new Set<string>([
  ...TYPES.launchTemplate,
  ...TYPES.instance,
  "aws:eks/nodeGroup:NodeGroup",
  ...TYPES.eksCluster,
  "aws:codebuild/project:Project",
  "aws:lambda/function:Function",
  "aws:ecs/service:Service",
  "aws:batch/computeEnvironment:ComputeEnvironment",
]);

export const securityGroupPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "sg-public-ingress-web-ports-only",
    description: "Ingress from the internet (CIDRs covering more than a /8 of public IPv4 or a /32 of public IPv6, however spelled) is allowed only on single TCP ports 80 and 443.",
    enforcementLevel: "mandatory",
    types: SG_TYPES,
    config: {
      allowedPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "TCP ports that may be open to the world." },
    },
    validate: (p, { args, config }, report) => {
      const allowed = list(config.allowedPorts as number[]);
      for (const i of ingressOf(args.type, p)) {
        const world = worldCidrs(i);
        if (world.length === 0) continue;
        if (!isTcp(i.protocol) || i.fromPort !== i.toPort || !allowed.includes(i.fromPort)) {
          report(`"${args.name}" allows ${world.join(", ")} on protocol ${i.protocol} ${range(i)}; only TCP ${allowed.join("/")} may be open to the world.`);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "sg-no-public-ssh-redis",
    description: "SSH (22) and Redis (6379) are never reachable from the internet (any CIDR set covering more than a /8 of public IPv4 or a /32 of IPv6).",
    enforcementLevel: "mandatory",
    types: SG_TYPES,
    config: {
      forbiddenPorts: { type: "array", items: { type: "integer" }, default: [22, 6379], description: "Ports never open to the world." },
    },
    validate: (p, { args, config }, report) => {
      for (const i of ingressOf(args.type, p)) {
        const world = worldCidrs(i);
        if (world.length === 0 || (i.protocol !== "-1" && i.protocol !== "all" && !isTcp(i.protocol))) continue;
        for (const port of list(config.forbiddenPorts as number[])) {
          if (covers(i, port)) report(`"${args.name}" opens port ${port} to ${world.join(", ")} (${i.protocol} ${range(i)}).`);
        }
      }
    },
  }),
  stackRule({
    name: "sg-public-ingress-only-on-public-lb",
    description: "Ingress from public addresses (any CIDR holding a public IPv4 or IPv6 address, a single office /24 as much as the world: nodes, caches, endpoints and control planes are reached through the load balancers and other security groups only) exists only on security groups of internet-facing load balancers, and a world-open group is worn by nothing else (an EKS control plane, nodes, a cache, an endpoint: any input attaching security groups, wherever it nests). It does not judge private ranges (see the per-service rules) nor prefix lists (sg-prefix-list-ingress-judged).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.loadBalancer, ...TYPES.securityGroup, ...SG_TYPES],
    config: {
      publicLoadBalancerSecurityGroups: {
        type: "array",
        items: { type: "string" },
        default: [],
        description: "Logical names of security groups to treat as public load balancer groups when the link can't be resolved.",
      },
    },
    validate: (resources, { config }, report) => {
      const publicLbs = ofType(resources, TYPES.loadBalancer).filter((lb) => ifKnown(() => lb.props.internal) !== true);
      const allow = new Set(list(config.publicLoadBalancerSecurityGroups as string[]));
      const groups = ofType(resources, TYPES.securityGroup);
      // A public LB whose security groups aren't known yet (preview) could own any group: don't judge then.
      const undecidable = publicLbs.some((lb) => unknownAt(() => lb.props.securityGroups));
      const isPublicLbGroup = (sg: PolicyResource) =>
        allow.has(sg.name) ||
        publicLbs.some((lb) => siblings(sg, lb) || list(ifKnown(() => lb.props.securityGroups as unknown[])).some((ref) => refersTo(ref, sg)));
      for (const r of resources.filter((x) => SG_TYPES.includes(x.type as never))) {
        const ingress = ifKnown(() => ingressOf(r.type, r.props)) ?? [];
        for (const i of ingress) {
          const sources = publicSources(i.cidrs);
          if (sources.length === 0) continue;
          let ok: boolean;
          if (TYPES.securityGroup.includes(r.type as never)) {
            ok = isPublicLbGroup(r);
          } else {
            const target = groups.find((sg) => refersTo(i.securityGroupRef, sg));
            ok = allow.has(r.name) || (target ? isPublicLbGroup(target) : publicLbs.some((lb) => siblings(r, lb)));
          }
          if (!ok && !undecidable && !i.securityGroupRefUnknown) {
            report(
              `"${r.name}" opens ${range(i)} to ${worldCidrs(i).length > 0 ? "the world" : `public addresses (${sources.join(", ")})`} but is not the security group of an internet-facing load balancer ` +
                `(attach it to one, or list it in publicLoadBalancerSecurityGroups).`,
              r.urn,
            );
          }
        }
      }
      // The same group worn by anything else (a cluster's control plane, nodes, a cache, an endpoint) opens that too.
      const opensWorld = (sg: PolicyResource) => resources.some((r) => SG_TYPES.includes(r.type as never) && (ifKnown(() => ingressOf(r.type, r.props)) ?? []).some((i) => worldCidrs(i).length > 0 && (r === sg || refersTo(i.securityGroupRef, sg))));
      const worldOpen = groups.filter((sg) => isPublicLbGroup(sg) && opensWorld(sg));
      for (const r of resources) {
        if (TYPES.loadBalancer.includes(r.type as never) && ifKnown(() => r.props.internal) !== true) continue;
        if (SG_TYPES.includes(r.type as never)) continue;
        for (const { path, value } of securityGroupReferences(ifKnown(() => r.props))) {
          const sg = worldOpen.find((g) => refersTo(value, g));
          if (sg) report(`${r.type.split(":").pop()} "${r.name}" wears security group "${sg.name}" (${path}), which admits the world as an internet-facing load balancer's group: whatever listens on "${r.name}" on those ports is open to the internet; give it a group of its own.`, r.urn);
        }
      }
    },
  }),
  stackRule({
    name: "lb-target-ports-from-lb-security-groups",
    description:
      "The ports load balancers send traffic and health checks to (instance target groups' ports and health-check ports, e.g. nginx's NodePorts) admit only security groups, never an address range or prefix list: a PROXY-protocol or forwarded-address port reachable from any address in the VPC lets that host state any client address.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.targetGroup, ...TYPES.loadBalancer, ...TYPES.securityGroup, ...SG_TYPES],
    validate: (resources, _ctx, report) => {
      const targetPorts = new Set<number>();
      for (const tg of ofType(resources, TYPES.targetGroup)) {
        if ((ifKnown(() => tg.props.targetType) ?? "instance") !== "instance") continue;
        const port = num(ifKnown(() => tg.props.port));
        if (port !== undefined) targetPorts.add(port);
        const hc = num(ifKnown(() => (tg.props.healthCheck as { port?: unknown } | undefined)?.port));
        if (hc !== undefined) targetPorts.add(hc);
      }
      if (targetPorts.size === 0) return;
      const lbGroups = ofType(resources, TYPES.loadBalancer).flatMap((lb) => list(ifKnown(() => lb.props.securityGroups as unknown[])));
      const groups = ofType(resources, TYPES.securityGroup);
      // A load balancer's own group: its ingress is about listener ports, judged by the public-ingress rules.
      const isLbGroup = (sg: PolicyResource | undefined) => sg !== undefined && lbGroups.some((ref) => refersTo(ref, sg));
      // A load balancer whose groups aren't known yet (preview) could own any group: don't judge then.
      const undecidable = ofType(resources, TYPES.loadBalancer).some((lb) => unknownAt(() => lb.props.securityGroups));
      // Groups that may reach the target ports besides the load balancers': the EKS control plane's (it calls the
      // nodes' kubelets and webhooks on high ports). Any other group (a CI runner's, a bastion's) would reach a port
      // that believes the client address it is told.
      const controlPlane = (sg: PolicyResource) => ofType(resources, TYPES.eksCluster).some((c) => list(ifKnown(() => (c.props.vpcConfig as { securityGroupIds?: unknown[] } | undefined)?.securityGroupIds)).some((ref) => refersTo(ref, sg)));
      for (const r of resources.filter((x) => SG_TYPES.includes(x.type as never))) {
        const owner = TYPES.securityGroup.includes(r.type as never) ? r : undefined;
        for (const i of ifKnown(() => ingressOf(r.type, r.props)) ?? []) {
          if (!(i.protocol === "tcp" || i.protocol === "6" || i.protocol === "-1" || i.protocol === "all")) continue;
          if (undecidable || i.securityGroupRefUnknown || isLbGroup(owner ?? groups.find((sg) => refersTo(i.securityGroupRef, sg)))) continue;
          const hit = [...targetPorts].filter((p) => p >= i.fromPort && p <= i.toPort).sort((a, b) => a - b);
          if (hit.length === 0) continue;
          if (i.cidrs.length > 0 || i.fromPrefixList) {
            report(
              `"${r.name}" admits ${i.cidrs.length > 0 ? i.cidrs.join(", ") : "a prefix list"} on port(s) ${hit.join(", ")}, where load balancers send traffic: admit only the load balancers' security groups.`,
              r.urn,
            );
            continue;
          }
          if (i.fromSelf || i.sourceGroups.some((ref) => typeof ref !== "string")) continue;
          const others = i.sourceGroups.filter((ref) => {
            const sg = groups.find((g) => refersTo(ref, g));
            return sg === undefined ? lbGroups.every((l) => l !== ref) : !isLbGroup(sg) && !controlPlane(sg);
          });
          if (others.length === 0) continue;
          const names = others.map((ref) => groups.find((g) => refersTo(ref, g))?.name ?? String(ref));
          report(
            `"${r.name}" admits security group(s) ${names.map((n) => `"${n}"`).join(", ")} on port(s) ${hit.join(", ")}, where load balancers send traffic: that group belongs to no load balancer, so its hosts reach nginx past the origin lock and state any client address; admit only the load balancers' groups.`,
            r.urn,
          );
        }
      }
    },
  }),
  stackRule({
    name: "redis-ingress-from-security-groups-only",
    description: "Ingress to Redis (6379) on the cache's security groups references security groups, never CIDR blocks or prefix lists; and only groups the application's compute wears (launch templates, instances, node groups, the EKS cluster, Lambda functions, ECS services, pods' SecurityGroupPolicies) or the cache's own: not a load balancer's, a CI runner's, an endpoint's or a scraper's group, nor one nothing wears (anyone in the account may attach it). A group the stack does not declare (an existing cluster's) is not judged, nor one whose wearers are unknown (preview).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.replicationGroup, ...TYPES.securityGroup, ...SG_TYPES, ...TYPES.launchTemplate, ...TYPES.instance, "aws:lambda/function:Function", "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"],
    config: { port: { type: "integer", default: 6379, description: "The cache port." } },
    validate: (resources, { config }, report) => {
      const port = Number(config.port);
      const caches = ofType(resources, TYPES.replicationGroup);
      const groups = ofType(resources, TYPES.securityGroup);
      const cacheGroups = groups.filter((sg) =>
        caches.some((c) => list(ifKnown(() => c.props.securityGroupIds as unknown[])).some((ref) => refersTo(ref, sg))),
      );
      const check = (r: PolicyResource, i: Ingress, report_: ReportViolation) => {
        if (!covers(i, port) || (!i.fromPrefixList && i.cidrs.length === 0)) return;
        report_(`"${r.name}" allows ${range(i)} from ${i.cidrs.join(", ") || "a prefix list"}; Redis ingress must come from a security group only.`, r.urn);
      };
      // The application's compute: what wears a group that may reach the cache (never a load balancer, CI runner, endpoint or scraper).
      const appCompute = new Set<string>([...TYPES.launchTemplate, ...TYPES.instance, "aws:eks/nodeGroup:NodeGroup", ...TYPES.eksCluster, "aws:lambda/function:Function", "aws:ecs/service:Service", "kubernetes:vpcresources.k8s.aws/v1beta1:SecurityGroupPolicy"]);
      const checkSource = (r: PolicyResource, i: Ingress) => {
        if (!covers(i, port) || i.fromSelf) return;
        for (const ref of i.sourceGroups) {
          if (typeof ref !== "string" || ref === "") continue;
          const sg = groups.find((g) => refersTo(ref, g));
          // A group the stack does not declare (an existing cluster's nodes): its wearers are not in the plan.
          if (!sg || cacheGroups.includes(sg)) continue;
          const { referrers, unknown } = referrersOf(resources, sg);
          if (referrers.some((x) => appCompute.has(x.type)) || unknown) continue;
          report(`"${r.name}" admits ${range(i)} from security group "${sg.name}", which no application compute wears (worn by ${referrers.filter((x) => !SG_TYPES.includes(x.type as never)).map((x) => `"${x.name}"`).join(", ") || "nothing"}): Redis is reached only from the nodes (or other compute running the app).`, r.urn);
        }
      };
      for (const r of resources.filter((x) => SG_TYPES.includes(x.type as never))) {
        for (const i of ifKnown(() => ingressOf(r.type, r.props)) ?? []) {
          const onCacheGroup = TYPES.securityGroup.includes(r.type as never)
            ? cacheGroups.includes(r)
            : cacheGroups.some((sg) => refersTo(i.securityGroupRef, sg));
          const explicitlyRedis = i.fromPort === port && i.toPort === port;
          if (onCacheGroup || explicitlyRedis) check(r, i, report);
          if (onCacheGroup) checkSource(r, i);
        }
      }
    },
  }),
  stackRule({
    name: "sg-compute-ingress-from-groups",
    description:
      "Ingress to the security groups of compute (nodes, instances, the EKS control plane, build and function runners: every kubelet, NodePort, hostPort and webhook port they open) names other security groups (or the group itself), never an address range or a prefix list, private ones included: a range admits every host holding an address there (the load balancers' and NAT gateways' interfaces of a public subnet, a peered or VPN network, the next tier someone adds), where a group names exactly the instances that wear it. Public ranges are also sg-public-ingress-only-on-public-lb's; load-balancer target ports are also lb-target-ports-from-lb-security-groups'.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.securityGroup, ...SG_TYPES],
    validate: (resources, _ctx, report) => {
      const groups = ofType(resources, TYPES.securityGroup);
      const isCompute = (sg: PolicyResource): boolean | undefined => {
        const { referrers, unknown } = referrersOf(resources, sg);
        if (referrers.some((r) => COMPUTE_TYPES.has(r.type))) return true;
        return unknown ? undefined : false;
      };
      for (const r of resources.filter((x) => SG_TYPES.includes(x.type as never))) {
        for (const i of ifKnown(() => ingressOf(r.type, r.props)) ?? []) {
          if (i.cidrs.length === 0 && !i.fromPrefixList) continue;
          if (i.securityGroupRefUnknown) continue;
          const sg = TYPES.securityGroup.includes(r.type as never) ? r : groups.find((g) => refersTo(i.securityGroupRef, g));
          if (!sg || isCompute(sg) !== true) continue;
          report(`${describe(r)} admits ${i.cidrs.length > 0 ? i.cidrs.join(", ") : "a prefix list"} on ${i.protocol === "-1" || i.protocol === "all" ? "every protocol" : range(i)} to security group "${sg.name}", worn by compute: every host holding an address there reaches it (load balancers' and NAT interfaces, peered or VPN networks); admit the security groups of the peers instead.`, r.urn);
        }
      }
    },
  }),
  stackRule({
    name: "sg-broad-egress-compute-only",
    description: "Egress to the internet (destinations covering more than a /8 of public IPv4 or a /32 of IPv6, however spelled; inline, aws.vpc.SecurityGroupEgressRule, aws.ec2.SecurityGroupRule) only from groups of compute the stack runs (launch templates, instances, node groups, the EKS cluster, CodeBuild projects, Lambda functions, ECS services, Batch compute environments: what runs code that fetches from the internet); load balancers', caches' and other groups reach only private ranges or other groups.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.securityGroup, ...TYPES.vpcEgressRule],
    validate: (resources, _ctx, report) => {
      const compute = COMPUTE_TYPES;
      const groups = ofType(resources, TYPES.securityGroup);
      const computeGroup = (sg: PolicyResource): boolean | undefined => {
        const { referrers, unknown } = referrersOf(resources, sg);
        if (referrers.some((r) => compute.has(r.type))) return true;
        return unknown ? undefined : false;
      };
      for (const r of resources) {
        const egress = ifKnown(() => egressOf(r.type, r.props as Record<string, unknown>)) ?? [];
        for (const e of egress) {
          const broad = publicCidrs(e.cidrs);
          if (broad.length === 0) continue;
          if (e.securityGroupRefUnknown) continue;
          const sg = TYPES.securityGroup.includes(r.type as never) ? r : groups.find((g) => refersTo(e.securityGroupRef, g));
          if (!sg || computeGroup(sg) !== false) continue;
          report(`${describe(r)} lets security group "${sg.name}" (attached to no compute) send ${e.protocol === "-1" ? "every protocol" : range(e)} to ${broad.join(", ")}: only the groups of compute (nodes, instances, build and function runners) reach the internet; limit it to the VPC or to other groups.`, r.urn);
        }
      }
    },
  }),
  resourceRule<Record<string, unknown>>({
    name: "sg-rules-described",
    description: "Security groups and each of their rules (inline, aws.vpc.SecurityGroupIngressRule/EgressRule, aws.ec2.SecurityGroupRule) say what they are for in a description, so a reviewer can tell an intended opening from a stray one.",
    enforcementLevel: "mandatory",
    types: [...SG_TYPES, ...TYPES.vpcEgressRule],
    validate: (p, { args }, report) => {
      if (TYPES.securityGroup.includes(args.type as never)) {
        if (!isSet(p.description) || p.description === "Managed by Pulumi") report(`${describe(args)} has no description of its own (it would be "Managed by Pulumi").`);
        for (const dir of ["ingress", "egress"] as const) {
          list(p[dir] as { description?: unknown }[]).forEach((rule, n) => {
            if (!isSet(rule?.description)) report(`${describe(args)}: inline ${dir}[${n}] has no description.`);
          });
        }
        return;
      }
      if (!isSet(p.description)) report(`${describe(args)} has no description; say what the opening is for.`);
    },
  }),
  stackRule({
    name: "network-resources-in-use",
    description: "Every security group (other than a VPC's default) is attached to something, and every Elastic IP is associated: a stray group is an opening waiting for a resource, a stray address one waiting for a dangling DNS record.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.vpcIngressRule, ...TYPES.vpcEgressRule, ...TYPES.ec2SecurityGroupRule, ...TYPES.securityGroup, "aws:ec2/eip:Eip"],
    validate: (resources, _ctx, report) => {
      const ruleTypes = new Set<string>([...TYPES.vpcIngressRule, ...TYPES.vpcEgressRule, ...TYPES.ec2SecurityGroupRule, ...TYPES.securityGroup]);
      for (const sg of ofType(resources, TYPES.securityGroup)) {
        const { referrers, unknown } = referrersOf(resources, sg);
        if (unknown || referrers.some((r) => !ruleTypes.has(r.type) && !r.type.startsWith("pulumi:"))) continue;
        report(`Security group "${sg.name}" is attached to nothing (only rules refer to it); delete it or attach it.`, sg.urn);
      }
      for (const eip of ofType(resources, ["aws:ec2/eip:Eip"])) {
        if (isSet(ifKnown(() => eip.props.instance)) || isSet(ifKnown(() => eip.props.networkInterface)) || unknownAt(() => eip.props.instance)) continue;
        const { referrers, unknown } = referrersOf(resources, eip, ["allocationId", "publicIp"]);
        if (unknown || referrers.length > 0) continue;
        report(`Elastic IP "${eip.name}" is associated with nothing (no instance, interface, NAT gateway, association or load balancer refers to it); release it.`, eip.urn);
      }
    },
  }),
  stackRule({
    name: "security-groups-one-tier",
    description:
      "A security group is worn by one tier of the stack: nodes (launch templates, instances), the control plane (an EKS cluster's vpcConfig), the cache, load balancers, VPC endpoints, the CI runner (CodeBuild), the Prometheus scraper, functions. A group's rules and the other groups that name it as a peer are written for that tier; a resource of another tier wearing it inherits them (the CI runner in the node group reaches every kubelet and node port the nodes open to each other). It judges the resource types listed; rules that refer to a group are not wearers.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.securityGroup],
    validate: (resources, _ctx, report) => {
      const tiers: [string, readonly string[]][] = [
        ["nodes", [...TYPES.launchTemplate, ...TYPES.instance, "aws:eks/nodeGroup:NodeGroup"]],
        ["the EKS control plane", [...TYPES.eksCluster]],
        ["the cache", [...TYPES.replicationGroup, "aws:elasticache/cluster:Cluster", "aws:elasticache/serverlessCache:ServerlessCache"]],
        ["load balancers", ["aws:lb/loadBalancer:LoadBalancer", "aws:alb/loadBalancer:LoadBalancer"]],
        ["VPC endpoints", ["aws:ec2/vpcEndpoint:VpcEndpoint"]],
        ["the CI runner", ["aws:codebuild/project:Project"]],
        ["the Prometheus scraper", ["aws:amp/scraper:Scraper"]],
        ["functions", ["aws:lambda/function:Function"]],
      ];
      const tierOf = (type: string) => tiers.find(([, types]) => types.includes(type))?.[0];
      for (const sg of ofType(resources, TYPES.securityGroup)) {
        const { referrers, unknown } = referrersOf(resources, sg);
        if (unknown) continue;
        const wearers = referrers.map((r) => ({ r, tier: tierOf(r.type) })).filter((w): w is { r: PolicyResource; tier: string } => w.tier !== undefined);
        const distinct = [...new Set(wearers.map((w) => w.tier))];
        if (distinct.length < 2) continue;
        const message = `Security group "${sg.name}" is worn by ${distinct.join(" and ")} (${wearers.map((w) => `"${w.r.name}"`).join(", ")}): each tier inherits the others' openings and peers; give each tier its own group.`;
        for (const w of wearers) report(message, w.r.urn);
        report(message, sg.urn);
      }
    },
  }),
  stackRule({
    name: "nacl-no-world-admin-ports",
    description:
      "No network ACL (inline entries of an ACL or of the VPC's default ACL, or NetworkAclRule resources) admits the internet (any CIDR set covering more than a /8 of public IPv4 or a /32 of IPv6) to a remote administration port (SSH 22, RDP 3389) over TCP, UDP or all protocols, unless a lower-numbered deny of the same ACL takes that port from the same source first (entries are evaluated in rule-number order). It does not judge other ports: a stateless ACL needs the ephemeral range open for return traffic.",
    enforcementLevel: "mandatory",
    judges: [...ACL_TYPES, ...ACL_RULE_TYPES],
    config: { adminPorts: { type: "array", items: { type: "integer" }, default: [22, 3389], description: "Ports no ACL opens to the internet." } },
    validate: (resources, { config }, report) => {
      const entries = aclEntries(resources).filter((e) => !e.egress);
      const carriesPorts = (p: string) => p === "-1" || p === "all" || p === "tcp" || p === "6" || p === "udp" || p === "17";
      for (const e of entries) {
        if (!e.allow || !carriesPorts(e.protocol) || publicCidrs(e.cidrs).length === 0) continue;
        for (const port of list(config.adminPorts as number[])) {
          if (port < e.fromPort || port > e.toPort) continue;
          const deniedFirst = entries.some((d) => !d.allow && d.acl === e.acl && e.acl !== undefined && d.ruleNo < e.ruleNo && d.fromPort <= port && port <= d.toPort && (d.protocol === e.protocol || d.protocol === "-1" || d.protocol === "all") && within(e.cidrs, d.cidrs));
          if (deniedFirst) continue;
          const message = `Network ACL ${e.acl ? `"${e.acl.name}"` : "entry"} rule ${e.ruleNo} (in "${e.on.name}") admits ${e.cidrs.join(", ")} to port ${port} (${e.protocol} ${e.fromPort}-${e.toPort}): remote administration is never open to the internet.`;
          report(message, e.on.urn);
          if (e.acl && e.acl !== e.on) report(message, e.acl.urn);
        }
      }
    },
  }),
  stackRule({
    name: "sg-prefix-list-ingress-judged",
    description:
      "Ingress from a managed prefix list the stack declares (ManagedPrefixList entries) is judged by those entries, as if they were the rule's CIDRs: when together they cover more than a /8 of public IPv4 or a /32 of IPv6, only single TCP ports 80/443 may be open. It does not judge AWS-managed prefix lists (CloudFront's, S3's), whose entries are not in the plan.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.securityGroup, ...TYPES.vpcIngressRule, ...SG_TYPES, "aws:ec2/managedPrefixList:ManagedPrefixList"],
    config: { allowedPorts: { type: "array", items: { type: "integer" }, default: [80, 443], description: "TCP ports that may be open to the world." } },
    validate: (resources, { config }, report) => {
      const lists = ofType(resources, ["aws:ec2/managedPrefixList:ManagedPrefixList"]);
      if (lists.length === 0) return;
      const allowed = list(config.allowedPorts as number[]);
      type Inline = { prefixListIds?: unknown[] };
      for (const r of resources.filter((x) => SG_TYPES.includes(x.type as never))) {
        const props = ifKnown(() => r.props as Record<string, unknown>);
        if (!props) continue;
        const refsPerPermission: unknown[][] = TYPES.securityGroup.includes(r.type as never)
          ? list(props.ingress as Inline[]).map((i) => list(i?.prefixListIds))
          : TYPES.vpcIngressRule.includes(r.type as never)
            ? [[props.prefixListId]]
            : props.type === "ingress"
              ? [list(props.prefixListIds as unknown[])]
              : [];
        const perms = ingressOf(r.type, props);
        refsPerPermission.forEach((refs, n) => {
          const i = perms[n];
          if (!i) return;
          for (const ref of refs) {
            const pl = lists.find((x) => refersTo(ref, x));
            if (!pl) continue;
            const entries = list(ifKnown(() => pl.props.entries as { cidr?: string }[])).map((e) => String(e?.cidr ?? ""));
            const world = publicCidrs(entries);
            if (world.length === 0) continue;
            if (!isTcp(i.protocol) || i.fromPort !== i.toPort || !allowed.includes(i.fromPort)) {
              const message = `"${r.name}" admits prefix list "${pl.name}" (${world.join(", ")}) on protocol ${i.protocol} ${range(i)}: its entries open the port to the internet; only TCP ${allowed.join("/")} may be.`;
              report(message, r.urn);
              report(message, pl.urn);
            }
          }
        });
      }
    },
  }),
];
