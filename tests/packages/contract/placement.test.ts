import { hasHardZoneSpread, type Placement, placementFindings, placementProblems, podRequests, podsInFullestZone, surgePods } from "@edgestack/contract";
import { cpuMillis, memoryBytes } from "../../../infra/workloads/quantities";

const MiB = 1024 ** 2;
const node = { cpuMillis: 2000, memoryBytes: 4096 * MiB, pods: 10 };
const base = (workloads: Placement["workloads"], maxNodesPerZone = 2, zones = 3): Placement => ({
  nodes: { instanceType: "test.large", zones, maxNodesPerZone, allocatable: node },
  daemonSets: [{ name: "ds", cpuMillis: 100, memoryBytes: 0 }],
  workloads,
});
const w = (name: string, pods: number, cpu: number, memMi: number, zoneSpread = true) => ({ name, pods, cpuMillis: cpu, memoryBytes: memMi * MiB, zoneSpread });

describe("placementProblems", () => {
  it("accepts pods that fit the fullest zone's nodes", () => {
    // 12 spread pods over 3 zones: 4 in the fullest zone × 900m = 3600m ≤ 2 × 1900m.
    expect(placementProblems(base([w("Deployment app", 12, 900, 256)]))).toEqual([]);
  });

  it("refuses when the fullest zone cannot hold its share, naming the workload and the remedy", () => {
    // 13 pods: 5 in the fullest zone, 2 nodes hold 4 of them (two 900m pods per 1900m node).
    const problems = placementProblems(base([w("Deployment app", 13, 900, 256)]));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/fullest of 3 zones must hold 5 × Deployment app/);
    expect(problems[0]).toMatch(/leave 1 × Deployment app Pending/);
    expect(problems[0]).toMatch(/edgestack:nodeMaxSize/);
  });

  it("packs CPU, memory and pod slots on the same node", () => {
    // Memory-bound: 3 pods of 1.5Gi per node do not fit 4Gi; 4 pods in a zone of 2 nodes need 2 per node.
    expect(placementProblems(base([w("Deployment mem", 12, 100, 1500)]))).toEqual([]);
    expect(placementProblems(base([w("Deployment mem", 15, 100, 1500)]))[0]).toMatch(/Pending/);
    // Pod slots: 9 free a node after the DaemonSet, 2 nodes → 18 pods.
    expect(placementProblems(base([w("Deployment tiny", 54, 1, 1)]))).toEqual([]);
    expect(placementProblems(base([w("Deployment tiny", 55, 1, 1)]))[0]).toMatch(/1 × Deployment tiny Pending/);
  });

  it("counts pods without a zone spread in the fullest zone", () => {
    expect(placementProblems(base([w("Deployment system", 4, 900, 64, false)]))).toEqual([]);
    expect(placementProblems(base([w("Deployment system", 5, 900, 64, false)]))[0]).toMatch(/5 × Deployment system/);
  });

  it("refuses a pod larger than any node, before packing", () => {
    expect(placementProblems(base([w("Deployment big", 1, 1950, 64)]))).toEqual([expect.stringMatching(/Deployment big: one pod requests 1950m CPU/)]);
  });

  it("refuses nodes the DaemonSets fill", () => {
    const p = base([]);
    p.daemonSets = [{ name: "ds-huge", cpuMillis: 2000, memoryBytes: 0 }];
    expect(placementProblems(p)[0]).toMatch(/no room left once its DaemonSets \(ds-huge\) run/);
  });

  it("says which workloads each problem is about, and takes the reader's remedy", () => {
    expect(placementFindings(base([w("Deployment big", 1, 1950, 64), w("Deployment small", 1, 10, 1)]))).toEqual([{ message: expect.stringMatching(/^Deployment big:/), workloads: ["Deployment big"] }]);
    const overflow = placementFindings({ ...base([w("Deployment app", 13, 900, 256), w("Deployment side", 1, 10, 1, false)]), remedy: "grow the node group" });
    expect(overflow).toEqual([{ message: expect.stringMatching(/Pending: grow the node group$/), workloads: ["Deployment app", "Deployment side", "ds"] }]);
    expect(placementProblems(base([w("Deployment app", 13, 900, 256)]))[0]).toMatch(/edgestack:nodeMaxSize/);
  });
});

describe("pod arithmetic", () => {
  it("spreads ⌈n / zones⌉ into the fullest zone", () => {
    expect(podsInFullestZone({ pods: 13, zoneSpread: true }, 3)).toBe(5);
    expect(podsInFullestZone({ pods: 13, zoneSpread: false }, 3)).toBe(13);
  });

  it("sums container requests, or takes the largest init container's when larger", () => {
    const q = { cpuMillis, memoryBytes };
    const containers = [{ resources: { requests: { cpu: "250m", memory: "256Mi" } } }, { resources: { requests: { cpu: "50m" } } }, {}];
    expect(podRequests({ containers }, q)).toEqual({ cpuMillis: 300, memoryBytes: 256 * MiB });
    expect(podRequests({ containers, initContainers: [{ resources: { requests: { cpu: "1", memory: "64Mi" } } }] }, q)).toEqual({ cpuMillis: 1000, memoryBytes: 256 * MiB });
  });

  it("reads a surge as a count or a percentage, defaulting to Kubernetes' 25%", () => {
    expect(surgePods(1, 12)).toBe(1);
    expect(surgePods("50%", 5)).toBe(3);
    expect(surgePods(undefined, 12)).toBe(3);
    expect(() => surgePods("lots", 3)).toThrow(/maxSurge "lots"/);
  });

  it("recognises a hard zone spread only with maxSkew 1 and DoNotSchedule", () => {
    const zone = { topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule" };
    expect(hasHardZoneSpread({ topologySpreadConstraints: [zone] })).toBe(true);
    expect(hasHardZoneSpread({ topologySpreadConstraints: [{ ...zone, whenUnsatisfiable: "ScheduleAnyway" }] })).toBe(false);
    expect(hasHardZoneSpread({ topologySpreadConstraints: [{ ...zone, maxSkew: 2 }] })).toBe(false);
    expect(hasHardZoneSpread({})).toBe(false);
  });
});
