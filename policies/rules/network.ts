import type { ec2 } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import { coverage } from "../semantics/cidr";
import { environmentConfig, ifKnown, isProd, isSet, list, masked, maskedMessage, ofType, Props, refersTo, resourceRule, siblings, stackRule, TYPES, unknownAt } from "./common";

type DefaultSecurityGroup = Props<ec2.DefaultSecurityGroupArgs>;

type FlowLog = Props<ec2.FlowLogArgs>;

/** Fields a flow-log record needs to say who talked to whom, how, and whether it was accepted. */
export const FLOW_LOG_FIELDS = ["srcaddr", "dstaddr", "srcport", "dstport", "protocol", "action"];

/** Why a flow log does not record every connection of its VPC somewhere it can be delivered. */
export function flowLogProblems(f: FlowLog): string[] {
  const problems: string[] = [];
  if (f.trafficType !== "ALL") problems.push(`records ${f.trafficType ?? "no"} traffic, not ALL (accepted and rejected)`);
  const type = f.logDestinationType ?? "cloud-watch-logs";
  if (!isSet(f.logDestination)) problems.push("has no destination (logDestination)");
  if (type === "cloud-watch-logs" && !isSet(f.iamRoleArn)) problems.push("delivers to CloudWatch Logs without a role to deliver through (iamRoleArn)");
  // A custom format records only the fields it names: without these a record no longer says who talked to whom, on
  // which port and protocol, and whether it was let through.
  if (typeof f.logFormat === "string" && f.logFormat.trim() !== "") {
    const missing = FLOW_LOG_FIELDS.filter((x) => !f.logFormat!.includes("${" + x + "}"));
    if (missing.length > 0) problems.push(`has a custom logFormat without ${missing.map((x) => "${" + x + "}").join(", ")}`);
  }
  return problems;
}

export const networkPolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "subnets-no-auto-public-ip",
    description: "No subnet the stack declares hands every instance launched in it a public IPv4 address (mapPublicIpOnLaunch), public ones included: load balancers and NAT gateways get their addresses explicitly, and anything else launched there would be reachable from the internet by default.",
    enforcementLevel: "mandatory",
    types: TYPES.subnet,
    validate: (p, { args }, report) => {
      if (p.mapPublicIpOnLaunch === true || p.mapPublicIpOnLaunch === "true") report(`Subnet "${args.name}" hands every instance launched in it a public IPv4 address (mapPublicIpOnLaunch): set it false; load balancers and NAT gateways don't need it.`);
    },
  }),
  stackRule({
    name: "vpc-flow-logs",
    description: "Every VPC the stack creates has a flow log recording ALL traffic (accepted and rejected) to a destination, with a delivery role when it writes to CloudWatch Logs, in the default format or a custom logFormat that keeps the addresses, ports, protocol and action; a delivery role the stack does not declare (deleted) is reported unless listed in externalRoleArns.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.vpc, "aws:ec2/flowLog:FlowLog"],
    config: { externalRoleArns: { type: "array", items: { type: "string" }, default: [], description: "Flow-log delivery roles outside the stack (by ARN) a team vouches for." } },
    validate: (resources, { config }, report) => {
      const flowLogs = ofType(resources, ["aws:ec2/flowLog:FlowLog"]);
      // A delivery role the stack no longer declares (deleted) stops delivery without an error anyone sees.
      const roles = ofType(resources, TYPES.iamRole);
      for (const f of flowLogs) {
        const role = ifKnown(() => f.props.iamRoleArn);
        if (typeof role === "string" && role !== "" && !masked(role) && !(config.externalRoleArns as string[]).includes(role) && !roles.some((r) => refersTo(role, r, ["name", "arn"]))) report(`Flow log "${f.name}" delivers with role ${role}, which the stack does not declare (deleted?): its records stop arriving unnoticed.`, f.urn);
      }
      for (const vpc of ofType(resources, TYPES.vpc)) {
        const mine = flowLogs.filter((f) => refersTo(ifKnown(() => f.props.vpcId), vpc) || (unknownAt(() => f.props.vpcId) && siblings(f, vpc)));
        if (mine.length === 0) {
          report(`VPC "${vpc.name}" has no flow log: declare an aws.ec2.FlowLog with vpcId set to it, trafficType ALL.`, vpc.urn);
          continue;
        }
        const verdicts = mine.map((f) => ({ f, problems: ifKnown(() => flowLogProblems(JSON.parse(JSON.stringify(f.props)) as FlowLog)) }));
        if (verdicts.some((v) => v.problems === undefined || v.problems.length === 0)) continue;
        for (const { f, problems } of verdicts) report(`Flow log "${f.name}" of VPC "${vpc.name}" ${problems!.join("; ")}.`, f.urn);
      }
    },
  }),
  stackRule({
    name: "vpc-default-sg-closed",
    description: "Every VPC the stack creates has its default security group taken over (aws.ec2.DefaultSecurityGroup) with no ingress or egress rules, inline or separate.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.vpc, ...TYPES.defaultSecurityGroup, ...TYPES.vpcIngressRule, ...TYPES.vpcEgressRule, ...TYPES.ec2SecurityGroupRule],
    validate: (resources, _ctx, report) => {
      const vpcs = ofType(resources, TYPES.vpc);
      const defaults = ofType(resources, TYPES.defaultSecurityGroup);
      const ruleTypes = [...TYPES.vpcIngressRule, ...TYPES.vpcEgressRule, ...TYPES.ec2SecurityGroupRule];
      for (const sg of defaults) {
        const p = sg.props as DefaultSecurityGroup;
        for (const dir of ["ingress", "egress"] as const) {
          if (masked(p[dir])) report(`${maskedMessage(`${dir} of default security group "${sg.name}"`)}.`, sg.urn);
          else if (list(p[dir]).length > 0) report(`Default security group "${sg.name}" has ${dir} rules; the default group must stay empty (give resources their own groups).`, sg.urn);
        }
        for (const r of resources.filter((x) => ruleTypes.includes(x.type as never))) {
          if (refersTo(ifKnown(() => r.props.securityGroupId), sg)) report(`Rule "${r.name}" adds a rule to default security group "${sg.name}"; the default group must stay empty.`, r.urn);
        }
      }
      for (const vpc of vpcs) {
        const owned = defaults.some((d) => refersTo(ifKnown(() => d.props.vpcId), vpc) || (ifKnown(() => d.props.vpcId) === undefined && siblings(d, vpc)));
        if (!owned) report(`VPC "${vpc.name}" keeps AWS's default security group (all traffic between its members, all egress); declare an aws.ec2.DefaultSecurityGroup for it with no rules.`, vpc.urn);
      }
    },
  }),
];

// ── Subnets: public or private by their routes ───────────────────────────────────────────────

interface RouteView {
  destination: string;
  /** The target's kind: internet gateway, NAT gateway, egress-only gateway, other. */
  target: "igw" | "nat" | "eigw" | "peering" | "other";
  targetRef?: string;
  /** The resource that declares the route (a route table, or an aws.ec2.Route). */
  declaredBy: PolicyResource;
}

const ROUTE_TABLE_TYPES = ["aws:ec2/routeTable:RouteTable", "aws:ec2/defaultRouteTable:DefaultRouteTable"];

function routeTarget(r: Record<string, unknown>, resources: PolicyResource[]): Pick<RouteView, "target" | "targetRef"> {
  const gw = typeof r.gatewayId === "string" ? r.gatewayId : undefined;
  const igws = ofType(resources, ["aws:ec2/internetGateway:InternetGateway"]);
  if (gw && (/^igw-/.test(gw) || igws.some((i) => refersTo(gw, i)))) return { target: "igw", targetRef: gw };
  if (typeof r.natGatewayId === "string") return { target: "nat", targetRef: r.natGatewayId };
  if (typeof r.egressOnlyGatewayId === "string") return { target: "eigw", targetRef: r.egressOnlyGatewayId };
  if (typeof r.vpcPeeringConnectionId === "string") return { target: "peering", targetRef: r.vpcPeeringConnectionId };
  return { target: "other", targetRef: String(gw ?? r.transitGatewayId ?? r.networkInterfaceId ?? r.vpcPeeringConnectionId ?? "") };
}

/** The routes that apply to a subnet: its associated route table(s) (or its VPC's main/default table), inline and separate routes. */
export function routesOf(subnet: PolicyResource, resources: PolicyResource[]): { tables: PolicyResource[]; associations: PolicyResource[]; routes: RouteView[] } {
  const assocs = ofType(resources, ["aws:ec2/routeTableAssociation:RouteTableAssociation"]).filter((a) => refersTo(ifKnown(() => a.props.subnetId), subnet));
  const tables = ofType(resources, ROUTE_TABLE_TYPES);
  let mine = tables.filter((t) => assocs.some((a) => refersTo(ifKnown(() => a.props.routeTableId), t)));
  if (assocs.length === 0) {
    // No explicit association: the VPC's main table (a DefaultRouteTable, or a MainRouteTableAssociation's table).
    const vpc = ifKnown(() => subnet.props.vpcId);
    const mains = ofType(resources, ["aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation"]).filter((m) => ifKnown(() => m.props.vpcId) === vpc);
    mine = tables.filter((t) => t.type === ROUTE_TABLE_TYPES[1] || mains.some((m) => refersTo(ifKnown(() => m.props.routeTableId), t)));
  }
  const routes: RouteView[] = [];
  for (const t of mine) {
    for (const r of list(ifKnown(() => t.props.routes as Record<string, unknown>[]))) {
      const dest = String(r?.cidrBlock ?? r?.ipv6CidrBlock ?? r?.destinationPrefixListId ?? "");
      routes.push({ destination: dest, ...routeTarget(r ?? {}, resources), declaredBy: t });
    }
    for (const r of ofType(resources, ["aws:ec2/route:Route"]).filter((x) => refersTo(ifKnown(() => x.props.routeTableId), t))) {
      const p = (ifKnown(() => ({ ...r.props })) ?? {}) as Record<string, unknown>;
      routes.push({ destination: String(p.destinationCidrBlock ?? p.destinationIpv6CidrBlock ?? ""), ...routeTarget(p, resources), declaredBy: r });
    }
  }
  return { tables: mine, associations: assocs, routes };
}

/** Why a subnet is public (a broad route to an internet gateway, or public addresses handed out with one), else undefined. */
export function publicRoute(subnet: PolicyResource, resources: PolicyResource[]): RouteView | undefined {
  return routesOf(subnet, resources).routes.find((r) => r.target === "igw" && coverage([r.destination]).broad);
}

/** Subnets the stack means to be private: named or tagged so, or holding nodes, caches or the control plane. */
function intendedPrivate(subnet: PolicyResource, resources: PolicyResource[]): string | undefined {
  const tags = (ifKnown(() => subnet.props.tags) ?? {}) as Record<string, unknown>;
  if (tags["kubernetes.io/role/internal-elb"] !== undefined) return "it is tagged kubernetes.io/role/internal-elb";
  if (/private/i.test(subnet.name) || /private/i.test(String(tags.Name ?? ""))) return "it is named private";
  const users = privateUsers(subnet, resources);
  return users.length > 0 ? `it holds ${users.map((u) => `"${u.name}"`).join(", ")}` : undefined;
}

/**
 * The resources that place private workloads in a subnet: node groups, cache subnet groups, the EKS control plane's
 * interfaces and a CodeBuild runner's. A public subnet among theirs is reported on them too (they are what to fix).
 */
export function privateUsers(subnet: PolicyResource, resources: PolicyResource[]): PolicyResource[] {
  const names = (r: PolicyResource, read: (p: Record<string, unknown>) => unknown) => list(ifKnown(() => read(r.props as Record<string, unknown>)) as unknown[] | undefined).some((ref) => refersTo(ref, subnet));
  return [
    ...ofType(resources, ["aws:eks/nodeGroup:NodeGroup"]).filter((g) => names(g, (p) => p.subnetIds)),
    ...ofType(resources, TYPES.cacheSubnetGroup).filter((g) => names(g, (p) => p.subnetIds)),
    ...ofType(resources, ["aws:eks/cluster:Cluster"]).filter((c) => names(c, (p) => (p.vpcConfig as { subnetIds?: unknown } | undefined)?.subnetIds)),
    ...ofType(resources, ["aws:codebuild/project:Project"]).filter((c) => names(c, (p) => (p.vpcConfig as { subnets?: unknown } | undefined)?.subnets)),
  ];
}

export const subnetPolicies: Policies = [
  stackRule({
    name: "subnets-private-by-routes",
    description:
      "A subnet is public when its route table (associated, or the VPC's main table; inline routes and aws.ec2.Route resources) sends a broad destination to an internet gateway, whatever its tags. Subnets the stack means to be private (named/tagged private, or holding node groups and cache subnet groups) have no such route; node launch templates and instances hand out no public IP, and no subnet, public ones included, maps public IPs on launch.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.subnet, ...ROUTE_TABLE_TYPES, "aws:ec2/route:Route", "aws:ec2/routeTableAssociation:RouteTableAssociation", "aws:ec2/mainRouteTableAssociation:MainRouteTableAssociation", "aws:ec2/internetGateway:InternetGateway", ...TYPES.launchTemplate, ...TYPES.instance, ...TYPES.cacheSubnetGroup, "aws:eks/nodeGroup:NodeGroup"],
    validate: (resources, _ctx, report) => {
      for (const sn of ofType(resources, TYPES.subnet)) {
        const why = intendedPrivate(sn, resources);
        if (!why) {
          // A public subnet holds the load balancers and NAT gateways, which get their addresses from AWS: one that hands
          // every instance launched in it a public address exposes whatever is launched there next (Security Hub EC2.15).
          const maps = ifKnown(() => sn.props.mapPublicIpOnLaunch);
          if (maps === true || maps === "true") report(`Subnet "${sn.name}" hands every instance launched in it a public IPv4 address (mapPublicIpOnLaunch): the stack's public subnets hold load balancers and NAT gateways only; set it false and give an instance that must be public its own address explicitly.`, sn.urn);
          continue;
        }
        if (ifKnown(() => sn.props.mapPublicIpOnLaunch) === true || ifKnown(() => sn.props.mapPublicIpOnLaunch) === "true") {
          report(`Subnet "${sn.name}" is meant to be private (${why}) but hands every instance a public IPv4 address (mapPublicIpOnLaunch): set it false.`, sn.urn);
          for (const u of privateUsers(sn, resources)) report(`"${u.name}" uses subnet "${sn.name}", which hands every instance a public IPv4 address (mapPublicIpOnLaunch).`, u.urn);
        }
        // A peering connection is no egress path: a broad destination sent to one opens the subnet to the whole peer VPC
        // and the peer's routes decide what it reaches (least-route peering names the peer's CIDRs only).
        for (const r of ifKnown(() => routesOf(sn, resources).routes) ?? []) {
          if (r.target === "peering" && coverage([r.destination]).broad) {
            report(`Subnet "${sn.name}" is meant to be private (${why}) but "${r.declaredBy.name}" routes ${r.destination} to VPC peering ${r.targetRef}: route only the peer's CIDRs to a peering connection.`, r.declaredBy.urn);
          }
        }
        const route = ifKnown(() => publicRoute(sn, resources));
        if (!route) continue;
        const message = `Subnet "${sn.name}" is meant to be private (${why}) but routes ${route.destination} to internet gateway ${route.targetRef} (in "${route.declaredBy.name}"): it is public.`;
        report(message, sn.urn);
        report(message, route.declaredBy.urn);
        for (const a of routesOf(sn, resources).associations) report(message, a.urn);
        for (const u of privateUsers(sn, resources)) report(message, u.urn);
      }
      for (const lt of ofType(resources, [...TYPES.launchTemplate, ...TYPES.instance])) {
        const nics = list(ifKnown(() => lt.props.networkInterfaces as { associatePublicIpAddress?: unknown }[]));
        const pub = nics.some((n) => n?.associatePublicIpAddress === true || n?.associatePublicIpAddress === "true") || ifKnown(() => lt.props.associatePublicIpAddress) === true;
        if (pub) report(`"${lt.name}" gives its instances a public IP address (associatePublicIpAddress): nodes stay private.`, lt.urn);
      }
    },
  }),
  stackRule({
    name: "vpc-nat-per-az-prod",
    description: "In prod, every private subnet with a default route reaches the internet through a NAT gateway in its own zone (one NAT per AZ), so one zone's outage never cuts the others' egress; a route to a NAT gateway the stack does not declare is reported.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.subnet, "aws:ec2/natGateway:NatGateway"],
    config: environmentConfig,
    validate: (resources, { config }, report) => {
      const subnets = ofType(resources, TYPES.subnet);
      const nats = ofType(resources, ["aws:ec2/natGateway:NatGateway"]);
      const azOf = (s: PolicyResource | undefined) => (s ? ifKnown(() => String(s.props.availabilityZone ?? s.props.availabilityZoneId ?? "")) : undefined);
      for (const sn of subnets) {
        if (!isProd(config, sn.urn) || !intendedPrivate(sn, resources)) continue;
        const routes = ifKnown(() => routesOf(sn, resources).routes) ?? [];
        // Any other broad route (a transit gateway, peering connection, interface or instance, an inline table route or
        // an aws.ec2.Route beside it) takes the zone's egress away from its NAT gateway, to a path the stack does not hold.
        for (const other of routes.filter((r) => r.target !== "nat" && r.target !== "eigw" && r.target !== "igw" && coverage([r.destination]).world)) {
          const message = `Private subnet "${sn.name}" sends ${other.destination} to ${other.target === "peering" ? "peering connection" : "target"} ${other.targetRef || "(unnamed)"} (route of "${other.declaredBy.name}") instead of a NAT gateway of the stack in its zone.`;
          report(message, other.declaredBy.urn);
        }
        const egress = routes.find((r) => r.target === "nat" && coverage([r.destination]).world);
        if (!egress) continue;
        const nat = nats.find((n) => refersTo(egress.targetRef, n));
        if (!nat) {
          report(`Private subnet "${sn.name}" routes ${egress.destination} to NAT gateway ${egress.targetRef}, which the stack does not declare (deleted?).`, egress.declaredBy.urn);
          continue;
        }
        const natSubnet = subnets.find((x) => refersTo(ifKnown(() => nat.props.subnetId), x));
        const natAz = azOf(natSubnet);
        const az = azOf(sn);
        if (natAz && az && natAz !== az) {
          const message = `Private subnet "${sn.name}" (${az}) leaves through NAT gateway "${nat.name}" in ${natAz}: an outage of ${natAz} cuts its egress; give each zone its own NAT gateway.`;
          report(message, egress.declaredBy.urn);
          report(message, sn.urn);
          report(message, nat.urn);
        }
      }
    },
  }),
];
