import { input, isSecretInput, ofType, one, runStack, StackRun } from "../../harness";
import { EXISTING_KUBECONFIG, EXISTING_NODE_SG, NO_CLUSTER_ACCESS } from "./existing-kubeconfig";

/** Existing cluster whose nodes' auto scaling group is named: attachments, no EKS resources. */
let run: StackRun;

beforeAll(async () => {
  run = await runStack({
    stack: "dev",
    config: {
      ...NO_CLUSTER_ACCESS,
      "edgestack:existingKubeconfig": EXISTING_KUBECONFIG,
      "edgestack:existingNodeSecurityGroupId": EXISTING_NODE_SG,
      "edgestack:existingNodeAutoScalingGroup": "eks-shared-nodes-1a2b3c",
    },
    secretKeys: ["edgestack:existingKubeconfig"],
  });
});

it("creates no EKS, IAM-for-EKS, KMS or launch-template resources", () => {
  // The alert topics' own key (infra/observability) and the zone's DNSSEC signing key (infra/dns) are not the cluster's.
  const created = run.resources.filter((r) => !r.parent?.startsWith("alerting") && r.parent !== "dns-zone").map((r) => r.type);
  for (const t of [
    "aws:eks/cluster:Cluster",
    "aws:eks/nodeGroup:NodeGroup",
    "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    "aws:ec2/launchTemplate:LaunchTemplate",
    "aws:kms/key:Key",
    // metrics-server on an existing cluster is a prerequisite (docs/cluster.md), not ours to install.
    "aws:eks/addon:Addon",
  ]) {
    expect(created).not.toContain(t);
  }
  expect(run.resources.filter((r) => r.parent === "cluster").map((r) => r.type)).toEqual(["pulumi:providers:kubernetes"]);
});

it("builds the kubernetes provider from the configured kubeconfig, as a secret", () => {
  const provider = one(run, "pulumi:providers:kubernetes");
  expect(input(provider, "kubeconfig")).toBe(EXISTING_KUBECONFIG);
  expect(isSecretInput(provider, "kubeconfig")).toBe(true);
  expect(run.secretOutputs).toContain("kubeconfig");
  expect(run.outputs.clusterName).toBe("shared-platform");
});

it("attaches the named auto scaling group to each target group, and binds nothing through the controller", () => {
  const attachments = ofType(run, "aws:autoscaling/attachment:Attachment");
  expect(attachments).toHaveLength(3);
  for (const a of attachments) expect(input(a, "autoscalingGroupName")).toBe("eks-shared-nodes-1a2b3c");
  expect(ofType(run, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding")).toHaveLength(0);
});

it("opens the NodePorts and the cache port on the existing node security group, by reference", () => {
  const onNodes = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => input(r, "securityGroupId") === EXISTING_NODE_SG);
  expect(onNodes.map((r) => input<number>(r, "fromPort")).sort()).toEqual([30080, 30080, 30081, 30082]);
  const cacheRule = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").find((r) => r.parent === "cache")!;
  expect(input(cacheRule, "referencedSecurityGroupId")).toBe(EXISTING_NODE_SG);
});
