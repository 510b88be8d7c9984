import { input, ofType, one, runStack, StackRun } from "../../harness";
import { existingKubeconfig, EXISTING_NODE_SG, NO_CLUSTER_ACCESS } from "./existing-kubeconfig";

/** The prod stack runs in us-east-1: its existing cluster is there too. */
const EXISTING_KUBECONFIG = existingKubeconfig("us-east-1");

/** Existing cluster without a named auto scaling group: the AWS Load Balancer Controller binds targets. */
let run: StackRun;

beforeAll(async () => {
  run = await runStack({
    stack: "prod",
    config: { ...NO_CLUSTER_ACCESS, "edgestack:existingKubeconfig": EXISTING_KUBECONFIG, "edgestack:existingNodeSecurityGroupId": EXISTING_NODE_SG },
    secretKeys: ["edgestack:existingKubeconfig"],
  });
});

it("creates no EKS resources and no auto scaling attachments", () => {
  expect(ofType(run, "aws:eks/cluster:Cluster")).toHaveLength(0);
  expect(ofType(run, "aws:eks/nodeGroup:NodeGroup")).toHaveLength(0);
  expect(ofType(run, "aws:autoscaling/attachment:Attachment")).toHaveLength(0);
});

it("binds each target group to its nginx Service port with a TargetGroupBinding (instance targets)", () => {
  const bindings = ofType(run, "kubernetes:elbv2.k8s.aws/v1beta1:TargetGroupBinding");
  const targetGroups = ofType(run, "aws:lb/targetGroup:TargetGroup");
  expect(bindings).toHaveLength(3);
  const nginxService = one(run, "kubernetes:core/v1:Service", "workloads-nginx");
  const servicePorts = input<{ name: string }[]>(nginxService, "spec.ports").map((p) => p.name);
  const bound = bindings.map((b) => {
    expect(input(b, "apiVersion")).toBe("elbv2.k8s.aws/v1beta1");
    expect(input(b, "kind")).toBe("TargetGroupBinding");
    expect(input(b, "metadata.namespace")).toBe("edgestack");
    expect(input(b, "spec.targetType")).toBe("instance");
    expect(input(b, "spec.serviceRef.name")).toBe("nginx");
    expect(servicePorts).toContain(input(b, "spec.serviceRef.port"));
    return [input<string>(b, "spec.serviceRef.port"), input<string>(b, "spec.targetGroupARN")];
  });
  // Every edge target group is bound exactly once, each to the Service port whose NodePort it targets.
  const groupOf = (arn: string) => {
    const matches = targetGroups.filter((tg) => arn.includes(`:targetgroup/${String(tg.inputs.name ?? tg.name).slice(0, 32)}/`));
    expect(matches).toHaveLength(1);
    return matches[0];
  };
  expect(new Set(bound.map(([, arn]) => groupOf(arn).name)).size).toBe(targetGroups.length);
  const byPort = Object.fromEntries(bound);
  const tgPort = (arn: string) => input<number>(groupOf(arn), "port");
  const nodePortOf = (name: string) => input<{ name: string; nodePort: number }[]>(nginxService, "spec.ports").find((p) => p.name === name)!.nodePort;
  for (const port of ["alb-https", "pp-https", "pp-http"]) expect(tgPort(byPort[port])).toBe(nodePortOf(port));
});

it("still opens the NodePorts on the existing node security group from the load balancers only", () => {
  const onNodes = ofType(run, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => input(r, "securityGroupId") === EXISTING_NODE_SG);
  expect(onNodes).toHaveLength(4);
  for (const rule of onNodes) expect(input<string>(rule, "referencedSecurityGroupId")).toMatch(/^sg-/);
});

