/**
 * Can the cluster place every pod the stack may ask for? Pure: the stack's pods at their most (each
 * Deployment's maximum replicas plus its rollout surge, the cluster's system pods, one of every
 * DaemonSet pod per node) against the most nodes the node groups may have, zone by zone.
 *
 * The check is the scheduler's arithmetic, not its whole logic: pods are packed first-fit by
 * decreasing CPU onto identical nodes of one zone, every resource (CPU, memory, pod slots) must fit
 * on the same node, a Deployment with a hard zone spread (maxSkew 1) puts ⌈n / zones⌉ of its n pods
 * in the fullest zone, and a pod without one may land anywhere, so the fullest zone is assumed to
 * hold all of them. Zones are identical (one node group per zone, same sizes), so the fullest zone
 * decides. First-fit decreasing can miss a packing that exists; when it does, the stack is refused
 * and the remedy (larger or more nodes) is the same one a real scheduler would need at peak.
 */

export interface PodRequests {
  cpuMillis: number;
  memoryBytes: number;
}

export interface PlacedWorkload extends PodRequests {
  /** Names the workload in errors, e.g. "Deployment app". */
  name: string;
  /** Pods at the most: maximum replicas plus the rollout's surge. */
  pods: number;
  /** Hard spread over zones with maxSkew 1 (DoNotSchedule). */
  zoneSpread: boolean;
}

export interface PlacementNodes {
  instanceType: string;
  zones: number;
  /** The most nodes one zone's node group may have. */
  maxNodesPerZone: number;
  allocatable: { cpuMillis: number; memoryBytes: number; pods: number };
}

export interface Placement {
  nodes: PlacementNodes;
  /** What to change, appended to a Pending problem (the program names its config keys, the policy pack the plan's fields). */
  remedy?: string;
  /** One pod of each on every node. */
  daemonSets: (PodRequests & { name: string })[];
  workloads: PlacedWorkload[];
}

const MiB = 1024 ** 2;
const showMemory = (bytes: number) => `${Math.floor(bytes / MiB)}Mi`;
const showCpu = (millis: number) => `${millis}m`;

/** Pods of each workload in the fullest zone. */
export function podsInFullestZone(workload: Pick<PlacedWorkload, "pods" | "zoneSpread">, zones: number): number {
  return workload.zoneSpread ? Math.ceil(workload.pods / zones) : workload.pods;
}

export const CONFIG_REMEDY = "raise edgestack:nodeMaxSize or choose a larger edgestack:nodeInstanceType, or lower the workloads' maximum replicas or requests";

/**
 * Problems that keep a pod from being placed at peak; empty when everything fits. Each problem
 * names the workload, the instance type and the figures.
 */
export function placementProblems(p: Placement): string[] {
  return placementFindings(p).map((f) => f.message);
}

/**
 * `placementProblems` with the workloads each problem is about: the one whose single pod fits no
 * node, or every workload and DaemonSet of the fullest zone's demand when pods of it stay Pending
 * (the demand as a whole overflows; the ones left Pending are merely the last packed).
 */
export function placementFindings(p: Placement): { message: string; workloads: string[] }[] {
  const problems: { message: string; workloads: string[] }[] = [];
  const { nodes } = p;
  const perNode = p.daemonSets.reduce(
    (left, ds) => ({ cpuMillis: left.cpuMillis - ds.cpuMillis, memoryBytes: left.memoryBytes - ds.memoryBytes, pods: left.pods - 1 }),
    { ...nodes.allocatable },
  );
  const nodeText = `${nodes.instanceType} (${showCpu(perNode.cpuMillis)} CPU, ${showMemory(perNode.memoryBytes)} memory, ${perNode.pods} pods free per node after DaemonSets)`;
  if (perNode.cpuMillis <= 0 || perNode.memoryBytes <= 0 || perNode.pods <= 0) {
    return [{ message: `a node of ${nodes.instanceType} has no room left once its DaemonSets (${p.daemonSets.map((d) => d.name).join(", ")}) run`, workloads: p.daemonSets.map((d) => d.name) }];
  }
  for (const w of p.workloads) {
    if (w.cpuMillis > perNode.cpuMillis || w.memoryBytes > perNode.memoryBytes) {
      problems.push({ message: `${w.name}: one pod requests ${showCpu(w.cpuMillis)} CPU and ${showMemory(w.memoryBytes)} memory, more than a node of ${nodeText} has`, workloads: [w.name] });
    }
  }
  if (problems.length > 0) return problems;

  const pods = p.workloads
    .flatMap((w) => Array.from({ length: podsInFullestZone(w, nodes.zones) }, () => w))
    .sort((a, b) => b.cpuMillis - a.cpuMillis || b.memoryBytes - a.memoryBytes);
  const bins: { cpuMillis: number; memoryBytes: number; pods: number }[] = [];
  const unplaced = new Map<string, number>();
  for (const pod of pods) {
    let bin = bins.find((b) => b.cpuMillis >= pod.cpuMillis && b.memoryBytes >= pod.memoryBytes && b.pods >= 1);
    if (!bin && bins.length < nodes.maxNodesPerZone) {
      bin = { ...perNode };
      bins.push(bin);
    }
    if (!bin) {
      unplaced.set(pod.name, (unplaced.get(pod.name) ?? 0) + 1);
      continue;
    }
    bin.cpuMillis -= pod.cpuMillis;
    bin.memoryBytes -= pod.memoryBytes;
    bin.pods -= 1;
  }
  if (unplaced.size > 0) {
    const demand = p.workloads.map((w) => `${podsInFullestZone(w, nodes.zones)} × ${w.name} (${showCpu(w.cpuMillis)}, ${showMemory(w.memoryBytes)})`).join(", ");
    const short = [...unplaced].map(([name, n]) => `${n} × ${name}`).join(", ");
    problems.push({
      message: `at peak the fullest of ${nodes.zones} zones must hold ${demand}, but its at most ${nodes.maxNodesPerZone} node(s) of ${nodeText} leave ${short} Pending: ${p.remedy ?? CONFIG_REMEDY}`,
      // The DaemonSets take their share of every node, so they are part of what overflows too.
      workloads: [...p.workloads.map((w) => w.name), ...p.daemonSets.map((d) => d.name)],
    });
  }
  return problems;
}

/** A container's requests as the Kubernetes pod spec states them (config-validated quantities). */
export interface ContainerLike {
  resources?: { requests?: { cpu?: unknown; memory?: unknown } };
}

/**
 * A pod's effective requests, as the scheduler computes them: the sum over its containers, or the
 * largest init container's if that is more.
 */
export function podRequests(
  spec: { containers: readonly ContainerLike[]; initContainers?: readonly ContainerLike[] },
  parse: { cpuMillis(q: string): number; memoryBytes(q: string): number },
): PodRequests {
  const of = (c: ContainerLike): PodRequests => ({
    cpuMillis: c.resources?.requests?.cpu === undefined ? 0 : parse.cpuMillis(String(c.resources.requests.cpu)),
    memoryBytes: c.resources?.requests?.memory === undefined ? 0 : parse.memoryBytes(String(c.resources.requests.memory)),
  });
  const sum = spec.containers.map(of).reduce((a, b) => ({ cpuMillis: a.cpuMillis + b.cpuMillis, memoryBytes: a.memoryBytes + b.memoryBytes }), { cpuMillis: 0, memoryBytes: 0 });
  for (const init of (spec.initContainers ?? []).map(of)) {
    sum.cpuMillis = Math.max(sum.cpuMillis, init.cpuMillis);
    sum.memoryBytes = Math.max(sum.memoryBytes, init.memoryBytes);
  }
  return sum;
}

/** A rollout's surge as a pod count (an integer, or a percentage of the replicas rounded up). */
export function surgePods(maxSurge: unknown, replicas: number): number {
  if (maxSurge === undefined) return Math.ceil(replicas * 0.25);
  if (typeof maxSurge === "number") return maxSurge;
  const percent = /^(\d+)%$/.exec(String(maxSurge));
  if (percent) return Math.ceil((replicas * Number(percent[1])) / 100);
  throw new Error(`maxSurge ${JSON.stringify(maxSurge)} is neither a number nor a percentage`);
}

/** Whether a pod spec's topology spread is a hard zone spread with maxSkew 1. */
export function hasHardZoneSpread(spec: { topologySpreadConstraints?: readonly { topologyKey?: unknown; maxSkew?: unknown; whenUnsatisfiable?: unknown }[] }): boolean {
  return (spec.topologySpreadConstraints ?? []).some((c) => c.topologyKey === "topology.kubernetes.io/zone" && c.maxSkew === 1 && c.whenUnsatisfiable === "DoNotSchedule");
}
