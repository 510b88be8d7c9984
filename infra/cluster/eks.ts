import * as aws from "@pulumi/aws";
import { BOOTSTRAP_PROVIDER_SUFFIX } from "./bootstrap";
import * as kubernetes from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ACCESS_POLICIES, accessPolicyArn, DEPLOYER_ROLE_NAME, DEPLOYERS_GROUP, deployerRules } from "./access-rules";
import { clusterNameFromKubeconfig, renderKubeconfig } from "./kubeconfig";
import type { StackConfig } from "../config/schema";
import {
  amiTypeFor,
  clusterName,
  CLUSTER_MANAGED_POLICIES,
  CONTROL_PLANE_LOG_TYPES,
  EKS_OIDC_ROOT_CA_THUMBPRINT,
  endpointAccess,
  managedPolicyArn,
  NODE_MANAGED_POLICIES,
  serviceAssumeRolePolicy,
} from "./settings";
import { ADDON_NAMES, EKS_ADDON_VERSIONS, supportWarning, todayUtc } from "../config/eks-versions";
import { AUTOSCALER_AWS_SERVICES, NodeAutoscaler } from "./autoscaler";
import { perZoneNodeGroupSizes } from "./nodes";
import { partitionOf, vpcEndpointServiceName, type Partition } from "../partition";

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

/** The stack settings the cluster reads: a program passes its StackConfig (or these fields of it). */
export type EksClusterSettings = Pick<
  StackConfig,
  | "stack"
  | "namePrefix"
  | "region"
  | "isProd"
  | "kubernetesVersion"
  | "clusterSupportType"
  | "metricsServerAddonVersion"
  | "serviceCidr"
  | "clusterPublicAccessCidrs"
  | "nodeInstanceType"
  | "nodeMinSize"
  | "nodeDesiredSize"
  | "nodeMaxSize"
  | "existingKubeconfig"
  | "existingNodeSecurityGroupId"
  | "existingNodeAutoScalingGroup"
  | "terminationGracePeriodSeconds"
>;

export interface EksClusterArgs {
  /** Version, support type, node group, API access; prod adds deletion protection and longer log retention. */
  settings: EksClusterSettings;
  vpcId: pulumi.Input<string>;
  /** Control plane ENIs and nodes live in the private subnets only. */
  privateSubnetIds: pulumi.Input<string>[];
  /** Their CIDRs: the in-cluster add-ons reach the API and the AWS API endpoints there. */
  privateSubnetCidrs: pulumi.Input<string>[];
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

/** The existing cluster the settings name (existingKubeconfig set): no EKS resources are created. */
export function existingCluster(s: EksClusterSettings): ExistingCluster | undefined {
  return s.existingKubeconfig
    ? { kubeconfig: s.existingKubeconfig, nodeSecurityGroupId: s.existingNodeSecurityGroupId, nodeAutoScalingGroupName: s.existingNodeAutoScalingGroup || undefined }
    : undefined;
}

/**
 * The Kubernetes cluster the workloads run on: a new EKS cluster built from plain AWS resources
 * (roles, security groups, KMS key, control plane, OIDC provider, one managed node group per zone behind a
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
  /** The nodes' auto scaling groups (one per zone), when targets are registered through them; undefined → TargetGroupBindings. */
  public readonly nodeAutoScalingGroupNames: pulumi.Output<string>[] | undefined;
  /** IAM OIDC provider for IRSA (new clusters only). */
  public readonly oidcProviderArn: pulumi.Output<string> | undefined;
  public readonly createsCluster: boolean;
  /** The control plane ENIs' security group (new clusters): what reaches the private endpoint on 443. */
  public readonly clusterSecurityGroupId: pulumi.Output<string> | undefined;
  /** The cluster's ARN, its OIDC issuer and the provider that applies cluster add-ons' RBAC (new clusters). */
  public readonly clusterArn: pulumi.Output<string> | undefined;
  public readonly oidcIssuerUrl: pulumi.Output<string> | undefined;
  public readonly rbacProvider: kubernetes.Provider | undefined;
  /** The deployer ClusterRole's rules (new clusters). */
  public readonly deployerRules: pulumi.Output<ReturnType<typeof deployerRules>> | undefined;

  constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    super("edgestack:cluster:EksCluster", name, {}, opts);
    const s = args.settings;
    const warning = supportWarning(s.kubernetesVersion, todayUtc(), s.clusterSupportType);
    if (warning) void pulumi.log.warn(warning, this);

    const existing = existingCluster(s);
    if (existing) {
      this.createsCluster = false;
      this.clusterName = pulumi.output(clusterNameFromKubeconfig(existing.kubeconfig));
      this.kubeconfig = pulumi.secret(existing.kubeconfig);
      this.nodeSecurityGroupId = pulumi.output(existing.nodeSecurityGroupId);
      this.nodeAutoScalingGroupNames = existing.nodeAutoScalingGroupName ? [pulumi.output(existing.nodeAutoScalingGroupName)] : undefined;
      this.oidcProviderArn = undefined;
      this.clusterSecurityGroupId = undefined;
      this.deployerRules = undefined;
      this.clusterArn = undefined;
      this.oidcIssuerUrl = undefined;
      this.rbacProvider = undefined;
      this.provider = new kubernetes.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this });
      this.registerOutputs({ clusterName: this.clusterName, kubeconfig: this.kubeconfig, nodeSecurityGroupId: this.nodeSecurityGroupId });
      return;
    }

    const physicalName = clusterName(s);
    const roles = this.roles(name, physicalName);
    const groups = this.securityGroups(name, physicalName, args.vpcId);
    const cluster = this.controlPlane(name, physicalName, s, args.privateSubnetIds, roles, groups.clusterSg);
    const issuer = cluster.identities.apply((ids) => ids[0].oidcs?.[0]?.issuer ?? "");
    const oidc = new aws.iam.OpenIdConnectProvider(
      `${name}-oidc`,
      { url: issuer, clientIdLists: ["sts.amazonaws.com"], thumbprintLists: [EKS_OIDC_ROOT_CA_THUMBPRINT] },
      { parent: this },
    );
    const { nodeGroups, addons } = this.nodesAndAddons(name, physicalName, s, cluster, args.privateSubnetIds, roles, groups.nodeSg);

    this.createsCluster = true;
    this.clusterName = cluster.name;
    this.kubeconfig = this.kubeconfigFor(cluster, s.region);
    const access = this.clusterAccess(name, cluster, this.kubeconfig, args.access, roles.partition);
    this.clusterSecurityGroupId = groups.clusterSg.id;
    this.deployerRules = access.rules;
    this.clusterArn = cluster.arn;
    this.oidcIssuerUrl = issuer;
    this.rbacProvider = access.rbacProvider;
    this.nodeSecurityGroupId = groups.nodeSg.id;
    this.nodeAutoScalingGroupNames = nodeGroups.map((group) =>
      group.resources.apply((resources) => {
        const asg = resources?.[0]?.autoscalingGroups?.[0]?.name;
        if (!asg) throw new Error(`a node group of ${physicalName} reports no auto scaling group`);
        return asg;
      }),
    );
    this.oidcProviderArn = oidc.arn;
    // Workloads wait for nodes to exist: a Deployment rollout cannot finish on an empty cluster.
    // They are applied as the deploy role, once its group holds the deployer ClusterRole.
    this.provider = new kubernetes.Provider(
      `${name}-k8s`,
      { kubeconfig: this.kubeconfig, enableServerSideApply: true },
      { parent: this, dependsOn: [...nodeGroups, ...addons, access.deployEntry, access.deployerBinding] },
    );
    this.apiEndpoints(name, physicalName, s.region, roles.partition, args.vpcId, args.privateSubnetIds, groups.nodeSg);
    new NodeAutoscaler(
      `${name}-autoscaler`,
      {
        clusterName: physicalName,
        region: s.region,
        kubernetesVersion: s.kubernetesVersion,
        podGracePeriodSeconds: s.terminationGracePeriodSeconds,
        oidcProviderArn: oidc.arn,
        oidcIssuerUrl: issuer,
        privateSubnetCidrs: args.privateSubnetCidrs,
      },
      // A cluster add-on with its own RBAC and service account, which the deployer role may not create:
      // applied like the deployer's own RBAC, so its first apply and any later change of it need
      // clusterAccessBootstrap (the workloads never do). The PR diff marks such changes and the deploy
      // refuses them without it (./bootstrap.ts, docs/ci.md).
      { parent: this, providers: { kubernetes: access.rbacProvider } },
    );
    this.registerOutputs({
      clusterName: this.clusterName,
      kubeconfig: this.kubeconfig,
      nodeSecurityGroupId: this.nodeSecurityGroupId,
      nodeAutoScalingGroupNames: this.nodeAutoScalingGroupNames,
      oidcProviderArn: this.oidcProviderArn,
    });
  }

  /**
   * The AWS APIs the node autoscaler calls, inside the VPC: its pods may send HTTPS only to the
   * private subnets (their NetworkPolicy), never to the internet.
   */
  private apiEndpoints(
    name: string,
    physicalName: string,
    region: string,
    partition: pulumi.Output<Partition>,
    vpcId: pulumi.Input<string>,
    privateSubnetIds: pulumi.Input<string>[],
    nodeSg: aws.ec2.SecurityGroup,
  ): void {
    const endpointSg = new aws.ec2.SecurityGroup(
      `${name}-api-endpoints-sg`,
      { vpcId, description: `${physicalName}: AWS API interface endpoints`, tags: { Name: `${physicalName}-api-endpoints` } },
      { parent: this },
    );
    new aws.vpc.SecurityGroupIngressRule(
      `${name}-api-endpoints-from-nodes`,
      { securityGroupId: endpointSg.id, referencedSecurityGroupId: nodeSg.id, ipProtocol: "tcp", fromPort: 443, toPort: 443, description: "AWS API endpoints from the nodes' pods" },
      { parent: this },
    );
    for (const service of AUTOSCALER_AWS_SERVICES) {
      new aws.ec2.VpcEndpoint(
        `${name}-endpoint-${service}`,
        {
          vpcId,
          serviceName: partition.apply((p) => vpcEndpointServiceName(p, region, service)),
          vpcEndpointType: "Interface",
          privateDnsEnabled: true,
          subnetIds: privateSubnetIds,
          securityGroupIds: [endpointSg.id],
          tags: { Name: `${physicalName}-${service}` },
        },
        { parent: this },
      );
    }
  }

  /** The control plane's and the nodes' IAM roles with their AWS-managed policies. */
  private roles(name: string, physicalName: string): ClusterRoles {
    const partition = partitionOf({ parent: this });
    const clusterRole = new aws.iam.Role(
      `${name}-cluster-role`,
      { assumeRolePolicy: serviceAssumeRolePolicy("eks.amazonaws.com"), description: `${physicalName} control plane` },
      { parent: this },
    );
    const clusterPolicies = CLUSTER_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-cluster-${policy}`,
          { role: clusterRole.name, policyArn: partition.apply((p) => managedPolicyArn(p.id, policy)) },
          { parent: this },
        ),
    );
    const nodeRole = new aws.iam.Role(
      `${name}-node-role`,
      { assumeRolePolicy: serviceAssumeRolePolicy("ec2.amazonaws.com"), description: `${physicalName} worker nodes` },
      { parent: this },
    );
    const nodePolicies = NODE_MANAGED_POLICIES.map(
      (policy) =>
        new aws.iam.RolePolicyAttachment(
          `${name}-node-${policy}`,
          { role: nodeRole.name, policyArn: partition.apply((p) => managedPolicyArn(p.id, policy)) },
          { parent: this },
        ),
    );
    return { partition, clusterRole, clusterPolicies, nodeRole, nodePolicies };
  }

  /**
   * Our own groups with explicit rules (EKS's auto-created cluster group is not put on the nodes,
   * because the launch template names the node group): the control plane reaches the nodes, the
   * nodes reach the API and each other, and nothing else gets in unless another component adds a
   * rule referencing the node group (load balancers → NodePorts, nodes → cache).
   */
  private securityGroups(name: string, physicalName: string, vpcId: pulumi.Input<string>): { clusterSg: aws.ec2.SecurityGroup; nodeSg: aws.ec2.SecurityGroup } {
    const clusterSg = new aws.ec2.SecurityGroup(
      `${name}-cluster-sg`,
      { vpcId, description: `${physicalName}: EKS control plane ENIs`, tags: { Name: `${physicalName}-cluster` } },
      { parent: this },
    );
    const nodeSg = new aws.ec2.SecurityGroup(
      `${name}-node-sg`,
      {
        vpcId,
        description: `${physicalName}: worker nodes`,
        tags: { Name: `${physicalName}-node`, [`kubernetes.io/cluster/${physicalName}`]: "owned" },
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
    return { clusterSg, nodeSg };
  }

  /** The EKS control plane with its secrets key and log group (both created first, both protected in prod). */
  private controlPlane(
    name: string,
    physicalName: string,
    s: EksClusterSettings,
    privateSubnetIds: pulumi.Input<string>[],
    roles: ClusterRoles,
    clusterSg: aws.ec2.SecurityGroup,
  ): aws.eks.Cluster {
    const secretsKey = new aws.kms.Key(
      `${name}-secrets-key`,
      { description: `${physicalName}: envelope encryption of Kubernetes Secrets`, enableKeyRotation: true, deletionWindowInDays: 30 },
      { parent: this, protect: s.isProd },
    );
    // Created before the cluster so EKS writes into a group with our retention, not a never-expiring one.
    const controlPlaneLogs = new aws.cloudwatch.LogGroup(
      `${name}-control-plane-logs`,
      { name: `/aws/eks/${physicalName}/cluster`, retentionInDays: s.isProd ? 90 : 14 },
      { parent: this, protect: s.isProd },
    );
    return new aws.eks.Cluster(
      `${name}-eks`,
      {
        name: physicalName,
        version: s.kubernetesVersion,
        roleArn: roles.clusterRole.arn,
        vpcConfig: { subnetIds: privateSubnetIds, securityGroupIds: [clusterSg.id], ...endpointAccess(s.clusterPublicAccessCidrs) },
        kubernetesNetworkConfig: { serviceIpv4Cidr: s.serviceCidr, ipFamily: "ipv4" },
        enabledClusterLogTypes: [...CONTROL_PLANE_LOG_TYPES],
        encryptionConfig: { resources: ["secrets"], provider: { keyArn: secretsKey.arn } },
        // Access entries (IAM API), not the aws-auth ConfigMap; the identity that creates the
        // cluster gets nothing by being its creator: the access entries (clusterAccess) say who gets in.
        accessConfig: { authenticationMode: "API", bootstrapClusterCreatorAdminPermissions: false },
        deletionProtection: s.isProd,
        upgradePolicy: { supportType: s.clusterSupportType },
        // The networking add-ons are EKS add-ons pinned in nodesAndAddons, not unmanaged copies EKS installs.
        bootstrapSelfManagedAddons: false,
      },
      { parent: this, dependsOn: [...roles.clusterPolicies, controlPlaneLogs], protect: s.isProd },
    );
  }

  /**
   * One managed node group per zone (behind a launch template that puts our node group on the instances) and
   * the EKS add-ons, pinned per Kubernetes version (infra/config/eks-versions.ts; the schema refuses a
   * version without a row). The CNI and kube-proxy come first (nodes are NotReady without pod
   * networking), CoreDNS and metrics-server once there are nodes to schedule them on.
   */
  private nodesAndAddons(
    name: string,
    physicalName: string,
    s: EksClusterSettings,
    cluster: aws.eks.Cluster,
    privateSubnetIds: pulumi.Input<string>[],
    roles: ClusterRoles,
    nodeSg: aws.ec2.SecurityGroup,
  ): { nodeGroups: aws.eks.NodeGroup[]; addons: aws.eks.Addon[] } {
    const addonVersions = EKS_ADDON_VERSIONS[s.kubernetesVersion];
    if (addonVersions === undefined) throw new Error(`edgestack:kubernetesVersion: no pinned EKS add-on versions for ${s.kubernetesVersion}`);
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

    const launchTemplate = new aws.ec2.LaunchTemplate(
      `${name}-nodes`,
      {
        description: `${physicalName} managed node group`,
        vpcSecurityGroupIds: [nodeSg.id],
        // IMDSv2 only, hop limit 1: a pod (one hop behind the node) cannot fetch the node role's credentials; the
        // host-network add-ons that need instance metadata (VPC CNI, kube-proxy) are on the node's own stack.
        metadataOptions: { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 },
        blockDeviceMappings: [{ deviceName: "/dev/xvda", ebs: { volumeSize: 40, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } }],
        tagSpecifications: [{ resourceType: "instance", tags: { Name: `${physicalName}-node` } }],
      },
      { parent: this },
    );
    // One managed node group per zone (each in its zone's private subnet), so the Cluster Autoscaler
    // can add a node in exactly the zone a Pending pod's zone spread asks for.
    const sizes = perZoneNodeGroupSizes({ min: s.nodeMinSize, desired: s.nodeDesiredSize, max: s.nodeMaxSize }, privateSubnetIds.length);
    const nodeGroups = privateSubnetIds.map(
      (subnetId, zone) =>
        new aws.eks.NodeGroup(
          `${name}-nodes-zone${zone + 1}`,
          {
            clusterName: cluster.name,
            version: s.kubernetesVersion,
            nodeRoleArn: roles.nodeRole.arn,
            subnetIds: [subnetId],
            instanceTypes: [s.nodeInstanceType],
            amiType: amiTypeFor(s.nodeInstanceType),
            capacityType: "ON_DEMAND",
            scalingConfig: { minSize: sizes.min, desiredSize: sizes.desired, maxSize: sizes.max },
            updateConfig: { maxUnavailable: 1 },
            launchTemplate: { id: launchTemplate.id, version: launchTemplate.latestVersion.apply(String) },
            labels: { "edgestack.io/pool": "default" },
          },
          // The autoscaler owns the current size: a later `pulumi up` must not reset it to the
          // configured desired size (min and max stay Pulumi's).
          { parent: this, dependsOn: [...roles.nodePolicies, ...nodeAddons], ignoreChanges: ["scalingConfig.desiredSize"] },
        ),
    );
    const addons = [...nodeAddons, addon("coredns", nodeGroups)];

    // EKS ships no metrics API: without metrics-server the HPA never sees CPU and never scales.
    new aws.eks.Addon(
      `${name}-metrics-server`,
      {
        clusterName: cluster.name,
        addonName: "metrics-server",
        addonVersion: s.metricsServerAddonVersion,
        resolveConflictsOnCreate: "OVERWRITE",
        resolveConflictsOnUpdate: "OVERWRITE",
      },
      // Its pods need nodes to run on before the add-on reports active.
      { parent: this, dependsOn: nodeGroups },
    );
    return { nodeGroups, addons };
  }

  /**
   * Who reaches the API: access entries for the deploy role (in DEPLOYERS_GROUP, holding the derived
   * deployer ClusterRole), the preview role (view) and break-glass admins; the deployer's own RBAC is
   * applied as the deploy role through a second provider.
   */
  private clusterAccess(
    name: string,
    cluster: aws.eks.Cluster,
    kubeconfig: pulumi.Output<string>,
    who: ClusterAccessArgs,
    partition: pulumi.Output<Partition>,
  ): { deployEntry: aws.eks.AccessEntry; deployerBinding: kubernetes.rbac.v1.ClusterRoleBinding; rbacProvider: kubernetes.Provider; rules: pulumi.Output<ReturnType<typeof deployerRules>> } {
    const entry = (entryName: string, principalArn: string, kubernetesGroups?: string[]) =>
      new aws.eks.AccessEntry(`${name}-access-${entryName}`, { clusterName: cluster.name, principalArn, type: "STANDARD", ...(kubernetesGroups ? { kubernetesGroups } : {}) }, { parent: this });
    const associate = (associationName: string, accessEntry: aws.eks.AccessEntry, policy: string) =>
      new aws.eks.AccessPolicyAssociation(
        `${name}-access-${associationName}`,
        { clusterName: cluster.name, principalArn: accessEntry.principalArn, policyArn: partition.apply((p) => accessPolicyArn(p.id, policy)), accessScope: { type: "cluster" } },
        { parent: this },
      );
    const deployEntry = entry("deploy", who.deployRoleArn, [DEPLOYERS_GROUP]);
    const bootstrap = who.bootstrap ? [associate("deploy-bootstrap", deployEntry, ACCESS_POLICIES.clusterAdmin)] : [];
    if (who.previewRoleArn) associate("preview-view", entry("preview", who.previewRoleArn), ACCESS_POLICIES.view);
    who.adminRoleArns.forEach((arn, i) => associate(`admin-${i}`, entry(`admin-${i}`, arn), ACCESS_POLICIES.clusterAdmin));
    // The deployer's own RBAC, applied as the deploy role: with the bootstrap admin on a first run,
    // afterwards through the rules' permission to update its own role and binding.
    const rbacProvider = new kubernetes.Provider(
      `${name}${BOOTSTRAP_PROVIDER_SUFFIX}`,
      { kubeconfig, enableServerSideApply: true },
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
    return { deployEntry, deployerBinding, rbacProvider, rules };
  }

  /** Kubeconfig (exec auth via `aws eks get-token` as the ambient identity) — a Pulumi secret. */
  private kubeconfigFor(cluster: aws.eks.Cluster, region: string): pulumi.Output<string> {
    return pulumi.secret(
      pulumi
        .all([cluster.name, cluster.endpoint, cluster.certificateAuthority])
        .apply(([clusterName, endpoint, ca]) => renderKubeconfig({ clusterName, endpoint, certificateAuthorityData: ca.data ?? "", region })),
    );
  }
}

interface ClusterRoles {
  /** The AWS partition (managed policy and access policy ARNs). */
  partition: pulumi.Output<Partition>;
  clusterRole: aws.iam.Role;
  clusterPolicies: aws.iam.RolePolicyAttachment[];
  nodeRole: aws.iam.Role;
  nodePolicies: aws.iam.RolePolicyAttachment[];
}
