import { Policies, PolicyResource } from "@pulumi/policy";
import {
  EKS_ADDON_PODS,
  hasHardZoneSpread,
  type NodeAllocatable,
  nodeAllocatable,
  nodeCapacity,
  type PlacedWorkload,
  type Placement,
  placementFindings,
  podRequests,
  type PodRequests,
  quantityParsers,
  surgePods,
} from "@edgestack/contract";
import { groupEligibility, type GroupEligibility } from "../semantics/scheduling";
import { decodeUserData } from "../semantics/userdata";
import { ifKnown, list, num, ofType, refersTo, stackRule, TYPES } from "./common";

/**
 * k8s-peak-fits-nodes: the program's start-up placement check (infra/capacity) rebuilt from a plan, with the
 * same arithmetic (@edgestack/contract: the instance table, the kubelet's reservations, first-fit packing of the
 * fullest zone). What the plan declares is read, not what the config meant: every pod-bearing object at its most,
 * the add-ons' pods, and the node groups at the most nodes the autoscaler may give them.
 */

type Json = Record<string, unknown>;
type PodSpecLike = Parameters<typeof podRequests>[0] & Parameters<typeof hasHardZoneSpread>[0];

/** Plain JSON of a resource's inputs; undefined while any of it is unknown (preview). */
const snapshot = (r: PolicyResource): Json | undefined => ifKnown(() => JSON.parse(JSON.stringify(r.props ?? {})) as Json);
const obj = (v: unknown): Json => (typeof v === "object" && v !== null && !Array.isArray(v) ? (v as Json) : {});

/** The EKS default when a node group names no instance type and its launch template none either. */
const EKS_DEFAULT_INSTANCE_TYPE = "t3.medium";

/** The kubelet's max-pods when a launch template's user data sets it (nodeadm NodeConfig YAML or JSON, bootstrap.sh flags). */
export function userDataMaxPods(userData: unknown): number | undefined {
  const decoded = decodeUserData(userData);
  if (decoded === undefined) return undefined;
  const found = [...decoded.matchAll(/(?:["']?maxPods["']?\s*:\s*["']?(\d+))|(?:--max-pods[=\s]+["']?(\d+))/g)].map((m) => Number(m[1] ?? m[2]));
  return found.length > 0 ? Math.min(...found) : undefined;
}

interface NodePool {
  group: PolicyResource;
  instanceType: string;
  allocatable: NodeAllocatable;
  maxNodes: number;
  /** Subnets of the group (one per zone in the stack's layout). */
  subnets: number;
  /** Whether a pod spec may run on the group's nodes (taints, node labels). */
  admits: (podSpec: Json | undefined) => GroupEligibility;
}

/** Per-resource minimum over a group's instance types: a managed node group may launch any of them. */
function smallest(types: string[], maxPods: number | undefined): { allocatable: NodeAllocatable; unknown: string[] } {
  const unknown: string[] = [];
  let out: NodeAllocatable | undefined;
  for (const t of types) {
    const capacity = nodeCapacity(t);
    if (!capacity) {
      unknown.push(t);
      continue;
    }
    const a = nodeAllocatable(capacity, maxPods === undefined ? capacity.maxPods : Math.min(maxPods, capacity.maxPods));
    out = out ? { cpuMillis: Math.min(out.cpuMillis, a.cpuMillis), memoryBytes: Math.min(out.memoryBytes, a.memoryBytes), pods: Math.min(out.pods, a.pods) } : a;
  }
  return { allocatable: out ?? { cpuMillis: 0, memoryBytes: 0, pods: 0 }, unknown };
}

/** The container's command and args of every cluster-autoscaler the plan runs (replicas above 0). */
function autoscalerArgs(resources: PolicyResource[]): string[][] | undefined {
  const out: string[][] = [];
  for (const d of ofType(resources, TYPES.deployment)) {
    const p = snapshot(d);
    if (!p) return undefined;
    const spec = obj(p.spec);
    if (num(spec.replicas) === 0) continue;
    for (const c of list(obj(obj(obj(spec.template).spec)).containers as Json[] | undefined)) {
      const argv = [...list(c.command as string[] | undefined), ...list(c.args as string[] | undefined)].map(String);
      if (String(c.image ?? "").includes("cluster-autoscaler") || argv.some((a) => /(^|\/)cluster-autoscaler$/.test(a))) out.push(argv);
    }
  }
  return out;
}

/** The value of a `--flag=value` / `-flag=value` / `--flag value` in argv. */
function flag(argv: string[], name: string): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const m = new RegExp(`^--?${name}(?:=(.*))?$`).exec(argv[i]!);
    if (m) return m[1] ?? argv[i + 1];
  }
  return undefined;
}

/**
 * Does an autoscaler grow this node group? The stack's Cluster Autoscaler discovers the managed node groups' Auto
 * Scaling groups by the tags EKS puts on them (`k8s.io/cluster-autoscaler/enabled`, `k8s.io/cluster-autoscaler/<cluster>`):
 * a discovery naming another cluster, or none at all (and no static `--nodes` bounds), manages nothing of this one.
 */
function autoscaled(argv: string[], clusterName: string | undefined): boolean {
  const discovery = argv.filter((a) => /^--?node-group-auto-discovery=/.test(a)).map((a) => a.slice(a.indexOf("=") + 1));
  if (argv.some((a) => /^--?nodes[= ]/.test(a))) return true;
  return discovery.some((d) => {
    const tags = d.replace(/^asg:tag=/, "").split(",").map((t) => t.split("=")[0]!.trim());
    const named = tags.filter((t) => t.startsWith("k8s.io/cluster-autoscaler/") && t !== "k8s.io/cluster-autoscaler/enabled");
    return d.startsWith("asg:tag=") && tags.includes("k8s.io/cluster-autoscaler/enabled") && named.every((t) => clusterName === undefined || t === `k8s.io/cluster-autoscaler/${clusterName}`);
  });
}

/** A rollout's surge in pods; a malformed maxSurge (the API server refuses it) counts the default 25%. */
function surgeOf(maxSurge: unknown, replicas: number): number {
  try {
    return surgePods(maxSurge, replicas);
  } catch {
    return surgePods(undefined, replicas);
  }
}

/** The pod spec is kept to decide which node groups may run the pods (absent for the EKS add-ons' pods). */
interface Demand {
  workloads: (PlacedWorkload & { resource?: PolicyResource; podSpec?: Json; nodeTaintsHonored?: boolean })[];
  daemonSets: (PodRequests & { name: string; resource?: PolicyResource; podSpec?: Json })[];
}

/** Every pod the plan may run at its most; undefined while anything it reads is unknown. */
function demandOf(resources: PolicyResource[]): Demand | undefined {
  const hpas = ofType(resources, TYPES.horizontalPodAutoscaler).map(snapshot);
  if (hpas.some((h) => h === undefined)) return undefined;
  const maxReplicasOf = (kind: string, name: unknown, namespace: unknown): number | undefined => {
    const targeting = hpas.filter((h) => {
      const ref = obj(obj(h!.spec).scaleTargetRef);
      const ns = obj(h!.metadata).namespace;
      return ref.kind === kind && ref.name === name && (ns ?? "default") === (namespace ?? "default");
    });
    const maxima = targeting.map((h) => num(obj(h!.spec).maxReplicas)).filter((n): n is number => n !== undefined);
    return maxima.length > 0 ? Math.max(...maxima) : undefined;
  };
  const requestsOf = (spec: PodSpecLike): PodRequests => {
    try {
      return podRequests(spec, quantityParsers);
    } catch {
      // A quantity the API server would refuse: k8s-resources reports it; count nothing rather than guess.
      return { cpuMillis: 0, memoryBytes: 0 };
    }
  };
  const demand: Demand = { workloads: [], daemonSets: [] };
  const labels = new Set<string>();
  for (const r of ofType(resources, [...SCALABLE_KINDS, "kubernetes:apps/v1:DaemonSet", "kubernetes:core/v1:Pod"])) {
    const p = snapshot(r);
    if (!p) return undefined;
    const spec = obj(p.spec);
    const meta = obj(p.metadata);
    const kind = r.type.split(":").pop()!;
    const base = `${kind} ${typeof meta.namespace === "string" ? `${meta.namespace}/` : ""}${String(meta.name ?? r.name)}`;
    const label = labels.has(base) ? `${base} (${r.name})` : base;
    labels.add(label);
    if (r.type === "kubernetes:core/v1:Pod") {
      demand.workloads.push({ name: label, pods: 1, zoneSpread: false, ...requestsOf(spec as PodSpecLike), resource: r, podSpec: spec });
      continue;
    }
    const podSpec = obj(obj(spec.template).spec) as PodSpecLike;
    if (r.type === "kubernetes:apps/v1:DaemonSet") {
      demand.daemonSets.push({ name: label, ...requestsOf(podSpec), resource: r, podSpec: podSpec as Json });
      continue;
    }
    const replicas = num(spec.replicas) ?? 1;
    const most = Math.max(replicas, maxReplicasOf(kind, meta.name, meta.namespace) ?? replicas);
    const strategy = obj(kind === "StatefulSet" ? spec.updateStrategy : spec.strategy);
    // StatefulSets replace pods in place (no surge); a Recreate Deployment stops the old pods first.
    const surge = kind !== "Deployment" || strategy.type === "Recreate" ? 0 : surgeOf(obj(strategy.rollingUpdate).maxSurge, most);
    demand.workloads.push({ name: label, pods: most + surge, zoneSpread: hasHardZoneSpread(podSpec), ...requestsOf(podSpec), resource: r, podSpec: podSpec as Json, nodeTaintsHonored: zoneSpreadHonorsTaints(podSpec as Json) });
  }
  for (const a of ofType(resources, ["aws:eks/addon:Addon"])) {
    const name = ifKnown(() => a.props.addonName);
    const pods = typeof name === "string" ? EKS_ADDON_PODS[name] : undefined;
    if (!pods) continue;
    demand.daemonSets.push(...pods.daemonSets);
    demand.workloads.push(...pods.deployments.map((d) => ({ ...d, zoneSpread: false })));
  }
  return demand;
}

/** Whether the hard zone spread skips tainted nodes' zones (nodeTaintsPolicy Honor); by default they count as domains. */
function zoneSpreadHonorsTaints(podSpec: Json): boolean {
  return list(podSpec.topologySpreadConstraints as Json[] | undefined).some((c) => obj(c).topologyKey === "topology.kubernetes.io/zone" && obj(c).nodeTaintsPolicy === "Honor");
}

/** Workload kinds whose replica count an HPA may raise. */
const SCALABLE_KINDS = ["kubernetes:apps/v1:Deployment", "kubernetes:apps/v1:StatefulSet", "kubernetes:apps/v1:ReplicaSet", "kubernetes:core/v1:ReplicationController"];

export const capacityPolicies: Policies = [
  stackRule({
    name: "k8s-peak-fits-nodes",
    judges: [...SCALABLE_KINDS, "kubernetes:apps/v1:DaemonSet", "kubernetes:core/v1:Pod", ...TYPES.horizontalPodAutoscaler, "aws:eks/nodeGroup:NodeGroup"],
    description:
      "Every pod the stack may run at peak can be placed on the most nodes its node groups may have, zone by zone — the program's start-up check (@edgestack/contract placementProblems) rebuilt from the plan: each Deployment at its HPA's maxReplicas (else replicas) plus its rollout surge, StatefulSets and bare pods, the DaemonSets and the EKS add-ons' pods on every node, against each node group's scalingConfig.maxSize (its desiredSize when no Cluster Autoscaler discovers it; capped by --max-nodes-total) of its smallest instance type's allocatable CPU, memory and pod slots (the kubelet's max-pods from the launch template's user data when set), a hard zone spread putting ⌈n / zones⌉ pods in the fullest zone.",
    enforcementLevel: "mandatory",
    validate: (resources, _ctx, report) => {
      const groups = ofType(resources, ["aws:eks/nodeGroup:NodeGroup"]);
      // No node group of the stack's (an existing cluster): its nodes are not the plan's to judge.
      if (groups.length === 0) return;
      const demand = demandOf(resources);
      const autoscalers = autoscalerArgs(resources);
      if (!demand || !autoscalers) return;
      const launchTemplates = ofType(resources, TYPES.launchTemplate);
      const pools: NodePool[] = [];
      for (const g of groups) {
        const p = snapshot(g);
        if (!p) return;
        const lt = launchTemplates.find((t) => {
          const ref = obj(p.launchTemplate);
          return refersTo(ref.id, t) || refersTo(ref.name, t);
        });
        const ltProps = lt ? snapshot(lt) : {};
        if (!ltProps) return;
        const types = list(p.instanceTypes as string[] | undefined).map(String);
        const instanceTypes = types.length > 0 ? types : typeof ltProps.instanceType === "string" ? [ltProps.instanceType] : [EKS_DEFAULT_INSTANCE_TYPE];
        const { allocatable, unknown } = smallest(instanceTypes, userDataMaxPods(ltProps.userData));
        if (unknown.length > 0) {
          report(`Node group "${g.name}" runs instance type(s) ${unknown.join(", ")} the capacity table (@edgestack/contract nodeCapacity) does not know, so whether the stack's pods fit at peak can't be verified; use a listed type or add it to the table.`, g.urn);
          continue;
        }
        const scaling = obj(p.scalingConfig);
        const clusterName = typeof p.clusterName === "string" ? p.clusterName : undefined;
        const grows = autoscalers.some((argv) => autoscaled(argv, clusterName));
        const maxNodes = (grows ? num(scaling.maxSize) : num(scaling.desiredSize) ?? num(scaling.minSize)) ?? 0;
        const userData = decodeUserData(ltProps.userData);
        pools.push({
          group: g,
          instanceType: instanceTypes.join("|"),
          allocatable,
          maxNodes,
          subnets: list(p.subnetIds as unknown[] | undefined).length,
          admits: (podSpec) => (podSpec ? groupEligibility(podSpec, p, userData) : { eligible: true }),
        });
      }
      if (pools.length === 0) return;
      const reported = new Set<string>();
      const reportOnce = (message: string, target: PolicyResource) => {
        if (reported.has(target.urn)) return;
        reported.add(target.urn);
        report(message, target.urn);
      };
      // Pods no node group admits (taints not tolerated, node labels not selected) stay Pending at any size.
      const admitted = new Map<string, NodePool[]>();
      for (const w of demand.workloads) {
        const verdicts = pools.map((pool) => ({ pool, verdict: pool.admits(w.podSpec) }));
        const eligible = verdicts.filter((v) => v.verdict.eligible).map((v) => v.pool);
        admitted.set(w.name, eligible);
        if (eligible.length === 0 && w.resource) {
          const why = verdicts.map((v) => `node group "${v.pool.group.name}": ${v.verdict.reason}`).join("; ");
          reportOnce(`${w.name}'s pods can be placed on no node group of the stack, so they stay Pending: ${why}. Add a matching toleration or node label, or a node group for them.`, w.resource);
          continue;
        }
        // A hard zone spread counts a tainted group's zone as a domain (nodeTaintsPolicy Ignore, the default) that
        // stays empty: with maxSkew 1 every other zone then holds at most one pod.
        const taintedZones = verdicts.filter((v) => !v.verdict.eligible && v.verdict.byTaintsOnly).length;
        if (w.zoneSpread && !w.nodeTaintsHonored && taintedZones > 0 && w.pods > eligible.length && w.resource) {
          reportOnce(
            `${w.name} spreads over zones with maxSkew 1 (DoNotSchedule), but ${taintedZones} zone(s) whose node group taints it away still count as zones (nodeTaintsPolicy Ignore) and stay at 0 pods, so only ${eligible.length} of its ${w.pods} pods at peak can be placed; tolerate the taint, set nodeTaintsPolicy: Honor, or remove the taint.`,
            w.resource,
          );
        }
      }
      const daemonSetsOn = (pool: NodePool) => demand.daemonSets.filter((d) => pool.admits(d.podSpec).eligible);
      const workloadsOn = (members: NodePool[]) => demand.workloads.filter((w) => (admitted.get(w.name) ?? []).some((p) => members.includes(p)));
      // One group per zone (the stack's layout): each group is a zone and must hold the fullest zone's pods. Groups
      // spanning several subnets are one pool the scheduler fills as a whole (zones then don't bound anything).
      const perZone = pools.every((p) => p.subnets === 1);
      const totalCap = Math.min(...autoscalers.map((argv) => num(flag(argv, "max-nodes-total")) ?? Infinity));
      const zones = perZone ? pools.length : 1;
      const judged: { pool: NodePool; members: NodePool[]; maxNodes: number }[] = perZone
        ? pools.map((pool) => ({ pool, members: [pool], maxNodes: Math.min(pool.maxNodes, Math.floor(totalCap / zones)) }))
        : [
            {
              pool: {
                ...pools[0]!,
                instanceType: [...new Set(pools.map((p) => p.instanceType))].join("|"),
                allocatable: {
                  cpuMillis: Math.min(...pools.map((p) => p.allocatable.cpuMillis)),
                  memoryBytes: Math.min(...pools.map((p) => p.allocatable.memoryBytes)),
                  pods: Math.min(...pools.map((p) => p.allocatable.pods)),
                },
              },
              members: pools,
              maxNodes: Math.min(totalCap, pools.reduce((n, p) => n + p.maxNodes, 0)),
            },
          ];
      const byName = new Map<string, PolicyResource>();
      for (const w of [...demand.workloads, ...demand.daemonSets]) if (w.resource) byName.set(w.name, w.resource);
      for (const { pool, members, maxNodes } of judged) {
        // A spread workload's pods are shared among the zones that admit it; the others put all of theirs in the fullest.
        const workloads = workloadsOn(members).map(({ name, pods, cpuMillis, memoryBytes, zoneSpread }) => {
          const eligibleZones = perZone ? (admitted.get(name) ?? []).length : 1;
          return { name, pods: zoneSpread ? Math.ceil(pods / Math.max(1, eligibleZones)) : pods, cpuMillis, memoryBytes, zoneSpread: false };
        });
        const placement: Placement = {
          nodes: { instanceType: pool.instanceType, zones, maxNodesPerZone: maxNodes, allocatable: pool.allocatable },
          daemonSets: (perZone ? daemonSetsOn(pool) : demand.daemonSets).map(({ name, cpuMillis, memoryBytes }) => ({ name, cpuMillis, memoryBytes })),
          workloads,
          remedy: "raise the node groups' scalingConfig.maxSize (with an autoscaler that discovers them) or their instance type, or lower the HPA's maxReplicas, the replicas, the surge or the pods' requests",
        };
        const where = perZone ? `node group "${pool.group.name}"` : `node groups ${pools.map((p) => `"${p.group.name}"`).join(", ")}`;
        for (const f of placementFindings(placement)) {
          const message = `Pods can't be placed at peak on ${where}: ${f.message}.`;
          const targets = [...f.workloads.map((w) => byName.get(w)).filter((r): r is PolicyResource => r !== undefined), ...(perZone ? [pool.group] : pools.map((p) => p.group))];
          for (const t of targets) reportOnce(message, t);
        }
      }
    },
  }),
];
