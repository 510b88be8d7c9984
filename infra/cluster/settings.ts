/**
 * Pure rules for the EKS cluster: endpoint access, IAM trust and managed policies, AMI type,
 * control-plane log types, the OIDC thumbprint and the cluster name.
 */
import { ConfigError, type StackConfig } from "../config/schema";
import { Naming, physicalNamePrefix } from "../naming";

/**
 * What a program that creates a cluster needs beyond the schema: the deploy role (the cluster grants
 * the creator no admin, so without it nothing could deploy the workloads). A program that creates
 * no cluster (examples/edge-only) never names one.
 */
export function clusterSettingsProblems(s: Pick<StackConfig, "existingKubeconfig" | "ciDeployRoleArn">): string[] {
  const creates = !s.existingKubeconfig;
  if (creates && !s.ciDeployRoleArn) {
    return [`edgestack:ciDeployRoleArn: is required for a cluster the stack creates (the cluster grants no bootstrap admin; without it nothing can deploy the workloads)`];
  }
  return [];
}

/** Throws a ConfigError listing clusterSettingsProblems, if any (call at program start, before any resource). */
export function checkClusterSettings(s: Parameters<typeof clusterSettingsProblems>[0]): void {
  const problems = clusterSettingsProblems(s);
  if (problems.length > 0) throw new ConfigError(problems);
}

export interface EndpointAccess {
  endpointPrivateAccess: true;
  endpointPublicAccess: boolean;
  /** Present only when the endpoint is public: exactly the configured CIDRs. */
  publicAccessCidrs?: string[];
}

/**
 * The API endpoint is always reachable from inside the VPC; it is public only when CIDRs are
 * configured, and then only from those (AWS's default public CIDR would be 0.0.0.0/0, which the
 * schema refuses in clusterPublicAccessCidrs).
 */
export function endpointAccess(publicAccessCidrs: readonly string[]): EndpointAccess {
  if (publicAccessCidrs.length === 0) return { endpointPrivateAccess: true, endpointPublicAccess: false };
  return { endpointPrivateAccess: true, endpointPublicAccess: true, publicAccessCidrs: [...publicAccessCidrs] };
}

/** An IAM trust policy letting one AWS service assume the role. */
export function serviceAssumeRolePolicy(service: "eks.amazonaws.com" | "ec2.amazonaws.com"): string {
  // EKS needs sts:TagSession too (it tags sessions for the control plane and Pod Identity).
  const actions = service === "eks.amazonaws.com" ? ["sts:AssumeRole", "sts:TagSession"] : ["sts:AssumeRole"];
  return JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: service }, Action: actions }] });
}

export const CLUSTER_MANAGED_POLICIES = ["AmazonEKSClusterPolicy"] as const;
/** Worker nodes: join the cluster, run the VPC CNI, pull images from ECR — nothing more. */
export const NODE_MANAGED_POLICIES = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"] as const;

export const managedPolicyArn = (partition: string, policy: string) => `arn:${partition}:iam::aws:policy/${policy}`;

/** Every control-plane log type, to CloudWatch: the audit log is the one you need after an incident. */
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;

/**
 * Thumbprint of the root CA that signs EKS OIDC issuer certificates (Starfield Services Root CA G2,
 * which Amazon Trust Services chains to). IAM no longer uses thumbprints for issuers it can verify
 * against its own trusted CAs (EKS issuers included), but the API still stores one; pinning the
 * well-known value keeps plans stable instead of fetching a leaf certificate at deploy time.
 */
export const EKS_OIDC_ROOT_CA_THUMBPRINT = "9e99a48a9960b14926bb7f3b02e22da2b0ab7280";

/**
 * The EKS-optimised Amazon Linux 2023 AMI type for an instance type: Graviton families (a "g"
 * after the generation digit: t4g, m7g, c7gn, r6gd) need the ARM64 image; everything else x86_64.
 */
export function amiTypeFor(instanceType: string): "AL2023_x86_64_STANDARD" | "AL2023_ARM_64_STANDARD" {
  const family = instanceType.split(".")[0];
  return /^[a-z]+\d+g[a-z]*$/.test(family) ? "AL2023_ARM_64_STANDARD" : "AL2023_x86_64_STANDARD";
}

/** The EKS cluster name: the name prefix in 1–100 of letters, digits, '-' and '_'. */
export function clusterName(naming: Naming): string {
  return physicalNamePrefix(naming).replace(/[^A-Za-z0-9_-]+/g, "-").slice(0, 100);
}
