import { ofType, onDefaultProviders, runStack, StackRun } from "../harness";

/**
 * Pulumi.yaml disables the default aws, kubernetes and random providers: the engine would fail any
 * resource or invoke left to one. Mocks do not enforce that setting, so this checks what the
 * program registers: prod with every optional part on (WAF, Elastic IPs, logs), every resource and
 * every data-source call on one of the stack's own providers.
 */
let run: StackRun;
beforeAll(async () => {
  run = await runStack({ stack: "prod", config: { "edgestack:nlbElasticIps": "true" } });
});

test("every resource names an explicit provider", () => {
  expect(ofType(run, "aws:wafv2/webAcl:WebAcl")).toHaveLength(1);
  expect(run.resources.filter((r) => r.custom).length).toBeGreaterThan(100);
  expect(onDefaultProviders(run)).toEqual([]);
});

test("every invoke names an explicit provider", () => {
  expect(run.invokesWithoutProvider).toEqual([]);
});

test("the providers are the stack's own: aws in the stack's region, aws in us-east-1, kubernetes, random, tls", () => {
  const providers = run.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => `${r.type}::${r.name}`);
  expect(providers.sort()).toEqual(["pulumi:providers:aws::aws", "pulumi:providers:aws::aws-us-east-1", "pulumi:providers:kubernetes::cluster-k8s", "pulumi:providers:kubernetes::cluster-k8s-rbac", "pulumi:providers:random::random", "pulumi:providers:tls::tls"]);
  const used = new Set(run.resources.filter((r) => r.custom && r.provider).map((r) => r.provider!.split("::").slice(0, -1).join("::").split("::").pop()));
  expect([...used].sort()).toEqual(["aws", "aws-us-east-1", "cluster-k8s", "cluster-k8s-rbac", "random", "tls"]);
});
