/**
 * The stack's placement check at program start: the pods its Deployments, the cluster's add-ons and
 * the autoscaler may run at peak, built from the same pod specs the workloads declare (a sidecar or
 * a new Deployment is counted as soon as it is declared there), against the node groups' most nodes.
 */
import { AUTOSCALER_REPLICAS, autoscalerDeploymentSpec } from "../cluster/autoscaler";
import { EKS_ADDON_PODS, KNOWN_INSTANCE_TYPES_HINT, nodeAllocatable, nodeCapacity, perZoneNodeGroupSizes } from "../cluster/nodes";
import { ConfigError, type StackConfig } from "../config/schema";
import { appDeploymentSpec } from "../workloads/app";
import { type NginxConf, nginxDeploymentSpec, nginxTiers } from "../workloads/nginx";
import { cpuMillis, memoryBytes } from "../workloads/quantities";
import type { WorkloadSettings } from "../workloads/settings";
import { hasHardZoneSpread, type PlacedWorkload, type Placement, placementProblems, podRequests, surgePods } from "./placement";

const quantities = { cpuMillis, memoryBytes };

/**
 * The EKS add-ons a cluster the stack creates runs (infra/cluster/eks.ts, and Container Insights'
 * add-on when on): their pods at their published default requests (@edgestack/contract EKS_ADDON_PODS).
 */
function addonPods(c: Pick<StackConfig, "containerInsights">): { daemonSets: Placement["daemonSets"]; deployments: PlacedWorkload[] } {
  const addons = ["vpc-cni", "kube-proxy", "coredns", "metrics-server", ...(c.containerInsights ? ["amazon-cloudwatch-observability"] : [])];
  return {
    daemonSets: addons.flatMap((a) => EKS_ADDON_PODS[a]!.daemonSets),
    deployments: addons.flatMap((a) => EKS_ADDON_PODS[a]!.deployments.map((d) => ({ ...d, zoneSpread: false }))),
  };
}

type PlacementConfig = WorkloadSettings &
  Pick<StackConfig, "containerInsights" | "existingKubeconfig" | "nodeInstanceType" | "nodeMinSize" | "nodeDesiredSize" | "nodeMaxSize" | "availabilityZoneCount" | "existingPrivateSubnetIds" | "vpcId" | "kubernetesVersion" | "region">;

/** A Deployment's pods at the most, from its spec: `maxReplicas` (the HPA's, or the replica count) plus the surge. */
function deploymentAtPeak(name: string, spec: ReturnType<typeof appDeploymentSpec>, maxReplicas: number): PlacedWorkload {
  // The workloads' spec builders return plain values (config in, objects out), never Outputs.
  const podSpec = (spec.template as { spec: unknown }).spec as Parameters<typeof podRequests>[0] & Parameters<typeof hasHardZoneSpread>[0];
  const strategy = spec.strategy as { type?: string; rollingUpdate?: { maxSurge?: unknown } } | undefined;
  const surge = strategy?.type === "Recreate" ? 0 : surgePods(strategy?.rollingUpdate?.maxSurge, maxReplicas);
  return { name, pods: maxReplicas + surge, zoneSpread: hasHardZoneSpread(podSpec), ...podRequests(podSpec, quantities) };
}

/** The placement problem for a new cluster's node groups; undefined with an existing cluster (its nodes are not the stack's). */
export function stackPlacement(c: PlacementConfig, nginxConf: NginxConf): Placement | undefined {
  if (c.existingKubeconfig) return undefined;
  const capacity = nodeCapacity(c.nodeInstanceType);
  if (capacity === undefined) {
    throw new ConfigError([`edgestack:nodeInstanceType: ${JSON.stringify(c.nodeInstanceType)} is not an instance type the placement check knows (${KNOWN_INSTANCE_TYPES_HINT})`]);
  }
  const zones = c.vpcId ? c.existingPrivateSubnetIds.length : c.availabilityZoneCount;
  const sizes = perZoneNodeGroupSizes({ min: c.nodeMinSize, desired: c.nodeDesiredSize, max: c.nodeMaxSize }, zones);
  const autoscaler = autoscalerDeploymentSpec({ clusterName: "placement", region: c.region, kubernetesVersion: c.kubernetesVersion, podGracePeriodSeconds: c.terminationGracePeriodSeconds });
  const addons = addonPods(c);
  return {
    nodes: { instanceType: c.nodeInstanceType, zones, maxNodesPerZone: sizes.max, allocatable: nodeAllocatable(capacity) },
    daemonSets: addons.daemonSets,
    workloads: [
      deploymentAtPeak("Deployment app", appDeploymentSpec(c, "placement", [c.vpcCidr]), c.appMaxReplicas),
      // Every nginx tier (blue, and green while blue/green runs), each at its own replica count.
      ...nginxTiers(c).map((tier) => deploymentAtPeak(`Deployment ${tier.name}`, nginxDeploymentSpec(c, nginxConf, "placement", c.kubernetesVersion, tier), tier.replicas)),
      deploymentAtPeak("Deployment cluster-autoscaler", autoscaler, AUTOSCALER_REPLICAS),
      ...addons.deployments,
    ],
  };
}

/** Throws a ConfigError when a pod the stack may ask for at peak cannot be placed (call at program start). */
export function checkPlacement(c: PlacementConfig, nginxConf: NginxConf): void {
  const placement = stackPlacement(c, nginxConf);
  if (placement === undefined) return;
  const problems = placementProblems(placement);
  if (problems.length > 0) throw new ConfigError(problems.map((p) => `node capacity: ${p}`));
}
