import * as pulumi from "@pulumi/pulumi";
import { ofType, runStack, StackRun } from "../../harness";

/**
 * A new zone with no parent zone to delegate from, not yet delegated by hand: the first `pulumi up`
 * creates the zone (and what does not need certificates) and stops short of everything that does,
 * so it cannot hang on an ACM validation that will never succeed. It exports the name servers.
 */
let run: StackRun;
const warnings: string[] = [];
beforeAll(async () => {
  jest.spyOn(pulumi.log, "warn").mockImplementation(async (message: string) => {
    warnings.push(message);
  });
  run = await runStack({ stack: "prod", config: { "edgestack:createHostedZone": "true" } });
});

const CERTIFICATE_DEPENDENT = [
  "aws:acm/certificate:Certificate",
  "aws:acm/certificateValidation:CertificateValidation",
  "aws:lb/loadBalancer:LoadBalancer",
  "aws:lb/listener:Listener",
  "aws:cloudfront/distribution:Distribution",
  "aws:route53/record:Record",
  "edgestack:edge:Certificate",
];

test("no certificate or certificate-dependent resource in the first step", () => {
  // A child zone's delegation (NS in this zone, delegatedSubdomains; DS for a signed child) needs no certificate: it may go first.
  const delegation = (r: (typeof run.resources)[number]) => r.type === "aws:route53/record:Record" && ["NS", "DS"].includes(String((r.inputs as { type?: string }).type));
  const present = run.resources.filter((r) => CERTIFICATE_DEPENDENT.includes(r.type) && !delegation(r)).map((r) => `${r.type}::${r.name}`);
  expect(present).toEqual([]);
});

test("the zone, the image repository, the network, the cluster and the cache are created", () => {
  for (const type of ["aws:route53/zone:Zone", "aws:ecr/repository:Repository", "aws:ec2/vpc:Vpc", "aws:eks/cluster:Cluster", "aws:elasticache/replicationGroup:ReplicationGroup"]) {
    expect({ type, count: ofType(run, type).length }).toEqual({ type, count: 1 });
  }
});

test("nameServers is exported and the next step says what to do with it", () => {
  const nameServers = run.outputs.nameServers as string[];
  expect(nameServers).toHaveLength(4);
  for (const ns of nameServers) expect(ns).toMatch(/^ns-\d+.*\.awsdns-\d+\./);
  const pending = run.outputs.pendingSteps as string[];
  expect(pending).toHaveLength(1);
  expect(pending[0]).toMatch(/delegate edgestack\.example\.com to the name servers in the nameServers output/);
  expect(pending[0]).toMatch(/pulumi config set edgestack:zoneDelegated true && pulumi up/);
  expect(run.outputs.distributionId).toBeUndefined();
});

test("the run prints the name servers to delegate to, once the zone exists", () => {
  const nameServers = run.outputs.nameServers as string[];
  expect(warnings).toContain(`delegate edgestack.example.com to: ${nameServers.join(" ")}`);
  expect(warnings).toContainEqual(expect.stringMatching(/^first deploy, next step: delegate edgestack\.example\.com/));
});
