import { spawnSync } from "node:child_process";
import * as path from "node:path";
import type { PlanResource } from "../../harness";

/**
 * Issue 4's "Checked by", read from the real command output: `npm run plan -- --stack prod --json`
 * (run here as the same tsx entry point, without npm's banner).
 */
const root = path.resolve(__dirname, "../../..");
let plan: PlanResource[];

beforeAll(() => {
  const result = spawnSync(path.join(root, "node_modules/.bin/tsx"), ["offline/plan/cli.ts", "--stack", "prod", "--json"], { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (result.status !== 0) throw new Error(`plan failed (${result.status}): ${result.stderr}`);
  plan = JSON.parse(result.stdout).resources;
});

const all = (type: string) => plan.filter((r) => r.type === type);
const at = (r: PlanResource, p: string): any => p.split(".").reduce<any>((v, k) => v?.[k], r.inputs);

it("has a ReplicationGroup with transit and at-rest encryption, failover, multi-AZ and the auth token as [secret]", () => {
  const [group] = all("aws:elasticache/replicationGroup:ReplicationGroup");
  expect(group.inputs).toMatchObject({
    transitEncryptionEnabled: true,
    atRestEncryptionEnabled: true,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    authToken: "[secret]",
  });
  expect(group.protect).toBe(true);
});

it("opens 6379 on the cache's security group only by security-group reference, never a CIDR", () => {
  const [group] = all("aws:elasticache/replicationGroup:ReplicationGroup");
  const cacheSg = at(group, "securityGroupIds")[0];
  const rules = all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((r) => r.inputs.securityGroupId === cacheSg);
  expect(rules).toHaveLength(1);
  expect(rules[0].inputs).toMatchObject({ fromPort: 6379, toPort: 6379, referencedSecurityGroupId: expect.stringMatching(/^sg-/) });
  expect(rules[0].inputs).not.toHaveProperty("cidrIpv4");
  expect(rules[0].inputs).not.toHaveProperty("cidrIpv6");
  // And no rule anywhere admits a CIDR to 6379.
  for (const r of all("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").filter((x) => x.inputs.fromPort === 6379)) {
    expect(r.inputs.cidrIpv4 ?? r.inputs.cidrIpv6).toBeUndefined();
  }
});

it("has app and nginx Deployments with readiness and liveness probes, resources and a non-root security context", () => {
  const deployments = all("kubernetes:apps/v1:Deployment");
  expect(deployments.map((d) => at(d, "metadata.name")).sort()).toEqual(["app", "cluster-autoscaler", "nginx"]);
  for (const d of deployments) {
    const pod = at(d, "spec.template.spec");
    const container = pod.containers[0];
    expect(container.readinessProbe).toBeDefined();
    expect(container.livenessProbe).toBeDefined();
    expect(container.resources.requests).toBeDefined();
    expect(container.resources.limits).toBeDefined();
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(container.securityContext.runAsNonRoot).toBe(true);
  }
});

it("has a ConfigMap holding an nginx.conf", () => {
  const [configMap] = all("kubernetes:core/v1:ConfigMap");
  expect(at(configMap, "data")["nginx.conf"]).toMatch(/^\s*http \{/m);
});

it("has PDBs and an HPA", () => {
  expect(all("kubernetes:policy/v1:PodDisruptionBudget").map((p) => at(p, "metadata.name")).sort()).toEqual(["app", "cluster-autoscaler", "nginx"]);
  expect(all("kubernetes:autoscaling/v2:HorizontalPodAutoscaler")).toHaveLength(1);
});

it("has target group attachments for every target group", () => {
  const attachments = all("aws:autoscaling/attachment:Attachment");
  // One per target group and zone (a node group per zone).
  expect(attachments).toHaveLength(all("aws:lb/targetGroup:TargetGroup").length * all("aws:eks/nodeGroup:NodeGroup").length);
  expect(attachments.length).toBeGreaterThanOrEqual(3);
  for (const a of attachments) expect(a.inputs.lbTargetGroupArn).toMatch(/:targetgroup\//);
});

it("prints the kubeconfig and the Redis URL only as [secret]", () => {
  expect(at(all("pulumi:providers:kubernetes")[0], "kubeconfig")).toBe("[secret]");
  expect(at(all("kubernetes:core/v1:Secret")[0], "stringData")).toBe("[secret]");
  expect(JSON.stringify(plan)).not.toMatch(/rediss:\/\//);
});
