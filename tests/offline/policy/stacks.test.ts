import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { allPolicies } from "../../../policies/rules";
import { runStack, toPlan } from "../../../offline/engine/engine";
import { main } from "../../../offline/policy/cli";
import { fromCaptured, mockOutputs } from "../../../offline/policy/inputs";
import { runPolicies, Violation } from "../../../offline/policy/runner";

type PlanEntry = ReturnType<typeof toPlan>[number];
const dir = mkdtempSync(path.join(tmpdir(), "policy-stacks-"));
let plan: PlanEntry[];
let violations: Violation[];

beforeAll(async () => {
  const run = await runStack({ stack: "dev" });
  plan = toPlan(run.resources);
  violations = await runPolicies({ stack: "dev", project: run.project, resources: fromCaptured(run.resources), policies: allPolicies, outputsOf: mockOutputs });
});

async function policyOnPlan(entries: PlanEntry[]) {
  const file = path.join(dir, `plan-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(entries));
  const out: string[] = [];
  const code = await main(["--plan", file, "--stack", "dev", "--json"], { out: (s) => out.push(s), err: () => undefined });
  return { code, violations: JSON.parse(out.join("\n")) as Violation[] };
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Applies `change` to the first plan entry of `type` matching `pick`; appends `fallback` when the stack has none. */
function mutate(entries: PlanEntry[], type: string, pick: (e: PlanEntry) => boolean, change: (inputs: Record<string, any>) => void, fallback?: PlanEntry): { entries: PlanEntry[]; name: string } {
  const copy = clone(entries);
  const target = copy.find((e) => e.type === type && pick(e));
  if (target) {
    change(target.inputs);
    return { entries: copy, name: target.name };
  }
  if (!fallback) throw new Error(`the dev stack has no ${type} to change`);
  return { entries: [...copy, fallback], name: fallback.name };
}

const insecureDeployment: PlanEntry = {
  type: "kubernetes:apps/v1:Deployment",
  name: "rogue",
  parent: null,
  inputs: { metadata: { namespace: "edge" }, spec: { replicas: 2, template: { metadata: { labels: { app: "rogue" } }, spec: { containers: [{ name: "rogue", image: "rogue:1.0", securityContext: { runAsNonRoot: false } }] } } } },
};
const insecureCache: PlanEntry = { type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "rogue-cache", parent: null, inputs: { description: "x", transitEncryptionEnabled: false, atRestEncryptionEnabled: true, authToken: "[secret]" } };

const changes: [string, string, (p: PlanEntry[]) => { entries: PlanEntry[]; name: string }][] = [
  ["alb-drop-invalid-header-fields", "ALB", (p) => mutate(p, "aws:lb/loadBalancer:LoadBalancer", (e) => e.inputs.loadBalancerType !== "network", (i) => (i.dropInvalidHeaderFields = false))],
  ["alb-http-listener-redirect-only", "ALB HTTP listener", (p) => mutate(p, "aws:lb/listener:Listener", (e) => e.inputs.protocol === "HTTP", (i) => (i.defaultActions = [{ type: "forward", targetGroupArn: "tg" }]))],
  ["nlb-tls-listener-policy", "NLB", (p) => mutate(p, "aws:lb/listener:Listener", (e) => e.inputs.protocol === "TLS", (i) => (i.sslPolicy = "ELBSecurityPolicy-2016-08"))],
  ["target-group-health-check", "target group", (p) => mutate(p, "aws:lb/targetGroup:TargetGroup", () => true, (i) => delete i.healthCheck)],
  ["sg-no-public-ssh-redis", "security group", (p) => mutate(p, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule", () => true, (i) => Object.assign(i, { ipProtocol: "tcp", fromPort: 22, toPort: 22, cidrIpv4: "0.0.0.0/0", prefixListId: undefined, referencedSecurityGroupId: undefined }))],
  ["cloudfront-no-allow-all-viewer-protocol", "CloudFront", (p) => mutate(p, "aws:cloudfront/distribution:Distribution", () => true, (i) => (i.defaultCacheBehavior.viewerProtocolPolicy = "allow-all"))],
  ["cloudfront-minimum-tls", "CloudFront TLS", (p) => mutate(p, "aws:cloudfront/distribution:Distribution", () => true, (i) => (i.viewerCertificate.minimumProtocolVersion = "TLSv1"))],
  // Reported on the bucket the block protects.
  ["s3-public-access-blocked", "S3", (p) => ({ ...mutate(p, "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", () => true, (i) => (i.blockPublicPolicy = false)), name: p.find((e) => e.type === "aws:s3/bucket:Bucket")!.name })],
  ["elasticache-encryption", "ElastiCache", (p) => mutate(p, "aws:elasticache/replicationGroup:ReplicationGroup", () => true, (i) => (i.transitEncryptionEnabled = false), insecureCache)],
  ["route53-txt-string-length", "Route53", (p) => mutate(p, "aws:route53/record:Record", (e) => e.inputs.type === "TXT", (i) => (i.records = ["x".repeat(300)]))],
  ["edge-timeout-chain", "timeout chain", (p) => mutate(p, "aws:lb/loadBalancer:LoadBalancer", (e) => e.inputs.loadBalancerType !== "network", (i) => (i.idleTimeout = 100))],
  ["k8s-pdb-per-deployment", "Kubernetes PDB", (p) => {
    const pdbs = p.filter((e) => e.type === "kubernetes:policy/v1:PodDisruptionBudget");
    const deployment = p.find((e) => e.type === "kubernetes:apps/v1:Deployment");
    if (pdbs.length === 0 || !deployment) throw new Error("the dev stack has no Deployment with a PodDisruptionBudget");
    return { entries: p.filter((e) => !pdbs.includes(e)), name: deployment.name };
  }],
  ["k8s-run-as-non-root", "Kubernetes", (p) => mutate(p, "kubernetes:apps/v1:Deployment", () => true, (i) => (i.spec.template.spec.containers[0].securityContext = { runAsNonRoot: false }), insecureDeployment)],
];

describe("the dev stack", () => {
  it("passes every mandatory policy", () => {
    expect(violations.filter((v) => v.enforcement === "mandatory")).toEqual([]);
  });

  it("passes as a plan JSON file too (npm run plan -- --json | npm run policy -- --plan)", async () => {
    const r = await policyOnPlan(plan);
    expect(r.violations.filter((v) => v.enforcement === "mandatory")).toEqual([]);
    expect(r.code).toBe(0);
  });

  it.each(changes)("an insecure %s change (%s) fails naming the policy and resource", async (policy, _area, change) => {
    const { entries, name } = change(plan);
    const r = await policyOnPlan(entries);
    expect(r.code).toBe(1);
    expect(r.violations).toContainEqual(expect.objectContaining({ policy, enforcement: "mandatory", resource: expect.objectContaining({ name }) }));
  });
});
