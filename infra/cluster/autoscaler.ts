import * as aws from "@pulumi/aws";
import * as kubernetes from "@pulumi/kubernetes";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { serviceAccountTrustPolicyOutput } from "./irsa";
import { CLUSTER_AUTOSCALER_VERSIONS } from "../config/eks-versions";

/**
 * The Kubernetes Cluster Autoscaler for the stack's node groups (docs/decisions/0005-node-autoscaling.md):
 * it adds a node in the zone a Pending pod needs and removes nodes that stay under-used, within each
 * node group's min and max. Everything it needs is declared here as typed objects (IAM role for its
 * service account through the cluster's OIDC provider, RBAC, the Deployment), so the plan shows it.
 */

export const AUTOSCALER_NAME = "cluster-autoscaler";
/**
 * Its own namespace, hardened like the workloads' (restricted Pod Security Standard, default-deny
 * NetworkPolicies): kube-system is EKS's, and nothing there keeps a pod from reaching the autoscaler.
 */
export const AUTOSCALER_NAMESPACE = "edgestack-system";
/** Two replicas, one active (leader election on a Lease): a node drain never leaves the cluster without it. */
export const AUTOSCALER_REPLICAS = 2;
/** The AWS APIs it calls, reached through interface endpoints in the private subnets (eks.ts). */
export const AUTOSCALER_AWS_SERVICES = ["autoscaling", "ec2", "eks", "sts"] as const;
/** Non-root uid of the distroless image. */
const AUTOSCALER_UID = 65532;

/** The autoscaler's own pod requests (one replica, in kube-system): counted by the placement check. */
export const AUTOSCALER_RESOURCES = { requests: { cpu: "100m", memory: "600Mi" }, limits: { cpu: "500m", memory: "600Mi" } } as const;

/** The node groups' auto-discovery tags (EKS puts both on a managed node group's auto scaling group). */
export function autoDiscoveryTags(clusterName: string): string[] {
  return ["k8s.io/cluster-autoscaler/enabled", `k8s.io/cluster-autoscaler/${clusterName}`];
}

export interface AutoscalerSettings {
  clusterName: string;
  region: string;
  kubernetesVersion: string;
  /**
   * The longest terminationGracePeriodSeconds of the stack's pods: scale-down drains a node and waits
   * this long for its pods, so a draining app finishes its own shutdown instead of being killed.
   */
  podGracePeriodSeconds: number;
}

/** The autoscaler's image for the cluster's Kubernetes minor (its releases follow Kubernetes'). */
export function autoscalerImage(kubernetesVersion: string): string {
  const version = CLUSTER_AUTOSCALER_VERSIONS[kubernetesVersion];
  if (version === undefined) throw new Error(`edgestack:kubernetesVersion: no pinned Cluster Autoscaler version for ${kubernetesVersion} (infra/config/eks-versions.ts)`);
  return `registry.k8s.io/autoscaling/cluster-autoscaler:${version}`;
}

/** The command line: AWS auto-discovery of this cluster's groups, zone-balanced, least waste. */
export function autoscalerCommand(s: AutoscalerSettings): string[] {
  const [enabled, owned] = autoDiscoveryTags(s.clusterName);
  return [
    "./cluster-autoscaler",
    "--cloud-provider=aws",
    `--node-group-auto-discovery=asg:tag=${enabled},${owned}`,
    // One node group per zone: keep them the same size so zone spread stays satisfiable.
    "--balance-similar-node-groups=true",
    "--expander=least-waste",
    // CoreDNS and metrics-server have PodDisruptionBudgets: their nodes may be scaled down too.
    "--skip-nodes-with-system-pods=false",
    "--skip-nodes-with-local-storage=false",
    `--max-graceful-termination-sec=${s.podGracePeriodSeconds}`,
    "--scale-down-unneeded-time=10m",
    "--scale-down-delay-after-add=10m",
    "--max-node-provision-time=15m",
    "--logtostderr=true",
    "--stderrthreshold=info",
    "--v=2",
  ];
}

/**
 * IAM for the autoscaler: reading groups, instances and launch templates anywhere (the read APIs
 * take no resource), but changing the size of, or terminating instances in, only the auto scaling
 * groups tagged as this cluster's.
 */
export function autoscalerPolicy(clusterName: string, scope: { partition: string; region: string; accountId: string }): string {
  return JSON.stringify({
    Version: "2012-10-17",
    Statement: [
      {
        Sid: "ReadGroupsAndInstanceTypes",
        Effect: "Allow",
        Action: [
          "autoscaling:DescribeAutoScalingGroups",
          "autoscaling:DescribeAutoScalingInstances",
          "autoscaling:DescribeLaunchConfigurations",
          "autoscaling:DescribeScalingActivities",
          "autoscaling:DescribeTags",
          "ec2:DescribeImages",
          "ec2:DescribeInstanceTypes",
          "ec2:DescribeLaunchTemplateVersions",
          "ec2:GetInstanceTypesFromInstanceRequirements",
        ],
        Resource: "*",
      },
      {
        Sid: "ReadThisClustersNodeGroups",
        Effect: "Allow",
        Action: ["eks:DescribeNodegroup"],
        Resource: `arn:${scope.partition}:eks:${scope.region}:${scope.accountId}:nodegroup/${clusterName}/*/*`,
      },
      {
        Sid: "ScaleThisClustersGroupsOnly",
        Effect: "Allow",
        Action: ["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
        Resource: "*",
        Condition: { StringEquals: { [`aws:ResourceTag/k8s.io/cluster-autoscaler/${clusterName}`]: "owned" } },
      },
    ],
  });
}

type Rule = k8s.types.input.rbac.v1.PolicyRule;
const read = ["get", "list", "watch"];

/** Cluster-wide: read what scheduling depends on, evict pods and cordon nodes when scaling down. */
export function autoscalerClusterRules(): Rule[] {
  return [
    { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
    { apiGroups: [""], resources: ["pods/eviction"], verbs: ["create"] },
    { apiGroups: [""], resources: ["pods/status"], verbs: ["update"] },
    { apiGroups: [""], resources: ["nodes"], verbs: [...read, "update"] },
    { apiGroups: [""], resources: ["namespaces", "pods", "services", "replicationcontrollers", "persistentvolumeclaims", "persistentvolumes"], verbs: read },
    { apiGroups: ["apps"], resources: ["statefulsets", "replicasets", "daemonsets"], verbs: read },
    { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: read },
    { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: read },
    { apiGroups: ["storage.k8s.io"], resources: ["storageclasses", "csinodes", "csidrivers", "csistoragecapacities", "volumeattachments"], verbs: read },
    { apiGroups: ["resource.k8s.io"], resources: ["resourceclaims", "resourceslices", "deviceclasses"], verbs: read },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["create"] },
    { apiGroups: ["coordination.k8s.io"], resources: ["leases"], resourceNames: [AUTOSCALER_NAME], verbs: ["get", "update"] },
  ];
}

/** In kube-system: its status ConfigMap. */
export function autoscalerNamespaceRules(): Rule[] {
  return [
    { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "list", "watch"] },
    { apiGroups: [""], resources: ["configmaps"], resourceNames: ["cluster-autoscaler-status"], verbs: ["get", "update", "delete", "watch"] },
  ];
}

export const autoscalerLabels = { "app.kubernetes.io/name": AUTOSCALER_NAME, "app.kubernetes.io/part-of": "edgestack" } as const;

export function autoscalerDeploymentSpec(s: AutoscalerSettings): k8s.types.input.apps.v1.DeploymentSpec {
  return {
    replicas: AUTOSCALER_REPLICAS,
    selector: { matchLabels: { ...autoscalerLabels } },
    strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    template: {
      metadata: { labels: { ...autoscalerLabels } },
      spec: {
        serviceAccountName: AUTOSCALER_NAME,
        priorityClassName: "system-cluster-critical",
        topologySpreadConstraints: [
          { topologyKey: "topology.kubernetes.io/zone", maxSkew: 1, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { ...autoscalerLabels } } },
        ],
        securityContext: { runAsNonRoot: true, runAsUser: AUTOSCALER_UID, runAsGroup: AUTOSCALER_UID, fsGroup: AUTOSCALER_UID, seccompProfile: { type: "RuntimeDefault" } },
        containers: [
          {
            name: AUTOSCALER_NAME,
            image: autoscalerImage(s.kubernetesVersion),
            imagePullPolicy: "IfNotPresent",
            command: autoscalerCommand(s),
            env: [
              { name: "AWS_REGION", value: s.region },
              // Regional STS (an endpoint in the VPC), never the global one on the internet.
              { name: "AWS_STS_REGIONAL_ENDPOINTS", value: "regional" },
            ],
            resources: { requests: { ...AUTOSCALER_RESOURCES.requests }, limits: { ...AUTOSCALER_RESOURCES.limits } },
            ports: [{ name: "metrics", containerPort: 8085, protocol: "TCP" }],
            readinessProbe: { httpGet: { path: "/health-check", port: "metrics" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
            livenessProbe: { httpGet: { path: "/health-check", port: "metrics" }, periodSeconds: 10, timeoutSeconds: 2, failureThreshold: 3 },
            securityContext: {
              runAsNonRoot: true,
              runAsUser: AUTOSCALER_UID,
              runAsGroup: AUTOSCALER_UID,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              privileged: false,
              capabilities: { drop: ["ALL"] },
              seccompProfile: { type: "RuntimeDefault" },
            },
          },
        ],
      },
    },
  };
}

/** The cluster DNS pods (CoreDNS) in kube-system. */
const CLUSTER_DNS = { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } }, podSelector: { matchLabels: { "k8s-app": "kube-dns" } } };

export const AUTOSCALER_NETWORK_POLICIES = ["default-deny", "dns", "autoscaler-to-apis"] as const;

/**
 * The namespace's NetworkPolicies: nothing in, and out only to cluster DNS and to HTTPS in the
 * private subnets (the API server's ENIs and the AWS API interface endpoints live there).
 */
export function autoscalerNetworkPolicySpecs(
  privateSubnetCidrs: readonly string[],
): Record<(typeof AUTOSCALER_NETWORK_POLICIES)[number], k8s.types.input.networking.v1.NetworkPolicySpec> {
  if (privateSubnetCidrs.length === 0) throw new Error("the autoscaler's API egress needs the private subnets' CIDRs");
  return {
    "default-deny": { podSelector: {}, policyTypes: ["Ingress", "Egress"] },
    dns: { podSelector: {}, policyTypes: ["Egress"], egress: [{ to: [CLUSTER_DNS], ports: [{ protocol: "UDP", port: 53 }, { protocol: "TCP", port: 53 }] }] },
    "autoscaler-to-apis": {
      podSelector: { matchLabels: { ...autoscalerLabels } },
      policyTypes: ["Egress"],
      egress: [{ to: privateSubnetCidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: [{ protocol: "TCP", port: 443 }] }],
    },
  };
}

/** At most one of the two replicas away at a time. */
export function autoscalerPdbSpec(): k8s.types.input.policy.v1.PodDisruptionBudgetSpec {
  return { maxUnavailable: 1, selector: { matchLabels: { ...autoscalerLabels } } };
}

export interface NodeAutoscalerArgs extends AutoscalerSettings {
  oidcProviderArn: pulumi.Input<string>;
  /** The OIDC issuer URL (https://oidc.eks.<region>.amazonaws.com/id/<ID>). */
  oidcIssuerUrl: pulumi.Input<string>;
  privateSubnetCidrs: pulumi.Input<string>[];
}

/** The Cluster Autoscaler: its IAM role (IRSA), RBAC and Deployment. Give it `providers: { aws, kubernetes }`. */
export class NodeAutoscaler extends pulumi.ComponentResource {
  public readonly roleArn: pulumi.Output<string>;

  constructor(name: string, args: NodeAutoscalerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cluster:NodeAutoscaler", name, {}, opts);
    const role = new aws.iam.Role(
      `${name}-role`,
      {
        description: `${args.clusterName} Cluster Autoscaler (kube-system/${AUTOSCALER_NAME})`,
        assumeRolePolicy: serviceAccountTrustPolicyOutput(args.oidcProviderArn, args.oidcIssuerUrl, { namespace: AUTOSCALER_NAMESPACE, name: AUTOSCALER_NAME }),
        inlinePolicies: [
          {
            name: "scale-node-groups",
            policy: pulumi
              .all([aws.getPartitionOutput({}, { parent: this }).partition, aws.getRegionOutput({}, { parent: this }).region, aws.getCallerIdentityOutput({}, { parent: this }).accountId])
              .apply(([partition, region, accountId]) => autoscalerPolicy(args.clusterName, { partition, region, accountId })),
          },
        ],
      },
      { parent: this },
    );
    const namespace = new kubernetes.core.v1.Namespace(
      `${name}-namespace`,
      {
        metadata: {
          name: AUTOSCALER_NAMESPACE,
          labels: { "app.kubernetes.io/part-of": "edgestack", "pod-security.kubernetes.io/enforce": "restricted", "pod-security.kubernetes.io/enforce-version": "latest" },
        },
      },
      { parent: this },
    );
    const inNamespace = { parent: this, dependsOn: [namespace] };
    const metadata = () => ({ name: AUTOSCALER_NAME, namespace: AUTOSCALER_NAMESPACE, labels: { ...autoscalerLabels } });
    const policies = pulumi.all(args.privateSubnetCidrs).apply((cidrs) => autoscalerNetworkPolicySpecs(cidrs));
    for (const policy of AUTOSCALER_NETWORK_POLICIES) {
      new kubernetes.networking.v1.NetworkPolicy(
        `${name}-np-${policy}`,
        { metadata: { name: policy, namespace: AUTOSCALER_NAMESPACE, labels: { ...autoscalerLabels } }, spec: policies.apply((specs) => specs[policy]) },
        inNamespace,
      );
    }
    new kubernetes.policy.v1.PodDisruptionBudget(`${name}-pdb`, { metadata: metadata(), spec: autoscalerPdbSpec() }, inNamespace);
    const account = new kubernetes.core.v1.ServiceAccount(
      `${name}-sa`,
      { metadata: { ...metadata(), annotations: { "eks.amazonaws.com/role-arn": role.arn } } },
      inNamespace,
    );
    const clusterRole = new kubernetes.rbac.v1.ClusterRole(`${name}-cluster-role`, { metadata: { name: AUTOSCALER_NAME, labels: { ...autoscalerLabels } }, rules: autoscalerClusterRules() }, { parent: this });
    const subject = [{ kind: "ServiceAccount", name: AUTOSCALER_NAME, namespace: AUTOSCALER_NAMESPACE }];
    const clusterBinding = new kubernetes.rbac.v1.ClusterRoleBinding(
      `${name}-cluster-binding`,
      { metadata: { name: AUTOSCALER_NAME, labels: { ...autoscalerLabels } }, roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: clusterRole.metadata.name }, subjects: subject },
      { parent: this },
    );
    const namespaceRole = new kubernetes.rbac.v1.Role(`${name}-role-ns`, { metadata: metadata(), rules: autoscalerNamespaceRules() }, inNamespace);
    const binding = new kubernetes.rbac.v1.RoleBinding(
      `${name}-binding`,
      { metadata: metadata(), roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: namespaceRole.metadata.name }, subjects: subject },
      inNamespace,
    );
    new kubernetes.apps.v1.Deployment(
      `${name}-deployment`,
      { metadata: metadata(), spec: autoscalerDeploymentSpec(args) },
      { parent: this, dependsOn: [account, clusterBinding, binding] },
    );
    this.roleArn = role.arn;
    this.registerOutputs({ roleArn: this.roleArn });
  }
}
