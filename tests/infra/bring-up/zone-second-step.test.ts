import { ofType, runStack, StackRun } from "../../harness";

/** Step two of the same bring-up: once delegated (zoneDelegated), the whole edge is planned. */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod", config: { "edgestack:createHostedZone": "true", "edgestack:zoneDelegated": "true" } });
});

test("certificates, load balancers, CloudFront and records are planned; nothing is pending", () => {
  expect(ofType(run, "aws:acm/certificateValidation:CertificateValidation")).toHaveLength(2);
  expect(ofType(run, "aws:lb/loadBalancer:LoadBalancer")).toHaveLength(2);
  expect(ofType(run, "aws:cloudfront/distribution:Distribution")).toHaveLength(1);
  expect(ofType(run, "aws:route53/record:Record").length).toBeGreaterThan(8);
  // No delegation record: the parent is outside this account (the user delegated by hand).
  expect(ofType(run, "aws:route53/record:Record").filter((r) => r.name === "dns-zone-delegation")).toEqual([]);
  expect(run.outputs.pendingSteps).toEqual([]);
});
