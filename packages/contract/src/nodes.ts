/**
 * What one worker node can hold, and how the node group's sizes spread over the zones. Pure: the
 * program's placement check and node groups (infra/capacity, infra/cluster/eks.ts) and the policy
 * pack's k8s-peak-fits-nodes rule all read it.
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

/**
 * What pods may request on one node of the type. `maxPods` is the kubelet's max-pods when the node's
 * bootstrap sets it (else the ENI-based figure): it caps the pod slots and sizes kube-reserved memory.
 */
export function nodeAllocatable(capacity: NodeCapacity, maxPods: number = capacity.maxPods): NodeAllocatable {
  const reportedMemory = Math.floor(capacity.memoryGiB * GiB * REPORTED_MEMORY_SHARE);
  const kubeReservedMemory = (255 + 11 * maxPods) * MiB;
  const evictionThreshold = 100 * MiB;
  return {
    cpuMillis: capacity.vcpu * 1000 - kubeReservedCpuMillis(capacity.vcpu),
    memoryBytes: reportedMemory - kubeReservedMemory - evictionThreshold,
    pods: maxPods,
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

/**
 * The pods the EKS add-ons the stack installs run with their default requests: DaemonSets (one pod
 * on every node) and cluster-wide Deployments, by add-on name (aws.eks.Addon addonName). From each
 * add-on's published defaults: vpc-cni's aws-node (with its network policy agent), kube-proxy,
 * CoreDNS's two replicas, metrics-server, and amazon-cloudwatch-observability's CloudWatch agent
 * and Fluent Bit on every node plus its operator.
 */
export const EKS_ADDON_PODS: Record<string, { daemonSets: { name: string; cpuMillis: number; memoryBytes: number }[]; deployments: { name: string; pods: number; cpuMillis: number; memoryBytes: number }[] }> = {
  "vpc-cni": { daemonSets: [{ name: "DaemonSet aws-node (vpc-cni and its network policy agent)", cpuMillis: 50, memoryBytes: 0 }], deployments: [] },
  "kube-proxy": { daemonSets: [{ name: "DaemonSet kube-proxy", cpuMillis: 100, memoryBytes: 0 }], deployments: [] },
  coredns: { daemonSets: [], deployments: [{ name: "Deployment coredns", pods: 2, cpuMillis: 100, memoryBytes: 70 * MiB }] },
  "metrics-server": { daemonSets: [], deployments: [{ name: "Deployment metrics-server", pods: 1, cpuMillis: 100, memoryBytes: 200 * MiB }] },
  "amazon-cloudwatch-observability": {
    daemonSets: [
      { name: "DaemonSet cloudwatch-agent (amazon-cloudwatch-observability)", cpuMillis: 250, memoryBytes: 128 * MiB },
      { name: "DaemonSet fluent-bit (amazon-cloudwatch-observability)", cpuMillis: 50, memoryBytes: 25 * MiB },
    ],
    deployments: [{ name: "Deployment amazon-cloudwatch-observability-controller-manager", pods: 1, cpuMillis: 100, memoryBytes: 64 * MiB }],
  },
};

const DECIMAL_SUFFIX: Record<string, number> = { n: 1e-9, u: 1e-6, m: 1e-3, "": 1, k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18 };
const BINARY_SUFFIX: Record<string, number> = { Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60 };

/**
 * A Kubernetes resource quantity as a number of base units (cores, bytes), in every spelling the API
 * server accepts: a plain or decimal number, an exponent ("1e3"), decimal SI suffixes (m, k, M, G…)
 * and binary ones (Ki, Mi, Gi…). Undefined when it is not a quantity.
 */
export function parseQuantity(quantity: unknown): number | undefined {
  if (typeof quantity === "number") return Number.isFinite(quantity) && quantity >= 0 ? quantity : undefined;
  if (typeof quantity !== "string") return undefined;
  const m = /^\+?(\d+(?:\.\d*)?|\.\d+)(?:([eE][+-]?\d+)|(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?))$/.exec(quantity.trim());
  if (!m) return undefined;
  const base = Number(m[1]);
  if (m[2]) return base * 10 ** Number(m[2].slice(1));
  if (m[3]) return base * BINARY_SUFFIX[m[3]]!;
  return base * DECIMAL_SUFFIX[m[4] ?? ""]!;
}

/** CPU and memory requests as the scheduler counts them (millicores rounded up, bytes rounded up). */
export const quantityParsers = {
  cpuMillis(q: string): number {
    const v = parseQuantity(q);
    if (v === undefined) throw new Error(`${JSON.stringify(q)} is not a CPU quantity`);
    return Math.ceil(Math.round(v * 1e9) / 1e6);
  },
  memoryBytes(q: string): number {
    const v = parseQuantity(q);
    if (v === undefined) throw new Error(`${JSON.stringify(q)} is not a memory quantity`);
    return Math.ceil(v);
  },
};
