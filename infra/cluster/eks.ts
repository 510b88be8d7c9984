import * as aws from "@pulumi/aws";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_POLICIES, accessPolicyArn, DEPLOYER_ROLE_NAME, DEPLOYERS_GROUP, deployerRules } from "./access-rules";
import { clusterNameFromKubeconfig, renderKubeconfig } from "./kubeconfig";
import {
  amiTypeFor,
  CLUSTER_MANAGED_POLICIES,
  CONTROL_PLANE_LOG_TYPES,
  EKS_OIDC_ROOT_CA_THUMBPRINT,
  endpointAccess,
  managedPolicyArn,
  NODE_MANAGED_POLICIES,
  serviceAssumeRolePolicy,
} from "./settings";
import { ADDON_NAMES, EKS_ADDON_VERSIONS, supportWarning, todayUtc } from "./versions";

/** vpc-cni add-on configuration: the network policy agent on (NetworkPolicies are otherwise not enforced). */
export const VPC_CNI_CONFIGURATION = { enableNetworkPolicy: "true" } as const;

/** An existing cluster to deploy onto instead of creating one. */
export interface ExistingCluster {
  /** Its kubeconfig (from secret config). */
  kubeconfig: string;
  /** The worker nodes' security group (load balancers and the cache reference it). */
  nodeSecurityGroupId: string;
  /** The nodes' auto scaling group; empty or absent: bind targets with TargetGroupBindings. */
  nodeAutoScalingGroupName?: string;
}

export interface EksClusterArgs {
  vpcId: pulumi.Input<string>;
  /** Control plane ENIs and nodes live in the private subnets only. */
  privateSubnetIds: pulumi.Input<string>[];
  clusterName: string;
  region: string;
  kubernetesVersion: string;
  /** EKS upgradePolicy.supportType. */
  supportType: "STANDARD" | "EXTENDED";
  /** The metrics-server EKS add-on version (the HPA's resource metrics); new clusters only. */
  metricsServerAddonVersion: string;
  serviceCidr: string;
  /** Empty: private API endpoint only. */
  publicAccessCidrs: string[];
  nodeInstanceType: string;
  nodeScaling: { min: number; desired: number; max: number };
  /** Prod: deletion protection on the cluster, longer log retention. */
  isProd: boolean;
  /** When set, no EKS resources are created. */
  existing?: ExistingCluster;
  /** Who reaches the Kubernetes API of a cluster the stack creates (EKS access entries). */
  access: ClusterAccessArgs;
}

/** Access entries of a new cluster: nobody else gets in (the creator is no admin). */
export interface ClusterAccessArgs {
  /** The deploy role: mapped to DEPLOYERS_GROUP, which holds the derived deployer ClusterRole. */
  deployRoleArn: string;
  /** Read-only (AmazonEKSViewPolicy) for preview jobs; empty: none. */
  previewRoleArn: string;
  /** Break-glass operators (AmazonEKSClusterAdminPolicy). */
  adminRoleArns: string[];
  /** The deploy role also holds cluster admin for this run, to create its own ClusterRole and binding. */
  bootstrap: boolean;
  /** The Kubernetes resource types the program declares (resolves once it has declared them all). */
  managedTypes: Promise<string[]>;
}

/**
 * The Kubernetes cluster the workloads run on: a new EKS cluster built from plain AWS resources
 * (roles, security groups, KMS key, control plane, OIDC provider, a managed node group behind a
 * launch template that attaches our node security group), or an existing cluster's kubeconfig and
 * node security group passed through. Either way it exposes a kubernetes.Provider to deploy with.
 */
export class EksCluster extends pulumi.ComponentResource {
  public readonly clusterName: pulumi.Output<string>;
  /** Kubeconfig (exec auth via `aws eks get-token` for new clusters) — a Pulumi secret. */
  public readonly kubeconfig: pulumi.Output<string>;
  public readonly provider: kubernetes.Provider;
  /** The security group every worker node carries. */
  public readonly nodeSecurityGroupId: pulumi.Output<string>;
  /** The nodes' auto scaling group, when targets are registered through it; undefined → TargetGroupBindings. */
  public readonly nodeAutoScalingGroupName: pulumi.Output<string> | undefined;
  /** IAM OIDC provider for IRSA (new clusters only). */
  public readonly oidcProviderArn: pulumi.Output<string> | undefined;
  public readonly createsCluster: boolean;
  /** The control plane ENIs' security group (new clusters): what reaches the private endpoint on 443. */
  public readonly clusterSecurityGroupId: pulumi.Output<string> | undefined;
  /** The deployer ClusterRole's rules (new clusters). */
  public readonly deployerRules: pulumi.Output<ReturnType<typeof deployerRules>> | undefined;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cluster:EksCluster", name, {}, opts);
    const warning = supportWarning(args.kubernetesVersion, todayUtc(), args.supportType);
    if (warning) void pulumi.log.warn(warning, this);

    if (args.existing) {
      const existing = args.existing;
      this.createsCluster = false;
      this.clusterName = pulumi.output(clusterNameFromKubeconfig(existing.kubeconfig));
      this.kubeconfig = pulumi.secret(existing.kubeconfig);
      this.nodeSecurityGroupId = pulumi.output(existing.nodeSecurityGroupId);
      this.nodeAutoScalingGroupName = existing.nodeAutoScalingGroupName ? pulumi.output(existing.nodeAutoScalingGroupName) : undefined;
      this.oidcProviderArn = undefined;
      this.clusterSecurityGroupId = undefined;
      this.deployerRules = undefined;
      this.provider = new kubernetes.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this });
      this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig, nodeSecurityGroupId: this.nodeSecurityGroupId });
      return;
    }

    const partition = aws.getPartitionOutput({}, { parent: this }).partition;
    const access = endpointAccess(args.publicAccessCidrs);

    // ── IAM ────────────────────────────────────────────────────────────────────────────────
    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      { assumeRolePolicy: serviceAssumeRolePolicy("eks.amazonaws.com"), description: `${args.clusterName} control plane` },
      { parent: this },
    );
    const clusterPolicies = CLUSTER_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${policy}`,
          { role: clusterRole.name, policyArn: partition.apply((p) => managedPolicyArn(p, policy)) },
          { parent: this },
        ),
    );
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: serviceAssumeRolePolicy("ec2.amazonaws.com"), description: `${args.clusterName} worker nodes` },
      { parent: this },
    );
    const nodePolicies = NODE_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: nodeRole.name, policyArn: partition.apply((p) => managedPolicyArn(p, policy)) },
          { parent: this },
        ),
    );

    // ── Security groups ────────────────────────────────────────────────────────────────────
    // Our own groups with explicit rules (EKS's auto-created cluster group is not put on the nodes,
    // because the launch template names the node group): the control plane reaches the nodes, the
    // nodes reach the API and each other, and nothing else gets in unless another component adds a
    // rule referencing the node group (load balancers → NodePorts, nodes → cache).
    const clusterSg = new aws.ec2.SecurityGroup(
      `${name}-cluster-sg`,
      { vpcId: args.vpcId, description: `${args.clusterName}: EKS control plane ENIs`, tags: { Name: `${args.clusterName}-cluster` } },
      { parent: this },
    );
    const nodeSg = new aws.ec2.SecurityGroup(
      `${name}-node-sg`,
      {
        vpcId: args.vpcId,
        description: `${args.clusterName}: worker nodes`,
        tags: { Name: `${args.clusterName}-node`, [`kubernetes.io/cluster/${args.clusterName}`]: "owned" },
      },
      { parent: this },
    );
    const rule = (ruleName: string, ruleArgs: aws.vpc.SecurityGroupIngressRuleArgs) =>
      new aws.vpc.SecurityGroupIngressRule(`${name}-${ruleName}`, ruleArgs, { parent: this });
    rule("api-from-nodes", { securityGroupId: clusterSg.id, referencedSecurityGroupId: nodeSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "Kubernetes API from the nodes" });
    rule("nodes-from-api-443", { securityGroupId: nodeSg.id, referencedSecurityGroupId: clusterSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "Control plane to webhooks on 443" });
    rule("nodes-from-api-high", {
      securityGroupId: nodeSg.id,
      referencedSecurityGroupId: clusterSg.id,
      ipProtocol: "tcp",
      fromPort: 1025,
      toPort: 65535,
      description: "Control plane to kubelet (10250), webhooks and metrics",
    });
    rule("nodes-from-nodes", { securityGroupId: nodeSg.id, referencedSecurityGroupId: nodeSg.id, ipProtocol: "-1", description: "Node and pod traffic within the cluster" });
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-cluster-to-nodes`,
      { securityGroupId: clusterSg.id, referencedSecurityGroupId: nodeSg.id, ipProtocol: "tcp", fromPort: 0, toPort: 65535, description: "Control plane to the nodes" },
      { parent: this },
    );
    // Nodes pull images, reach AWS APIs and the cache: outbound is open (through NAT / egress-only gateway).
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-nodes-out-v4`,
      { securityGroupId: nodeSg.id, cidrIpv4: "0.0.0.0/0", ipProtocol: "-1", description: "Outbound from the nodes" },
      { parent: this },
    );
    new aws.vpc.SecurityGroupEgressRule(
      `${name}-nodes-out-v6`,
      { securityGroupId: nodeSg.id, cidrIpv6: "::/0", ipProtocol: "-1", description: "Outbound from the nodes (IPv6)" },
      { parent: this },
    );

    // ── Control plane ──────────────────────────────────────────────────────────────────────
    const secretsKey = new aws.kms.Key(
      `${name}-secrets-key`,
      { description: `${args.clusterName}: envelope encryption of Kubernetes Secrets`, enableKeyRotation: true, deletionWindowInDays: 30 },
      { parent: this, protect: args.isProd },
    );
    // Created before the cluster so EKS writes into a group with our retention, not a never-expiring one.
    const controlPlaneLogs = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: `/aws/eks/${args.clusterName}/cluster`, retentionInDays: args.isProd ? 90 : 14 },
      { parent: this, protect: args.isProd },
    );
    const cluster = new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: args.clusterName,
        version: args.kubernetesVersion,
        roleArn: clusterRole.arn,
        vpcConfig: { subnetIds: args.privateSubnetIds, securityGroupIds: [clusterSg.id], ...access },
        kubernetesNetworkConfig: { serviceIpv4Cidr: args.serviceCidr, ipFamily: "ipv4" },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
        // Access entries (IAM API), not the aws-auth ConfigMap; the identity that creates the
        // cluster gets nothing by being its creator: the access entries below say who gets in.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        deletionProtection: args.isProd,
        upgradePolicy: { supportType: args.supportType },
        // The networking add-ons are EKS add-ons pinned below, not unmanaged copies EKS installs.
        bootstrapSelfManagedAddons: false,
      },
      { parent: this, dependsOn: [...clusterPolicies, controlPlaneLogs], protect: args.isProd },
    );

    const issuer = cluster.identities.apply((ids) => ids[0].oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ["sts.amazonaws.com"], thumbprintLists: [EKS_OIDC_ROOT_CA_THUMBPRINT] },
      { parent: this },
    );

    // Pinned per Kubernetes version (infra/cluster/versions.ts); the schema refuses a version without a row.
    // The CNI and kube-proxy come first (nodes are NotReady without pod networking), CoreDNS once
    // there are nodes to schedule it on.
    const addonVersions = EKS_ADDON_VERSIONS[args.kubernetesVersion];
    if (addonVersions === undefined) throw new Error(`edgestack:kubernetesVersion: no pinned EKS add-on versions for ${args.kubernetesVersion}`);
    const addon = (addonName: (typeof ADDON_NAMES)[number], dependsOn: pulumi.Resource[]) =>
      new aws.eks.Addon(
        `${name}-${addonName}`,
        {
          clusterName: cluster.name,
          addonName,
          addonVersion: addonVersions[addonName],
          // The VPC CNI runs its network policy agent, so the namespace's NetworkPolicies are enforced.
          ...(addonName === "vpc-cni" ? { configurationValues: JSON.stringify(VPC_CNI_CONFIGURATION) } : {}),
          resolveConflictsOnCreate: "OVERWRITE",
          resolveConflictsOnUpdate: "OVERWRITE",
        },
        { parent: this, dependsOn },
      );
    const nodeAddons = [addon("vpc-cni", []), addon("kube-proxy", [])];

    // ── Nodes ──────────────────────────────────────────────────────────────────────────────
    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        description: `${args.clusterName} managed node group`,
        vpcSecurityGroupIds: [nodeSg.id],
        // IMDSv2 only; hop limit 2 so pods that need instance metadata (e.g. the VPC CNI) still reach it.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 2 },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 40, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
        tagSpecifications: [{ resourceType: "instance", tags: { Name: `${args.clusterName}-node` } }],
      },
      { parent: this },
    );
    const nodeGroup = new aws.eks.NodeGroup(
      `${name}-nodes`,
      {
        clusterName: cluster.name,
        version: args.kubernetesVersion,
        nodeRoleArn: nodeRole.arn,
        subnetIds: args.privateSubnetIds,
        instanceTypes: [args.nodeInstanceType],
        amiType: amiTypeFor(args.nodeInstanceType),
        capacityType: "ON_DEMAND",
        scalingConfig: { minSize: args.nodeScaling.min, desiredSize: args.nodeScaling.desired, maxSize: args.nodeScaling.max },
        updateConfig: { maxUnavailable: 1 },
        launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
        labels: { "edgestack.io/pool": "default" },
      },
      // Sizes follow the config (no cluster autoscaler is installed by this stack).
      { parent: this, dependsOn: [...nodePolicies, ...nodeAddons] },
    );
    const addons = [...nodeAddons, addon("coredns", [nodeGroup])];

    // EKS ships no metrics API: without metrics-server the HPA never sees CPU and never scales.
    new aws.eks.Addon(
      `${name}-metrics-server`,
      {
        clusterName: cluster.name,
        addonName: "metrics-server",
        addonVersion: args.metricsServerAddonVersion,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      // Its pods need nodes to run on before the add-on reports active.
      { parent: this, dependsOn: [nodeGroup] },
    );

    // ── Who reaches the API ────────────────────────────────────────────────────────────────
    const who = args.access;
    const entry = (entryName: string, principalArn: string, kubernetesGroups?: string[]) =>
      new aws.eks.AccessEntry(`${name}-access-${entryName}`, { clusterName: cluster.name, principalArn, type: "STANDARD", ...(kubernetesGroups ? { kubernetesGroups } : {}) }, { parent: this });
    const associate = (associationName: string, accessEntry: aws.eks.AccessEntry, policy: string) =>
      new aws.eks.AccessPolicyAssociation(
        `${name}-access-${associationName}`,
        { clusterName: cluster.name, principalArn: accessEntry.principalArn, policyArn: partition.apply((p) => accessPolicyArn(p, policy)), accessScope: { type: "cluster" } },
        { parent: this },
      );
    const deployEntry = entry("deploy", who.deployRoleArn, [DEPLOYERS_GROUP]);
    const bootstrap = who.bootstrap ? [associate("deploy-bootstrap", deployEntry, ACCESS_POLICIES.clusterAdmin)] : [];
    if (who.previewRoleArn) associate("preview-view", entry("preview", who.previewRoleArn), ACCESS_POLICIES.view);
    who.adminRoleArns.forEach((arn, i) => associate(`admin-${i}`, entry(`admin-${i}`, arn), ACCESS_POLICIES.clusterAdmin));
    // The deployer's own RBAC, applied as the deploy role: with the bootstrap admin on a first run,
    // afterwards through the rules' permission to update its own role and binding.
    const rbacProvider = new kubernetes.Provider(
      `${name}-k8s-rbac`,
      { kubeconfig: this.kubeconfigFor(cluster, args), enableServerSideApply: true },
      { parent: this, dependsOn: [deployEntry, ...bootstrap] },
    );
    const rules = pulumi.output(who.managedTypes).apply((types) => deployerRules(types));
    const labels = { "app.kubernetes.io/part-of": "edgestack" };
    const deployerRole = new kubernetes.rbac.v1.ClusterRole(`${name}-deployer`, { metadata: { name: DEPLOYER_ROLE_NAME, labels }, rules }, { parent: this, provider: rbacProvider });
    const deployerBinding = new kubernetes.rbac.v1.ClusterRoleBinding(
      `${name}-deployer`,
      {
        metadata: { name: DEPLOYER_ROLE_NAME, labels },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: deployerRole.metadata.name },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: DEPLOYERS_GROUP }],
      },
      { parent: this, provider: rbacProvider },
    );

    this.createsCluster = true;
    this.clusterSecurityGroupId = clusterSg.id;
    this.deployerRules = rules;
    this.clusterName = cluster.name;
    this.kubeconfig = this.kubeconfigFor(cluster, args);
    this.nodeSecurityGroupId = nodeSg.id;
    this.nodeAutoScalingGroupName = nodeGroup.resources.apply((resources) => {
      const asg = resources?.[0]?.autoscalingGroups?.[0]?.name;
      if (!asg) throw new Error(`node group of ${args.clusterName} reports no auto scaling group`);
      return asg;
    });
    this.oidcProviderArn = oidc.arn;
    // Workloads wait for nodes to exist: a Deployment rollout cannot finish on an empty cluster.
    // They are applied as the deploy role, once its group holds the deployer ClusterRole.
    this.provider = new kubernetes.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [nodeGroup, ...addons, deployEntry, deployerBinding] },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
      nodeAutoScalingGroupName: this.nodeAutoScalingGroupName,
      oidcProviderArn: this.oidcProviderArn,
    });
  }

  /** Kubeconfig (exec auth via `aws eks get-token` as the ambient identity) — a Pulumi secret. */
  private kubeconfigFor(cluster: aws.eks.Cluster, args: EksClusterArgs): pulumi.Output<string> {
    return pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
        .apply(([clusterName, endpoint, ca]) => renderKubeconfig({ clusterName, endpoint, certificateAuthorityData: ca.data ?? "", region: args.region })),
    );
  }
}
