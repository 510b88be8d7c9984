import { parse } from "yaml";
import { CapturedResource, childrenOf, input, isSecretInput, ofType, one, runStack, StackRun, toPlan } from "../../harness";

/** The dev stack's new EKS cluster, as registered under mocks. */
let run: StackRun;
let cluster: CapturedResource;
let nodeGroups: CapturedResource[];
let nodeGroup: CapturedResource;
let launchTemplate: CapturedResource;
let nodeSgId: string;


beforeAll(async () => {
  run = await runStack({ stack: "dev" });
  cluster = one(run, "aws:eks/cluster:Cluster");
  nodeGroups = ofType(run, "aws:eks/nodeGroup:NodeGroup");
  nodeGroup = nodeGroups[0];
  launchTemplate = one(run, "aws:ec2/launchTemplate:LaunchTemplate");
  nodeSgId = input<string[]>(launchTemplate, "vpcSecurityGroupIds")[0];
});

describe("EKS control plane", () => {
  it("pins the Kubernetes version from config and uses the configured service CIDR", () => {
    expect(input(cluster, "version")).toBe("1.35");
    expect(input(cluster, "kubernetesNetworkConfig.serviceIpv4Cidr")).toBe("172.20.0.0/16");
  });

  it("runs in the private subnets, private endpoint always on, public only for the configured CIDRs", () => {
    const privateSubnets = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private"));
    expect(input<string[]>(cluster, "vpcConfig.subnetIds")).toHaveLength(privateSubnets.length);
    expect(input<string[]>(cluster, "vpcConfig.subnetIds").every((id) => id.startsWith("subnet-"))).toBe(true);
    expect(input(cluster, "vpcConfig.endpointPrivateAccess")).toBe(true);
    expect(input(cluster, "vpcConfig.endpointPublicAccess")).toBe(true);
    expect(input(cluster, "vpcConfig.publicAccessCidrs")).toEqual(["198.51.100.0/24"]);
  });

  it("logs the control plane, encrypts Secrets with a rotating KMS key, and uses access entries (API auth)", () => {
    expect(input<string[]>(cluster, "enabledClusterLogTypes")).toEqual(expect.arrayContaining(["api", "audit", "authenticator"]));
    const key = one(run, "aws:kms/key:Key", "cluster-secrets-key");
    expect(input(key, "enableKeyRotation")).toBe(true);
    expect(input(cluster, "encryptionConfig.resources")).toEqual(["secrets"]);
    expect(input<string>(cluster, "encryptionConfig.provider.keyArn")).toMatch(/^arn:aws:kms:eu-west-1:\d{12}:key\//);
    expect(input(cluster, "accessConfig.authenticationMode")).toBe("API");
    const logs = ofType(run, "aws:cloudwatch/logGroup:LogGroup").find((g) => g.parent === "cluster")!;
    expect(input(logs, "name")).toBe(`/aws/eks/${input(cluster, "name")}/cluster`);
    expect(input(cluster, "deletionProtection")).toBe(false);
  });

  it("assumes a role that only EKS can assume, with the cluster policy", () => {
    const role = one(run, "aws:iam/role:Role", "cluster-cluster-role");
    expect(JSON.parse(input<string>(role, "assumeRolePolicy")).Statement[0].Principal).toEqual({ Service: "eks.amazonaws.com" });
    expect(input(cluster, "roleArn")).toMatch(/:role\/cluster-cluster-role/);
    const attachments = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").filter((a) => a.name.startsWith("cluster-cluster-"));
    expect(attachments.map((a) => input(a, "policyArn"))).toEqual(["arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"]);
  });

  it("registers the IAM OIDC provider of the cluster's issuer with a fixed thumbprint", () => {
    const oidc = one(run, "aws:iam/openIdConnectProvider:OpenIdConnectProvider");
    expect(input<string>(oidc, "url")).toMatch(/^https:\/\/oidc\.eks\.eu-west-1\.amazonaws\.com\/id\/[0-9A-F]{32}$/);
    expect(input(oidc, "clientIdLists")).toEqual(["sts.amazonaws.com"]);
    expect(input(oidc, "thumbprintLists")).toEqual(["9e99a48a9960b14926bb7f3b02e22da2b0ab7280"]);
  });
});

describe("managed node group", () => {
  it("is one group per zone, each in its zone's private subnet, with its share of the configured sizes", () => {
    // dev: min 2, desired 2, max 3 over 2 zones → 1 / 1 / 2 per zone.
    expect(nodeGroups.map((g) => g.name)).toEqual(["cluster-nodes-zone1", "cluster-nodes-zone2"]);
    expect(nodeGroups.map((g) => input<string[]>(g, "subnetIds")[0])).toEqual(input(cluster, "vpcConfig.subnetIds"));
    for (const g of nodeGroups) {
      expect(input<string[]>(g, "subnetIds")).toHaveLength(1);
      expect(input(g, "scalingConfig")).toEqual({ minSize: 1, desiredSize: 1, maxSize: 2 });
      expect(input(g, "instanceTypes")).toEqual(["t3.medium"]);
      expect(input(g, "amiType")).toBe("AL2023_x86_64_STANDARD");
      expect(input(g, "version")).toBe("1.35");
    }
  });

  it("has a node role with exactly the worker, CNI and ECR read-only policies", () => {
    const role = one(run, "aws:iam/role:Role", "cluster-node-role");
    expect(JSON.parse(input<string>(role, "assumeRolePolicy")).Statement[0].Principal).toEqual({ Service: "ec2.amazonaws.com" });
    const arns = ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
      .filter((a) => a.name.startsWith("cluster-node-"))
      .map((a) => input<string>(a, "policyArn"))
      .sort();
    expect(arns).toEqual([
      "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
      "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
      "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    ]);
  });

  it("attaches our node security group through a launch template (IMDSv2, encrypted root volume)", () => {
    expect(input(nodeGroup, "launchTemplate.id")).toMatch(/^lt-/);
    expect(input(nodeGroup, "launchTemplate.version")).toBe("1");
    expect(input<string[]>(launchTemplate, "vpcSecurityGroupIds")).toHaveLength(1);
    expect(nodeSgId).toMatch(/^sg-/);
    expect(input(launchTemplate, "metadataOptions.httpTokens")).toBe("required");
    expect(input(launchTemplate, "metadataOptions.httpPutResponseHopLimit")).toBe(1);
    expect(input(launchTemplate, "blockDeviceMappings[0].ebs.encrypted")).toBe("true");
    expect(one(run, "aws:ec2/securityGroup:SecurityGroup", "cluster-node-sg").parent).toBe("cluster");
  });
});

describe("cluster and node security groups", () => {
  const rulesOn = (groupId: string) =>
    ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => input(r, "securityGroupId") === groupId);

  it("let nothing into the nodes by CIDR: every ingress rule references a security group", () => {
    const rules = rulesOn(nodeSgId);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) {
      expect(input<string>(rule, "referencedSecurityGroupId")).toMatch(/^sg-/);
      expect(input(rule, "cidrIpv4")).toBeUndefined();
      expect(input(rule, "cidrIpv6")).toBeUndefined();
    }
  });

  it("admit the API only from the nodes and the CI runner, on 443", () => {
    const clusterSgId = input<string[]>(cluster, "vpcConfig.securityGroupIds")[0];
    const runnerSgId = input<string[]>(one(run, "aws:codebuild/project:Project"), "vpcConfig.securityGroupIds")[0];
    const rules = rulesOn(clusterSgId);
    expect(rules.map((r) => [input(r, "referencedSecurityGroupId"), input(r, "fromPort"), input(r, "toPort")]).sort()).toEqual([[nodeSgId, 443, 443], [runnerSgId, 443, 443]].sort());
  });
});

describe("kubeconfig and the kubernetes provider", () => {
  let provider: CapturedResource;
  beforeAll(() => {
    provider = one(run, "pulumi:providers:kubernetes", "cluster-k8s");
  });

  it("builds the provider from a secret exec-auth kubeconfig for this cluster", () => {
    expect(isSecretInput(provider, "kubeconfig")).toBe(true);
    const doc = parse(input<string>(provider, "kubeconfig"));
    expect(doc.clusters[0].cluster.server).toMatch(/^https:\/\/[0-9A-F]{32}\.gr7\.eu-west-1\.eks\.amazonaws\.com$/);
    expect(doc.users[0].user.exec.args).toEqual(["eks", "get-token", "--cluster-name", "edgestack-dev", "--region", "eu-west-1", "--output", "json"]);
    expect(toPlan([provider])[0].inputs.kubeconfig).toBe("[secret]");
  });

  it("registers no default kubernetes provider: every Kubernetes resource names the explicit one", () => {
    const providers = ofType(run, "pulumi:providers:kubernetes");
    expect(providers.map((p) => p.name).sort()).toEqual(["cluster-k8s", "cluster-k8s-rbac"]);
    const rbac = one(run, "pulumi:providers:kubernetes", "cluster-k8s-rbac");
    const k8sResources = run.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8sResources.length).toBeGreaterThanOrEqual(10);
    // The deployer's own ClusterRole and binding and the node autoscaler (a cluster add-on with RBAC of its own) go
    // through the RBAC provider, everything else through the workloads'.
    for (const r of k8sResources) {
      const expected = r.type.startsWith("kubernetes:rbac.authorization.k8s.io/") || r.urn.includes("edgestack:cluster:NodeAutoscaler$") ? rbac.urn : provider.urn;
      expect({ name: r.name, provider: r.provider?.slice(0, r.provider.lastIndexOf("::")) }).toEqual({ name: r.name, provider: expected });
    }
  });

  it("exports the cluster name and the kubeconfig, the latter only as a secret", () => {
    expect(run.outputs.clusterName).toBe("edgestack-dev");
    expect(run.secretOutputs).toContain("kubeconfig");
    expect(parse(run.outputs.kubeconfig as string)["current-context"]).toBe("edgestack-dev");
  });
});

describe("EksCluster component", () => {
  it("owns every EKS resource", () => {
    expect(one(run, "edgestack:cluster:EksCluster").name).toBe("cluster");
    const types = new Set(childrenOf(run, "cluster").map((r) => r.type));
    for (const t of ["aws:eks/cluster:Cluster", "aws:eks/nodeGroup:NodeGroup", "aws:iam/openIdConnectProvider:OpenIdConnectProvider", "aws:ec2/launchTemplate:LaunchTemplate", "pulumi:providers:kubernetes"]) {
      expect(types).toContain(t);
    }
  });
});

describe("metrics-server (the HPA's resource metrics)", () => {
  it("is installed as the EKS add-on, version pinned from config, after the nodes exist", () => {
    const addon = one(run, "aws:eks/addon:Addon", "cluster-metrics-server");
    expect(input(addon, "addonName")).toBe("metrics-server");
    expect(input(addon, "addonVersion")).toMatch(/^v\d+\.\d+\.\d+-eksbuild\.\d+$/);
    expect(input(addon, "clusterName")).toBe(input(cluster, "name"));
    expect(addon.parent).toBe("cluster");
    expect(toPlan(run.resources).some((r) => r.type === "aws:eks/addon:Addon" && r.name === "cluster-metrics-server")).toBe(true);
  });
});
