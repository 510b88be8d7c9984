import { kubeReservedCpuMillis, nodeAllocatable, nodeCapacity, perZoneNodeGroupSizes } from "../../../infra/cluster/nodes";

const MiB = 1024 ** 2;

describe("nodeCapacity", () => {
  it("reads vCPUs, memory and ENI-based max pods from the type's family and size", () => {
    expect(nodeCapacity("m6i.large")).toEqual({ instanceType: "m6i.large", vcpu: 2, memoryGiB: 8, maxPods: 29 });
    expect(nodeCapacity("c7g.xlarge")).toEqual({ instanceType: "c7g.xlarge", vcpu: 4, memoryGiB: 8, maxPods: 58 });
    expect(nodeCapacity("r6a.2xlarge")).toEqual({ instanceType: "r6a.2xlarge", vcpu: 8, memoryGiB: 64, maxPods: 58 });
    expect(nodeCapacity("m5.4xlarge")).toEqual({ instanceType: "m5.4xlarge", vcpu: 16, memoryGiB: 64, maxPods: 234 });
    expect(nodeCapacity("t3.medium")).toEqual({ instanceType: "t3.medium", vcpu: 2, memoryGiB: 4, maxPods: 17 });
    expect(nodeCapacity("t4g.micro")?.maxPods).toBe(4);
    expect(nodeCapacity("m6g.medium")).toEqual({ instanceType: "m6g.medium", vcpu: 1, memoryGiB: 4, maxPods: 8 });
  });

  it("refuses to guess outside the families it knows", () => {
    for (const t of ["x2idn.large", "p4d.24xlarge", "m6i.metal", "t2.medium", "m6i", "m9i.large"]) expect(nodeCapacity(t)).toBeUndefined();
  });
});

describe("nodeAllocatable", () => {
  it("takes the kubelet's kube-reserved CPU by the EKS formula", () => {
    expect(kubeReservedCpuMillis(1)).toBe(60);
    expect(kubeReservedCpuMillis(2)).toBe(70);
    expect(kubeReservedCpuMillis(4)).toBe(80);
    expect(kubeReservedCpuMillis(8)).toBe(90);
  });

  it("leaves pods the capacity less kube-reserved memory (11Mi a pod + 255Mi) and the eviction threshold", () => {
    const a = nodeAllocatable(nodeCapacity("m6i.large")!);
    expect(a.cpuMillis).toBe(1930);
    expect(a.pods).toBe(29);
    expect(a.memoryBytes).toBe(Math.floor(8 * 1024 ** 3 * 0.93) - (255 + 11 * 29) * MiB - 100 * MiB);
    // A t3.micro keeps a few hundred MiB for pods at most.
    expect(nodeAllocatable(nodeCapacity("t3.micro")!).memoryBytes).toBeLessThan(700 * MiB);
  });
});

describe("perZoneNodeGroupSizes", () => {
  it("spreads stack-wide sizes over the zones, rounded up so no zone gets fewer", () => {
    expect(perZoneNodeGroupSizes({ min: 3, desired: 3, max: 9 }, 3)).toEqual({ min: 1, desired: 1, max: 3 });
    expect(perZoneNodeGroupSizes({ min: 2, desired: 2, max: 3 }, 2)).toEqual({ min: 1, desired: 1, max: 2 });
    expect(perZoneNodeGroupSizes({ min: 1, desired: 1, max: 1 }, 3)).toEqual({ min: 1, desired: 1, max: 1 });
    expect(() => perZoneNodeGroupSizes({ min: 1, desired: 1, max: 1 }, 0)).toThrow(/zone count 0/);
  });
});
