/**
 * What one worker node can hold and how node-group sizes spread over zones: defined once in
 * @edgestack/contract (the policy pack judges a plan's node groups with the same table).
 */
export { EKS_ADDON_PODS, KNOWN_INSTANCE_TYPES_HINT, kubeReservedCpuMillis, nodeAllocatable, nodeCapacity, perZoneNodeGroupSizes, REPORTED_MEMORY_SHARE } from "@edgestack/contract";
export type { NodeAllocatable, NodeCapacity, NodeGroupSizes } from "@edgestack/contract";
