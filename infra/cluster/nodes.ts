/**
 * What one worker node can hold, and how the node group's sizes spread over the zones. Pure: the
 * placement check (infra/workloads/placement.ts) and the node groups (eks.ts) both read it.
 *
 * Instance capacity comes from the instance type's name (family letter and size), for the families
 * EKS teams run; a type outside them is refused with the list, rather than guessed. Allocatable is
 * what the EKS AL2023 AMI's bootstrap (nodeadm) leaves to pods: the kubelet's kube-reserved CPU and
 * memory (both derived from the ENI-based max-pods figure) and the 100Mi hard eviction threshold.
 */

export interface NodeCapacity {
  instanceType: string;
  vcpu: number;
  /** What the instance type is sold with (GiB). */
  memoryGiB: number;
  /** The ENI-based max pods of the VPC CNI without prefix delegation: ENIs × (IPv4 per ENI − 1) + 2. */
  maxPods: number;
}

export interface NodeAllocatable {
  cpuMillis: number;
  memoryBytes: number;
  pods: number;
}

const MiB = 1024 ** 2;
const GiB = 1024 ** 3;

/** Sizes of the non-burstable Nitro families: vCPUs and (ENIs, IPv4 addresses per ENI). */
const NITRO_SIZES: Record<string, { vcpu: number; enis: number; ipsPerEni: number }> = {
  medium: { vcpu: 1, enis: 2, ipsPerEni: 4 },
  large: { vcpu: 2, enis: 3, ipsPerEni: 10 },
  xlarge: { vcpu: 4, enis: 4, ipsPerEni: 15 },
  "2xlarge": { vcpu: 8, enis: 4, ipsPerEni: 15 },
  "4xlarge": { vcpu: 16, enis: 8, ipsPerEni: 30 },
  "8xlarge": { vcpu: 32, enis: 8, ipsPerEni: 30 },
  "12xlarge": { vcpu: 48, enis: 8, ipsPerEni: 30 },
  "16xlarge": { vcpu: 64, enis: 15, ipsPerEni: 50 },
};

/** Burstable t3 / t3a / t4g sizes: vCPUs, memory and ENIs. */
const BURSTABLE_SIZES: Record<string, { vcpu: number; memoryGiB: number; enis: number; ipsPerEni: number }> = {
  micro: { vcpu: 2, memoryGiB: 1, enis: 2, ipsPerEni: 2 },
  small: { vcpu: 2, memoryGiB: 2, enis: 3, ipsPerEni: 4 },
  medium: { vcpu: 2, memoryGiB: 4, enis: 3, ipsPerEni: 6 },
  large: { vcpu: 2, memoryGiB: 8, enis: 3, ipsPerEni: 12 },
  xlarge: { vcpu: 4, memoryGiB: 16, enis: 4, ipsPerEni: 15 },
  "2xlarge": { vcpu: 8, memoryGiB: 32, enis: 4, ipsPerEni: 15 },
};

/** GiB of memory per vCPU of the compute (c), general purpose (m) and memory (r) families. */
const MEMORY_PER_VCPU: Record<string, number> = { c: 2, m: 4, r: 8 };

/** The families read from a name: c/m/r generations 5–8 with their variants (i, a, g, d, n…), t3/t3a/t4g. */
const NITRO_FAMILY = /^([cmr])([5-8])([a-z]*)$/;
const BURSTABLE_FAMILY = /^t(3|3a|4g)$/;

export const KNOWN_INSTANCE_TYPES_HINT = "c/m/r generations 5–8 (e.g. m6i.large, c7g.xlarge, r6a.2xlarge) or t3/t3a/t4g (micro to 2xlarge)";

/** The instance type's capacity, or undefined when it is outside the families above. */
export function nodeCapacity(instanceType: string): NodeCapacity | undefined {
  const [family, size] = instanceType.split(".");
  if (size === undefined) return undefined;
  const burstable = BURSTABLE_FAMILY.test(family) ? BURSTABLE_SIZES[size] : undefined;
  if (burstable) return { instanceType, vcpu: burstable.vcpu, memoryGiB: burstable.memoryGiB, maxPods: burstable.enis * (burstable.ipsPerEni - 1) + 2 };
  const nitro = NITRO_FAMILY.exec(family);
  const sized = NITRO_SIZES[size];
  if (!nitro || !sized) return undefined;
  return { instanceType, vcpu: sized.vcpu, memoryGiB: sized.vcpu * MEMORY_PER_VCPU[nitro[1]], maxPods: sized.enis * (sized.ipsPerEni - 1) + 2 };
}

/**
 * The kubelet's kube-reserved CPU on the EKS AMIs: 6% of the first core, 1% of the second, 0.5% of
 * the third and fourth, 0.25% of every further core.
 */
export function kubeReservedCpuMillis(vcpu: number): number {
  let reserved = 0;
  for (let core = 1; core <= vcpu; core++) reserved += core === 1 ? 60 : core === 2 ? 10 : core <= 4 ? 5 : 2.5;
  return Math.ceil(reserved);
}

/**
 * The share of the memory an instance is sold with that the kernel reports to the kubelet as
 * capacity (firmware and kernel keep the rest; 93–95% across the families above), taken low.
 */
export const REPORTED_MEMORY_SHARE = 0.93;

/** What pods may request on one node of the type. */
export function nodeAllocatable(capacity: NodeCapacity): NodeAllocatable {
  const reportedMemory = Math.floor(capacity.memoryGiB * GiB * REPORTED_MEMORY_SHARE);
  const kubeReservedMemory = (255 + 11 * capacity.maxPods) * MiB;
  const evictionThreshold = 100 * MiB;
  return {
    cpuMillis: capacity.vcpu * 1000 - kubeReservedCpuMillis(capacity.vcpu),
    memoryBytes: reportedMemory - kubeReservedMemory - evictionThreshold,
    pods: capacity.maxPods,
  };
}

export interface NodeGroupSizes {
  min: number;
  desired: number;
  max: number;
}

/**
 * The per-zone node group sizes for stack-wide sizes: one node group per zone (so the autoscaler
 * can add a node in the zone a pending pod's zone spread asks for), each with the stack-wide figure
 * divided by the zone count and rounded up — the stack may have a few more nodes than configured,
 * never fewer in any zone.
 */
export function perZoneNodeGroupSizes(total: NodeGroupSizes, zones: number): NodeGroupSizes {
  if (!Number.isInteger(zones) || zones < 1) throw new Error(`zone count ${zones} must be a positive integer`);
  const share = (n: number) => Math.ceil(n / zones);
  return { min: share(total.min), desired: share(total.desired), max: share(total.max) };
}
