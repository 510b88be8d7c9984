import { EKS_ADDON_PODS, kubeReservedCpuMillis, nodeAllocatable, nodeCapacity, parseQuantity, perZoneNodeGroupSizes, quantityParsers } from "@edgestack/contract";

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

describe("nodeAllocatable with the kubelet's max pods set", () => {
  it("caps the pod slots and sizes kube-reserved memory by it", () => {
    const eni = nodeAllocatable(nodeCapacity("m6i.large")!);
    const set = nodeAllocatable(nodeCapacity("m6i.large")!, 10);
    expect(set.pods).toBe(10);
    expect(set.cpuMillis).toBe(eni.cpuMillis);
    // 11Mi of kube-reserved memory per pod slot fewer.
    expect(set.memoryBytes - eni.memoryBytes).toBe(11 * 19 * MiB);
  });
});

describe("parseQuantity and quantityParsers", () => {
  it("reads every spelling the API server accepts", () => {
    expect(parseQuantity("250m")).toBeCloseTo(0.25);
    expect(parseQuantity("1.5")).toBe(1.5);
    expect(parseQuantity(".5")).toBe(0.5);
    expect(parseQuantity("1e3")).toBe(1000);
    expect(parseQuantity("128Mi")).toBe(128 * MiB);
    expect(parseQuantity("1G")).toBe(1e9);
    expect(parseQuantity("2k")).toBe(2000);
    expect(parseQuantity(2)).toBe(2);
    for (const bad of ["", "1.5.5", "12MB", "-1", "lots", undefined, {}]) expect(parseQuantity(bad)).toBeUndefined();
  });
  it("rounds requests up as the scheduler does", () => {
    expect(quantityParsers.cpuMillis("0.9")).toBe(900);
    expect(quantityParsers.cpuMillis("100m")).toBe(100);
    expect(quantityParsers.cpuMillis("1")).toBe(1000);
    expect(quantityParsers.memoryBytes("4.5G")).toBe(4.5e9);
    expect(() => quantityParsers.cpuMillis("fast")).toThrow(/"fast" is not a CPU quantity/);
  });
});

describe("EKS_ADDON_PODS", () => {
  it("names each add-on's pods with non-negative requests", () => {
    for (const [addon, pods] of Object.entries(EKS_ADDON_PODS)) {
      for (const p of [...pods.daemonSets, ...pods.deployments]) {
        expect(p.name).toMatch(/^(DaemonSet|Deployment) /);
        expect(p.cpuMillis).toBeGreaterThanOrEqual(0);
        expect(p.memoryBytes).toBeGreaterThanOrEqual(0);
      }
      expect(pods.daemonSets.length + pods.deployments.length).toBeGreaterThan(0);
      expect(addon).toMatch(/^[a-z-]+$/);
    }
  });
});
