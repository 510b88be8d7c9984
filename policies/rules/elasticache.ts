import type { elasticache } from "@pulumi/aws";
import { Policies, PolicyResource } from "@pulumi/policy";
import { environmentConfig, ifKnown, isProd, isSet, list, masked, num, ofType, Props, refersTo, resourceRule, siblings, stackRule, TYPES, unknownAt } from "./common";
import { publicRoute } from "./network";
import { showsMasks } from "./k8s-objects";

type ReplicationGroup = Props<elasticache.ReplicationGroupArgs>;

const truthy = (v: unknown) => v === true || v === "true";

/** A user that connects without a password and is switched on (access string starting with "on"). */
export function openCacheUser(p: Record<string, unknown>): string | undefined {
  const mode = (p.authenticationMode ?? {}) as { type?: string };
  const nopass = p.noPasswordRequired === true || p.noPasswordRequired === "true" || mode.type === "no-password-required" || /(^|\s)nopass(\s|$)/.test(String(p.accessString ?? ""));
  const on = /(^|\s)on(\s|$)/.test(String(p.accessString ?? ""));
  if (!nopass || !on) return undefined;
  const all = /~\*|allkeys/.test(String(p.accessString)) && /\+@all|allcommands/.test(String(p.accessString));
  return `user "${p.userName ?? p.userId}" needs no password${all ? " and may run every command on every key" : ""} (${p.accessString})`;
}

export const elasticachePolicies: Policies = [
  resourceRule<Record<string, unknown>>({
    name: "elasticache-minor-upgrades",
    description: "ElastiCache replication groups and cache clusters take the engine's minor (security) releases automatically: autoMinorVersionUpgrade is not false (AWS Security Hub ElastiCache.2). It does not judge the engine version itself.",
    enforcementLevel: "mandatory",
    types: [...TYPES.replicationGroup, "aws:elasticache/cluster:Cluster"],
    validate: (p, { args }, report) => {
      const v = p.autoMinorVersionUpgrade;
      if (v === false || (typeof v === "string" && v.trim().toLowerCase() === "false")) report(`"${args.name}" sets autoMinorVersionUpgrade false: the engine's minor releases (security fixes) are not applied; leave it on (they install in the maintenance window).`);
    },
  }),
  resourceRule<ReplicationGroup>({
    name: "elasticache-encryption",
    description: "ElastiCache replication groups encrypt in transit (mode required) and at rest.",
    enforcementLevel: "mandatory",
    types: TYPES.replicationGroup,
    validate: (p, { args }, report) => {
      if (!truthy(p.transitEncryptionEnabled)) report(`Replication group "${args.name}" must set transitEncryptionEnabled: true.`);
      else if (p.transitEncryptionMode === "preferred") report(`Replication group "${args.name}" has transitEncryptionMode "preferred", which still accepts plaintext; use "required".`);
      if (!truthy(p.atRestEncryptionEnabled)) report(`Replication group "${args.name}" must set atRestEncryptionEnabled: true.`);
    },
  }),
  stackRule({
    name: "elasticache-auth",
    description: "ElastiCache replication groups require authentication (an AUTH token, or RBAC user groups every user of which needs a password); no cache user is switched on without a password (nopass, no-password-required), least of all one with every command on every key; no user group holds ElastiCache's stock user \"default\" (password-less) unless the stack replaces it with its own user of that id; no AUTH token or user password is written as a literal (a value the plan file does not mask as a Pulumi secret; judged on plan files only, as a CLI run hands policies secrets unwrapped).",
    enforcementLevel: "mandatory",
    judges: [...TYPES.replicationGroup, "aws:elasticache/user:User", "aws:elasticache/userGroup:UserGroup", "aws:elasticache/userGroupAssociation:UserGroupAssociation"],
    validate: (resources, _ctx, report) => {
      const users = ofType(resources, ["aws:elasticache/user:User"]);
      const groups = ofType(resources, ["aws:elasticache/userGroup:UserGroup"]);
      const associations = ofType(resources, ["aws:elasticache/userGroupAssociation:UserGroupAssociation"]);
      const openUsers = new Map<PolicyResource, string>();
      // Literal credentials show only in plan files, which mask Pulumi secrets (a CLI run hands policies them unwrapped).
      const masks = showsMasks(resources);
      for (const u of users) {
        const mode = ifKnown(() => u.props.authenticationMode as { passwords?: unknown } | undefined);
        const passwords = [...list(ifKnown(() => u.props.passwords as unknown[])), ...list(mode?.passwords as unknown[] | undefined)];
        if (masks && passwords.some((x) => typeof x === "string" && x !== "" && !masked(x))) report(`ElastiCache user "${u.name}" has a password written as a literal, not a Pulumi secret: it is readable in the plan and the state.`, u.urn);
        const why = ifKnown(() => openCacheUser({ ...u.props }));
        if (why) {
          openUsers.set(u, why);
          report(`ElastiCache ${why}: anyone who reaches the cache connects as it.`, u.urn);
        }
      }
      const membersOf = (g: PolicyResource) => {
        const ids = [...list(ifKnown(() => g.props.userIds as unknown[])), ...associations.filter((a) => refersTo(ifKnown(() => a.props.userGroupId), g, ["userGroupId"])).map((a) => ifKnown(() => a.props.userId))];
        return users.filter((u) => ids.some((id) => refersTo(id, u, ["userId", "userName"])));
      };
      // ElastiCache's own user "default" (on ~* +@all nopass) stands for itself unless the stack declares a user of that id.
      const stockDefault = (g: PolicyResource) => {
        const ids = [...list(ifKnown(() => g.props.userIds as unknown[])), ...associations.filter((a) => refersTo(ifKnown(() => a.props.userGroupId), g, ["userGroupId"])).map((a) => ifKnown(() => a.props.userId))];
        // A user whose id is not known yet (preview) may be the stack's own "default".
        return ids.some((id) => String(id) === "default") && !users.some((u) => unknownAt(() => u.props.userId) || String(ifKnown(() => u.props.userId) ?? "") === "default");
      };
      for (const g of groups) {
        if (stockDefault(g)) report(`ElastiCache user group "${g.name}" holds ElastiCache's stock user "default" (on ~* +@all nopass): anyone who reaches the cache connects as it; declare a user with userId "default" that needs a password (or is off) and put that in the group.`, g.urn);
      }
      for (const rg of ofType(resources, TYPES.replicationGroup)) {
        const p = ifKnown(() => ({ ...(rg.props as ReplicationGroup) }));
        if (!p) continue;
        const groupRefs = list(p.userGroupIds);
        if (String(p.authTokenUpdateStrategy ?? "") === "DELETE" && groupRefs.length === 0) {
          report(`Replication group "${rg.name}" sets authTokenUpdateStrategy DELETE, which removes its AUTH token: clients connect without credentials.`, rg.urn);
        }
        // A token written into the program is in the state and the plan in clear: whoever reads either connects.
        if (masks && typeof p.authToken === "string" && p.authToken !== "" && !masked(p.authToken)) {
          report(`Replication group "${rg.name}" sets its authToken as a literal, not a Pulumi secret: the token is readable in the plan and the state; generate it (random.RandomPassword) or read it as a secret.`, rg.urn);
        }
        if (!isSet(p.authToken) && !isSet(p.authTokenWo) && groupRefs.length === 0) {
          report(`Replication group "${rg.name}" has no authToken (or userGroupIds); clients could connect without credentials.`, rg.urn);
        }
        for (const ref of groupRefs) {
          const g = groups.find((x) => refersTo(ref, x, ["userGroupId"]));
          if (g && stockDefault(g)) report(`Replication group "${rg.name}" admits user group "${g.name}", which holds ElastiCache's password-less stock user "default": clients connect without credentials.`, rg.urn);
          for (const u of g ? membersOf(g) : []) {
            const why = openUsers.get(u);
            if (why) report(`Replication group "${rg.name}" admits user group "${g!.name}", whose ${why}: clients connect without credentials.`, rg.urn);
          }
        }
      }
    },
  }),
  resourceRule<ReplicationGroup>({
    name: "elasticache-failover-prod",
    description: "In prod, ElastiCache replication groups have a replica, automatic failover and multi-AZ, and no pinned placement (preferredCacheClusterAzs, nodeGroupConfigurations) puts a shard's nodes in one zone.",
    enforcementLevel: "mandatory",
    types: TYPES.replicationGroup,
    config: environmentConfig,
    validate: (p, { args, config }, report) => {
      if (!isProd(config, args)) return;
      if (!truthy(p.automaticFailoverEnabled)) report(`Replication group "${args.name}" in a prod stack must set automaticFailoverEnabled: true.`);
      if (!truthy(p.multiAzEnabled)) report(`Replication group "${args.name}" in a prod stack must set multiAzEnabled: true.`);
      const nodes = num(p.numCacheClusters);
      const replicas = num(p.replicasPerNodeGroup);
      if (nodes !== undefined && nodes < 2 && (replicas === undefined || replicas < 1)) {
        report(`Replication group "${args.name}" in a prod stack has numCacheClusters ${nodes}; failover needs at least one replica (2 nodes).`);
      }
      // Cluster mode (or a group sized by shards): each shard's replicas are what fails over.
      if (nodes === undefined && (replicas === undefined || replicas < 1)) {
        report(`Replication group "${args.name}" in a prod stack has ${replicas === undefined ? "no replicasPerNodeGroup (0 replicas)" : `replicasPerNodeGroup ${replicas}`}: each shard needs at least one replica in another zone to fail over to.`);
      }
      // Placement the program pins: multi-AZ is an effect only if a shard's nodes sit in more than one zone.
      const pinned = (p as { preferredCacheClusterAzs?: unknown[] }).preferredCacheClusterAzs;
      if (Array.isArray(pinned) && pinned.length > 1 && new Set(pinned.map(String)).size < 2) report(`Replication group "${args.name}" in a prod stack places every node in ${String(pinned[0])} (preferredCacheClusterAzs): a zone's loss takes the primary and its replicas together.`);
      for (const g of list((p as { nodeGroupConfigurations?: unknown[] }).nodeGroupConfigurations) as { nodeGroupId?: unknown; primaryAvailabilityZone?: unknown; replicaAvailabilityZones?: unknown[] }[]) {
        const zones = [g?.primaryAvailabilityZone, ...list(g?.replicaAvailabilityZones)].filter((z) => typeof z === "string");
        if (zones.length > 1 && new Set(zones).size < 2) report(`Replication group "${args.name}" in a prod stack places shard ${String(g?.nodeGroupId ?? "?")}'s primary and replicas all in ${String(zones[0])} (nodeGroupConfigurations): a zone's loss takes the whole shard.`);
      }
    },
  }),
  stackRule({
    name: "elasticache-keeps-live-limits",
    description:
      "A replication group's parameter group never evicts a key that has no expiry or is still inside its window ahead of expiring ones: maxmemory-policy is volatile-ttl (the default of the rate-limit store: under memory pressure the previous buckets go first), another volatile-* policy or noeviction. An allkeys-* policy (or the engine default volatile-lru left implicit where the group says otherwise) drops live limiter windows, and a dropped window is a reset limit.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.replicationGroup, "aws:elasticache/parameterGroup:ParameterGroup"],
    config: {
      allowedPolicies: { type: "array", items: { type: "string" }, default: ["volatile-ttl", "volatile-lru", "volatile-lfu", "volatile-random", "noeviction"], description: "maxmemory-policy values a rate-limit store may use." },
    },
    validate: (resources, { config }, report) => {
      const groups = ofType(resources, ["aws:elasticache/parameterGroup:ParameterGroup"]);
      const allowed = config.allowedPolicies as string[];
      for (const rg of ofType(resources, TYPES.replicationGroup)) {
        const ref = ifKnown(() => (rg.props as ReplicationGroup).parameterGroupName);
        const group = groups.find((g) => refersTo(ref, g, ["name", "id"]));
        if (!group) continue; // an AWS default group (volatile-lru) or one outside the stack
        const params = ifKnown(() => list(group.props.parameters as { name?: unknown; value?: unknown }[] | undefined));
        if (params === undefined) continue;
        const policy = String(params.find((x) => x?.name === "maxmemory-policy")?.value ?? "volatile-lru");
        if (!allowed.includes(policy)) report(`Replication group "${rg.name}" runs with maxmemory-policy ${policy} (parameter group "${group.name}"): under memory pressure it evicts live rate-limit windows, resetting clients' limits; use volatile-ttl.`, rg.urn);
      }
    },
  }),
  stackRule({
    name: "elasticache-private-subnets",
    description: "ElastiCache replication groups use a subnet group whose subnets are private by their routes (no broad route to an internet gateway, whatever the tags), never the default VPC.",
    enforcementLevel: "mandatory",
    judges: [...TYPES.cacheSubnetGroup, ...TYPES.subnet, ...TYPES.replicationGroup],
    validate: (resources, _ctx, report) => {
      const subnetGroups = ofType(resources, TYPES.cacheSubnetGroup);
      const subnets = ofType(resources, TYPES.subnet);
      for (const rg of ofType(resources, TYPES.replicationGroup)) {
        const name = ifKnown(() => (rg.props as ReplicationGroup).subnetGroupName);
        const known = ifKnown(() => ((rg.props as ReplicationGroup).subnetGroupName, true)) === true;
        // A missing name may be a computed one (e.g. `subnetGroup.name` of an auto-named group) that the engine
        // leaves out: judge it missing only when the stack declares no subnet group it could come from.
        // "default" is the default VPC's subnet group (public subnets of another network), whatever the stack declares.
        if (typeof name === "string" && name.toLowerCase() === "default") {
          report(`Replication group "${rg.name}" uses the "default" subnet group, i.e. the default VPC's (public) subnets, not the stack's private ones.`, rg.urn);
          continue;
        }
        if (known && !isSet(name) && subnetGroups.length === 0) {
          report(`Replication group "${rg.name}" has no subnetGroupName, so it lands in the default VPC's (public) subnets.`, rg.urn);
          continue;
        }
        const group = isSet(name) ? subnetGroups.find((g) => refersTo(name, g)) : subnetGroups.find((g) => siblings(g, rg)) ?? (subnetGroups.length === 1 ? subnetGroups[0] : undefined);
        if (!group) continue; // unknown during preview or an existing group: not decidable here
        for (const ref of list(ifKnown(() => group.props.subnetIds as unknown[]))) {
          const subnet = subnets.find((s) => refersTo(ref, s));
          const route = subnet && ifKnown(() => publicRoute(subnet, resources));
          if (subnet && route) report(`Replication group "${rg.name}" subnet group "${group.name}" includes public subnet "${subnet.name}" (it routes ${route.destination} to internet gateway ${route.targetRef} in "${route.declaredBy.name}").`, rg.urn);
        }
      }
    },
  }),
];
