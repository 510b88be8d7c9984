/**
 * The placement arithmetic (pods at peak against the most nodes, zone by zone): defined once in
 * @edgestack/contract, so the program's start-up check and the policy pack's k8s-peak-fits-nodes
 * rule judge a stack the same way.
 */
export { hasHardZoneSpread, placementProblems, podRequests, podsInFullestZone, surgePods } from "@edgestack/contract";
export type { ContainerLike, PlacedWorkload, Placement, PlacementNodes, PodRequests } from "@edgestack/contract";
