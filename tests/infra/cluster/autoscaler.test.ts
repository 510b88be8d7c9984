import { autoscalerCommand, autoscalerPolicy } from "../../../infra/cluster/autoscaler";
import { childrenOf, input, ofType, one, onDefaultProviders, runStack, StackRun } from "../../harness";

/** The prod stack's node autoscaling, as registered under mocks. */
let run: StackRun;
const child = (type: string) => childrenOf(run, "cluster-autoscaler").filter((r) => r.type === type);

beforeAll(async () => {
  run = await runStack({ stack: "prod" });
});

describe("Cluster Autoscaler in the plan", () => {
  it("is a component of the cluster with its IAM role, RBAC and Deployment as typed objects", () => {
    expect(one(run, "edgestack:cluster:NodeAutoscaler").parent).toBe("cluster");
    for (const t of [
      "aws:iam/role:Role",
      "kubernetes:core/v1:ServiceAccount",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRole",
      "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding",
      "kubernetes:rbac.authorization.k8s.io/v1:Role",
      "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding",
      "kubernetes:apps/v1:Deployment",
      "kubernetes:core/v1:Namespace",
      "kubernetes:policy/v1:PodDisruptionBudget",
    ]) {
      expect([t, child(t)]).toEqual([t, [expect.anything()]]);
    }
    expect(onDefaultProviders(run)).toEqual([]);
  });

  it("discovers this cluster's node groups, balances the zones and waits the pods' grace period when draining", () => {
    const [deployment] = child("kubernetes:apps/v1:Deployment");
    const container = input<Record<string, any>>(deployment, "spec.template.spec").containers[0];
    const cluster = input<string>(one(run, "aws:eks/cluster:Cluster"), "name");
    const grace = input<number>(one(run, "kubernetes:apps/v1:Deployment", "workloads-app"), "spec.template.spec.terminationGracePeriodSeconds");
    expect(container.image).toBe("registry.k8s.io/autoscaling/cluster-autoscaler:v1.35.1");
    expect(container.command).toEqual(
      expect.arrayContaining([
        `--node-group-auto-discovery=asg:tag=k8s.io/cluster-autoscaler/enabled,k8s.io/cluster-autoscaler/${cluster}`,
        "--balance-similar-node-groups=true",
        `--max-graceful-termination-sec=${grace}`,
      ]),
    );
    expect(input(deployment, "metadata.namespace")).toBe("edgestack-system");
    expect(input(deployment, "spec.replicas")).toBe(2);
    expect(container.securityContext).toMatchObject({ runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
  });

  it("assumes its role only as edgestack-system/cluster-autoscaler through the cluster's OIDC issuer", () => {
    const [role] = child("aws:iam/role:Role");
    const [sa] = child("kubernetes:core/v1:ServiceAccount");
    expect(input<Record<string, string>>(sa, "metadata.annotations")["eks.amazonaws.com/role-arn"]).toMatch(/^arn:aws:iam::\d{12}:role\//);
    const statement = JSON.parse(input<string>(role, "assumeRolePolicy")).Statement[0];
    expect(statement.Action).toBe("sts:AssumeRoleWithWebIdentity");
    expect(statement.Principal.Federated).toMatch(/:oidc-provider\//);
    const conditions = statement.Condition.StringEquals as Record<string, string>;
    expect(Object.entries(conditions).find(([k]) => k.endsWith(":sub"))?.[1]).toBe("system:serviceaccount:edgestack-system:cluster-autoscaler");
    expect(Object.entries(conditions).find(([k]) => k.endsWith(":aud"))?.[1]).toBe("sts.amazonaws.com");
  });

  it("may resize or terminate in this cluster's groups only", () => {
    const policy = JSON.parse(autoscalerPolicy("edgestack-prod", { partition: "aws", region: "eu-west-1", accountId: "123456789012" }));
    expect(policy.Statement.find((s: { Sid: string }) => s.Sid === "ReadThisClustersNodeGroups").Resource).toBe("arn:aws:eks:eu-west-1:123456789012:nodegroup/edgestack-prod/*/*");
    const writes = policy.Statement.filter((s: { Action: string[] }) => s.Action.some((a) => /SetDesiredCapacity|Terminate/.test(a)));
    expect(writes).toHaveLength(1);
    expect(writes[0].Condition).toEqual({ StringEquals: { "aws:ResourceTag/k8s.io/cluster-autoscaler/edgestack-prod": "owned" } });
    for (const s of policy.Statement.filter((x: unknown) => !writes.includes(x))) for (const a of s.Action) expect(a).toMatch(/:(Describe|Get)/);
  });

  it("leaves each node group's current size to the autoscaler", () => {
    const groups = ofType(run, "aws:eks/nodeGroup:NodeGroup");
    expect(groups).toHaveLength(3);
    for (const g of groups) expect(g.options.ignoreChanges).toEqual(["scalingConfig.desiredSize"]);
    expect(autoscalerCommand({ clusterName: "c", region: "r", kubernetesVersion: "1.35", podGracePeriodSeconds: 45 })).toContain("--max-graceful-termination-sec=45");
  });

  it("lives in a namespace of its own that enforces the restricted standard, denies by default and sends HTTPS only into the private subnets", () => {
    const [ns] = child("kubernetes:core/v1:Namespace");
    expect(input(ns, "metadata.labels")).toMatchObject({ "pod-security.kubernetes.io/enforce": "restricted" });
    const policies = Object.fromEntries(child("kubernetes:networking.k8s.io/v1:NetworkPolicy").map((p) => [input<string>(p, "metadata.name"), input<Record<string, any>>(p, "spec")]));
    expect(policies["default-deny"]).toEqual({ podSelector: {}, policyTypes: ["Ingress", "Egress"] });
    const privateCidrs = ofType(run, "aws:ec2/subnet:Subnet").filter((s) => s.name.includes("private")).map((s) => input<string>(s, "cidrBlock")).sort();
    const egress = policies["autoscaler-to-apis"].egress;
    expect(egress).toHaveLength(1);
    expect(egress[0].ports).toEqual([{ protocol: "TCP", port: 443 }]);
    expect(egress[0].to.map((p: { ipBlock: { cidr: string } }) => p.ipBlock.cidr).sort()).toEqual(privateCidrs);
  });

  it("reaches autoscaling, EC2, EKS and STS through interface endpoints in the private subnets, open to the nodes only", () => {
    const endpoints = ofType(run, "aws:ec2/vpcEndpoint:VpcEndpoint").filter((e) => e.parent === "cluster");
    expect(endpoints.map((e) => input<string>(e, "serviceName")).sort()).toEqual(["autoscaling", "ec2", "eks", "sts"].map((s) => `com.amazonaws.us-east-1.${s}`));
    for (const e of endpoints) {
      expect(input(e, "privateDnsEnabled")).toBe(true);
      expect(input<string[]>(e, "subnetIds")).toHaveLength(3);
    }
    const sg = input<string[]>(endpoints[0], "securityGroupIds")[0];
    const rules = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => input(r, "securityGroupId") === sg);
    expect(rules).toHaveLength(1);
    expect(rules[0].inputs).toMatchObject({ fromPort: 443, toPort: 443, ipProtocol: "tcp" });
    expect(input<string>(rules[0], "referencedSecurityGroupId")).toMatch(/^sg-/);
  });
});
